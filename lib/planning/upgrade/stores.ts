/**
 * Data at risk from the workloads themselves: a store with fewer pods, its volumes' retention
 * policy loosened, a store or claim removed.
 */
import { PlannedChange } from './change';
import { ManifestObject, applicationOf, at, componentOf, refOf } from './objects';

/** A StatefulSet keeps data when its pods get volumes from claim templates. */
export function keepsData(o: ManifestObject): boolean {
  return o.kind === 'StatefulSet' && ((at(o, 'spec.volumeClaimTemplates') as unknown[] | undefined)?.length ?? 0) > 0;
}

function ns(o: ManifestObject): string {
  return o.metadata.namespace ? ` -n ${o.metadata.namespace}` : '';
}

/**
 * How each kind of store hands its data off before a pod goes, by `<app>/<component>`: what to do
 * for every pod that a lower replica count removes. Stores not listed get the general advice.
 */
const HAND_OFF: Readonly<Record<string, string>> = {
  'loki/write':
    'call POST /ingester/shutdown?flush=true&delete_ring_tokens=true on the highest ordinal (port http) and wait for it to finish: its chunks reach object storage and it leaves the ring',
  'loki/backend': 'nothing of its own is lost (rules and the compactor state are in object storage), but lower it by one pod at a time',
  'thanos/receive':
    'the hashring moves series to the remaining pods: first let the highest ordinal upload its blocks (it does on shutdown, with --tsdb.retention passed) and check the bucket has them',
  'victoria-metrics/vmstorage':
    "vmstorage never moves data between nodes: a removed node's samples are gone from queries. Keep its claim, and keep the node in vmselect's -storageNode as read-only until the retention has passed, or back it up with vmbackup first",
  'tempo/monolithic': 'call /flush on the pod to go and wait for its blocks to reach object storage',
  'alertmanager/alert-router': 'silences and the notification log are gossiped: the remaining pods keep them if at least one stays',
  'kafka/broker': 'reassign its partitions to the remaining brokers (kafka-reassign-partitions.sh) and wait for the reassignment to finish before removing it',
};

function replicasLowered(before: ManifestObject, after: ManifestObject): PlannedChange[] {
  const [was, is] = [(at(before, 'spec.replicas') as number | undefined) ?? 1, (at(after, 'spec.replicas') as number | undefined) ?? 1];
  if (!keepsData(after) || is >= was) return [];
  const whenScaled = at(after, 'spec.persistentVolumeClaimRetentionPolicy.whenScaled') ?? 'Retain';
  const handOff = HAND_OFF[`${applicationOf(after)}/${componentOf(after)}`];
  return [
    {
      class: 'data-at-risk',
      object: refOf(after),
      change: `spec.replicas ${was} → ${is}`,
      why:
        `pods ${is}..${was - 1} go, with whatever only they hold (data not yet flushed or replicated, a ring member's share)` +
        (whenScaled === 'Delete'
          ? ', and their volumes are deleted with them (whenScaled: Delete)'
          : '; their volumes stay (whenScaled: Retain) but nothing reads them'),
      steps: [
        `lower spec.replicas by one at a time, from ${was} down to ${is}, and for each pod to go: ${handOff ?? 'make sure what it holds is replicated or uploaded elsewhere'}`,
        `kubectl scale statefulset ${after.metadata.name}${ns(after)} --replicas=<one less>, wait until the rest are Ready, repeat`,
        'apply the new output once the count matches',
      ],
    },
  ];
}

function retentionPolicyLoosened(before: ManifestObject, after: ManifestObject): PlannedChange[] {
  if (after.kind !== 'StatefulSet') return [];
  return (['whenDeleted', 'whenScaled'] as const).flatMap((when) => {
    const was = at(before, `spec.persistentVolumeClaimRetentionPolicy.${when}`) ?? 'Retain';
    const is = at(after, `spec.persistentVolumeClaimRetentionPolicy.${when}`) ?? 'Retain';
    if (was === is || is !== 'Delete' || !keepsData(after)) return [];
    return [
      {
        class: 'data-at-risk' as const,
        object: refOf(after),
        change: `spec.persistentVolumeClaimRetentionPolicy.${when} ${was} → ${is}`,
        why: `from now on the pods' volumes are deleted ${when === 'whenDeleted' ? 'with the StatefulSet' : 'when it scales down'}: a mistaken delete or scale-down loses their data`,
        steps: [`keep ${when}: Retain unless the data is disposable`, 'if it is, back the volumes up first (VolumeSnapshot) and apply'],
      },
    ];
  });
}

/** The data-at-risk changes of an object present on both sides. */
export function storeChanges(before: ManifestObject, after: ManifestObject): PlannedChange[] {
  if (after.kind !== 'StatefulSet') return [];
  return [...replicasLowered(before, after), ...retentionPolicyLoosened(before, after)];
}

/** An object the new output no longer has: at risk when it holds or serves data. */
export function removedChange(before: ManifestObject): PlannedChange {
  if (before.kind === 'PersistentVolumeClaim')
    return {
      class: 'data-at-risk',
      object: refOf(before),
      change: 'removed',
      why: 'a prune (kubectl apply --prune, Argo CD, Flux) deletes the claim and, with a Delete reclaim policy, its volume',
      steps: ['keep the claim in the output, or back it up first (VolumeSnapshot) and annotate it so the pruner skips it'],
    };
  if (before.kind === 'Namespace')
    return {
      class: 'data-at-risk',
      object: refOf(before),
      change: 'removed',
      why: 'a prune deletes the namespace and everything in it, its claims and their volumes included',
      steps: [
        `keep the namespace in the output, or move what it holds first: its stores' data (see the recovery runbook) and their claims`,
        'then delete it by hand, knowing what goes with it',
      ],
    };
  if (keepsData(before)) {
    const whenDeleted = at(before, 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted') ?? 'Retain';
    return {
      class: 'data-at-risk',
      object: refOf(before),
      change: 'removed',
      why:
        `a store goes: nothing serves what its volumes hold any more` +
        (whenDeleted === 'Delete' ? ', and its claims are deleted with it (whenDeleted: Delete)' : ' (its claims stay: whenDeleted Retain)'),
      steps: [
        'move its data to where the new output keeps it before the old store is removed (see the README runbook for the embedded store)',
        `then delete it: kubectl delete statefulset ${before.metadata.name}${ns(before)}, and its claims once nothing needs them`,
      ],
    };
  }
  return {
    class: 'safe',
    object: refOf(before),
    change: 'removed',
    why: 'no longer in the output: kubectl apply leaves it running; delete it, or let a prune do it',
  };
}
