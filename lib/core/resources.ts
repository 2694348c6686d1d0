import { k8s } from './k8s';

/** CPU and memory as Kubernetes quantities, e.g. `{ cpu: '500m', memory: '1Gi' }`. */
export interface ResourceList {
  /** CPU quantity such as `250m` or `2`. */
  readonly cpu?: string;
  /** Memory quantity such as `512Mi` or `4Gi`. */
  readonly memory?: string;
}

/** Requests and limits of one container. */
export interface ResourceRequirements {
  /** What the scheduler reserves. */
  readonly requests?: ResourceList;
  /** The hard ceiling. A memory limit equal to the request avoids OOM surprises on busy nodes. */
  readonly limits?: ResourceList;
}

/** Converts to the L1 shape. Quantities must be `k8s.Quantity` objects, or the L1 drops them. */
export function toKubeResources(resources: ResourceRequirements | undefined): k8s.ResourceRequirements | undefined {
  if (!resources) return undefined;
  return { requests: toQuantities(resources.requests), limits: toQuantities(resources.limits) };
}

function toQuantities(list: ResourceList | undefined): Record<string, k8s.Quantity> | undefined {
  if (!list) return undefined;
  const entries = Object.entries(list).filter(([, v]) => v !== undefined) as Array<[string, string]>;
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
}
