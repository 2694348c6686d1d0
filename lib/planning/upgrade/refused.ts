/**
 * Changes the API server refuses: fields it will not update in place. Each rule names the field,
 * why it is fixed, and how to get the new value in anyway. The fields follow the API server's
 * update validation (apps/v1, batch/v1, core/v1, rbac/v1) of Kubernetes 1.36.
 */
import { PlannedChange } from './change';
import { ManifestObject, at, brief, refOf, sameJson } from './objects';
import { parseQuantity } from '../../core/footprint';

type Check = (before: ManifestObject, after: ManifestObject) => PlannedChange[];

function refused(o: ManifestObject, change: string, why: string, steps: string[]): PlannedChange {
  return { class: 'refused', object: refOf(o), change, why, steps };
}

function ns(o: ManifestObject): string {
  return o.metadata.namespace ? ` -n ${o.metadata.namespace}` : '';
}

/** The fields of a StatefulSet's spec that may change: every other one is refused. */
const STATEFULSET_MUTABLE = new Set([
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
]);

/** What a StatefulSet's fixed field needs beyond delete-and-apply, when anything. */
function statefulSetSteps(o: ManifestObject, field: string): string[] {
  const name = o.metadata.name;
  const orphan = `kubectl delete statefulset ${name}${ns(o)} --cascade=orphan   # the pods and their volumes stay`;
  const apply = 'apply the new output: the new StatefulSet adopts the running pods';
  if (field === 'volumeClaimTemplates')
    return [
      `for a larger volume, resize each existing claim first (the storage class must allow expansion): kubectl patch pvc <template>-${name}-<ordinal>${ns(o)} -p '{"spec":{"resources":{"requests":{"storage":"<new size>"}}}}'`,
      orphan,
      apply,
      'a new storage class or access mode reaches only pods made from now on: move the data of each existing claim by hand, one pod at a time',
    ];
  if (field === 'selector')
    return [
      orphan,
      'apply the new output',
      `delete the old pods one at a time (kubectl delete pod ${name}-<ordinal>${ns(o)}), waiting for each to come back Ready: the new StatefulSet makes each again on its own volume`,
    ];
  if (field === 'serviceName')
    return [orphan, apply, `restart the pods one at a time (kubectl rollout restart statefulset ${name}${ns(o)}): their DNS names move to the new Service`];
  return [orphan, apply];
}

type ClaimTemplate = {
  metadata?: { name?: string };
  spec?: { storageClassName?: string; accessModes?: string[]; resources?: { requests?: { storage?: string } } };
};

/** The claim templates in a few words each: `data 10Gi`, with the class and access modes when set. */
function describeTemplates(value: unknown): string {
  const templates = (value as ClaimTemplate[] | undefined) ?? [];
  if (templates.length === 0) return '(none)';
  return templates
    .map((t) =>
      [
        t.metadata?.name ?? '?',
        t.spec?.resources?.requests?.storage,
        t.spec?.storageClassName && `class ${t.spec.storageClassName}`,
        t.spec?.accessModes?.join('+'),
      ]
        .filter(Boolean)
        .join(' '),
    )
    .join(', ');
}

/** A field's old and new value in words. */
function fieldChange(before: ManifestObject, after: ManifestObject, field: string): string {
  const [was, is] = [at(before, `spec.${field}`), at(after, `spec.${field}`)];
  if (field === 'volumeClaimTemplates') {
    const [a, b] = [describeTemplates(was), describeTemplates(is)];
    return `spec.volumeClaimTemplates ${a === b ? `${a} (labels, annotations or other claim fields)` : `${a} → ${b}`}`;
  }
  return `spec.${field} ${brief(was)} → ${brief(is)}`;
}

const statefulSet: Check = (before, after) => {
  const fields = new Set([...Object.keys((before.spec as object) ?? {}), ...Object.keys((after.spec as object) ?? {})]);
  return [...fields]
    .filter((f) => !STATEFULSET_MUTABLE.has(f) && !sameJson(at(before, `spec.${f}`), at(after, `spec.${f}`)))
    .map((f) =>
      refused(
        after,
        fieldChange(before, after, f),
        `a StatefulSet's spec.${f} cannot be updated: only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds can`,
        statefulSetSteps(after, f),
      ),
    );
};

const selector: Check = (before, after) => {
  if (sameJson(at(before, 'spec.selector'), at(after, 'spec.selector'))) return [];
  const kind = after.kind.toLowerCase();
  return [
    refused(
      after,
      `spec.selector ${brief(at(before, 'spec.selector'))} → ${brief(at(after, 'spec.selector'))}`,
      `a ${after.kind}'s selector cannot be updated (apps/v1)`,
      [
        `kubectl delete ${kind} ${after.metadata.name}${ns(after)} --cascade=orphan   # the running pods keep serving`,
        'apply the new output: its pods start beside the old ones',
        kind === 'daemonset'
          ? 'delete the old pods node by node once the new ones are Ready'
          : `delete the old ReplicaSet once the new pods are Ready (kubectl get rs${ns(after)} shows both)`,
      ],
    ),
  ];
};

