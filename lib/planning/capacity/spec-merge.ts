import deepmerge from 'deepmerge';
import type { PlatformSpec, PlatformTenant } from '../../platform/spec';

/** Plain objects merge; class instances (an ObjectStorage) are values, kept as given. */
function isPlainObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The planned figures over a base spec: the plan wins where both say something, and takes a
 * workload's `resources` whole (a base's limits never stay under planned requests). Tenants are
 * merged by id, so a base tenant keeps its retention and rules and gets the planned limits.
 */
export function mergeOverBase(base: PlatformSpec, planned: PlatformSpec): PlatformSpec {
  const merged = deepmerge<PlatformSpec>(base, planned, {
    isMergeableObject: isPlainObject,
    arrayMerge: (_base, given) => given,
    customMerge: (key) => (key === 'resources' ? (_base: unknown, given: unknown) => given : undefined),
  });
  const tenants = mergeTenants(base.tenants, planned.tenants);
  return tenants ? { ...merged, tenants } : merged;
}

function mergeTenants(base: readonly PlatformTenant[] | undefined, planned: readonly PlatformTenant[] | undefined): PlatformTenant[] | undefined {
  if (!planned) return base ? [...base] : undefined;
  const planIds = new Set(planned.map((t) => t.id));
  const fromPlan = planned.map((t) => {
    const given = base?.find((b) => b.id === t.id);
    return given ? { ...given, ...t, limits: { ...given.limits, ...t.limits } } : t;
  });
  return [...fromPlan, ...(base ?? []).filter((t) => !planIds.has(t.id))];
}
