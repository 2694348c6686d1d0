import { PlannedChange, UpgradePlan } from './change';
import { ManifestObject, objectKey, refOf, sameJson } from './objects';
import { refusedChanges } from './refused';
import { disruptiveChanges, rolloutOrder, workloadKey } from './rollout';
import { settingChanges } from './settings';
import { removedChange, storeChanges } from './stores';

/** The top-level fields (two levels under `spec`) where two objects differ, for a safe change's line. */
function changedFields(before: ManifestObject, after: ManifestObject): string[] {
  const fields = (o: ManifestObject) => Object.keys(o).filter((k) => k !== 'apiVersion' && k !== 'kind');
  const fieldsOf = new Set([...fields(before), ...fields(after)]);
  const changed: string[] = [];
  for (const f of fieldsOf) {
    const [b, a] = [(before as Record<string, unknown>)[f], (after as Record<string, unknown>)[f]];
    if (sameJson(b, a)) continue;
    const nested = [b, a].every((x) => x && typeof x === 'object' && !Array.isArray(x));
    if (!nested) {
      changed.push(f);
      continue;
    }
    const keys = new Set([...Object.keys(b as object), ...Object.keys(a as object)]);
    for (const k of keys) if (!sameJson((b as Record<string, unknown>)[k], (a as Record<string, unknown>)[k])) changed.push(`${f}.${k}`);
  }
  if (before.apiVersion !== after.apiVersion) changed.push(`apiVersion ${before.apiVersion} → ${after.apiVersion}`);
  return changed;
}

/** Everything that applying `after` does to one object that `before` made. */
function changesOf(before: ManifestObject, after: ManifestObject): PlannedChange[] {
  const found = [...refusedChanges(before, after), ...storeChanges(before, after), ...settingChanges(before, after), ...disruptiveChanges(before, after)];
  if (found.length > 0) return found;
  const fields = changedFields(before, after);
  if (fields.length === 0) return [];
  return [{ class: 'safe', object: refOf(after), change: `${fields.join(', ')} changed`, why: 'applies in place: no pod restarts, nothing stored is touched' }];
}

/**
 * The upgrade from one output of a cluster to the next: every object created, changed or removed,
 * each classified (refused by the API server, data at risk, disruptive, safe) with why and, where
 * it is not safe, the steps that make it so; and the order to roll the restarts out in.
 * Objects are matched by API group, kind, namespace and name, so a new API version of the same
 * object is a change of it, not a new object.
 */
export function planUpgrade(before: readonly ManifestObject[], after: readonly ManifestObject[]): UpgradePlan {
  const old = new Map(before.map((o) => [objectKey(o), o]));
  const now = new Map(after.map((o) => [objectKey(o), o]));
  const changes: PlannedChange[] = [];
  for (const [key, o] of now) {
    const was = old.get(key);
    if (was) changes.push(...changesOf(was, o));
    else changes.push({ class: 'safe', object: refOf(o), change: 'created', why: 'new: nothing of it exists yet' });
  }
  for (const [key, o] of old) if (!now.has(key)) changes.push(removedChange(o));
  return { changes, rollout: rolloutOrder(changes, new Map(after.map((o) => [workloadKey(o), o]))) };
}