const job: Check = (before, after) => {
  const changed = ['selector', 'template', 'completions', 'completionMode', 'podFailurePolicy'].filter(
    (f) => !sameJson(at(before, `spec.${f}`), at(after, `spec.${f}`)),
  );
  return changed.map((f) =>
    refused(after, `spec.${f} changed`, `a Job's spec.${f} cannot be updated once it exists`, [
      `kubectl delete job ${after.metadata.name}${ns(after)}   # a finished Job only; a running one is stopped`,
      'apply the new output: the Job runs again with the new spec',
    ]),
  );
};

const service: Check = (before, after) => {
  const ip = (o: ManifestObject) => at(o, 'spec.clusterIP') as string | undefined;
  const [was, is] = [ip(before), ip(after)];
  // An unset clusterIP is the cluster's to allocate, and an apply that leaves it unset keeps it.
  if (was === is || (is === undefined && was !== 'None')) return [];
  const steps = [
    `kubectl delete service ${after.metadata.name}${ns(after)}`,
    'apply the new output at once: clients resolve the name again within their DNS TTL',
  ];
  if (is === undefined)
    return [
      refused(
        after,
        'spec.clusterIP None → (unset)',
        "a headless Service cannot gain an address: kubectl's client-side apply sends the removal and is refused, and a server-side apply accepts it but leaves the Service headless",
        steps,
      ),
    ];
  return [
    refused(
      after,
      `spec.clusterIP ${brief(was)} → ${brief(is)}`,
      "a Service's clusterIP cannot be updated: it cannot become headless, nor a headless one gain an address",
      steps,
    ),
  ];
};

const claim: Check = (before, after) => {
  const changes: PlannedChange[] = [];
  const size = (o: ManifestObject) => at(o, 'spec.resources.requests.storage') as string | undefined;
  const [oldSize, newSize] = [size(before), size(after)];
  if (oldSize && newSize && parseQuantity(newSize) < parseQuantity(oldSize))
    changes.push(
      refused(after, `spec.resources.requests.storage ${oldSize} → ${newSize}`, 'a PersistentVolumeClaim can grow but never shrink', [
        `keep ${oldSize}: a smaller volume needs a new claim and the data copied to it`,
      ]),
    );
  for (const f of ['accessModes', 'storageClassName', 'volumeMode', 'volumeName', 'selector', 'dataSource'])
    if (!sameJson(at(before, `spec.${f}`), at(after, `spec.${f}`)))
      changes.push(
        refused(
          after,
          `spec.${f} ${brief(at(before, `spec.${f}`))} → ${brief(at(after, `spec.${f}`))}`,
          `a bound PersistentVolumeClaim's spec.${f} cannot be updated`,
          ['make a new claim with the new spec, copy the data into it while nothing writes, then point the workload at it'],
        ),
      );
  return changes;
};

const binding: Check = (before, after) =>
  sameJson(before.roleRef, after.roleRef)
    ? []
    : [
        refused(after, `roleRef ${brief(before.roleRef)} → ${brief(after.roleRef)}`, "a binding's roleRef cannot be updated", [
          `kubectl delete ${after.kind.toLowerCase()} ${after.metadata.name}${ns(after)}`,
          'apply the new output at once: the subjects lose the permissions in between',
        ]),
      ];

const immutableData: Check = (before, after) =>
  before.immutable === true && (!sameJson(before.data, after.data) || !sameJson(before.stringData, after.stringData) || after.immutable !== true)
    ? [
        refused(after, 'data of an immutable object changed', `an ${after.kind} marked immutable cannot change its data or lose the mark`, [
          `give the new data a new name, or kubectl delete ${after.kind.toLowerCase()} ${after.metadata.name}${ns(after)} and apply (the pods that mount it restart)`,
        ]),
      ]
    : [];

const CHECKS: Readonly<Record<string, readonly Check[]>> = {
  StatefulSet: [statefulSet],
  Deployment: [selector],
  DaemonSet: [selector],
  ReplicaSet: [selector],
  Job: [job],
  Service: [service],
  PersistentVolumeClaim: [claim],
  RoleBinding: [binding],
  ClusterRoleBinding: [binding],
  ConfigMap: [immutableData],
  Secret: [immutableData],
};

/** The changes of one object that the API server refuses. */
export function refusedChanges(before: ManifestObject, after: ManifestObject): PlannedChange[] {
  return (CHECKS[after.kind] ?? []).flatMap((check) => check(before, after));
}
