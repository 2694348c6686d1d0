/**
 * Disruptive changes: pods that restart, traffic that moves. And the order to roll restarts out
 * in, so that nothing reads or writes through a component older or newer than it can talk to.
 */
import { PlannedChange, RolloutStep } from './change';
import { ManifestObject, applicationOf, at, brief, componentOf, containersOf, podTemplateOf, refOf, sameJson } from './objects';
import { keepsData } from './stores';

/** The numbers of an image tag (`v1.150.0-cluster` → 1, 150, 0), or undefined without one. */
function tagNumbers(image: string | undefined): number[] | undefined {
  const tag = /:([^:/@]+)(@.*)?$/.exec(image ?? '')?.[1];
  const numbers = tag?.match(/\d+/g)?.map(Number);
  return numbers && numbers.length > 0 ? numbers : undefined;
}

/** Whether `next` is the same image as `current` with a lower version tag. */
function isDowngrade(current: string | undefined, next: string | undefined): boolean {
  const repo = (image?: string) => image?.replace(/:[^:/@]+(@.*)?$/, '');
  const [a, b] = [tagNumbers(current), tagNumbers(next)];
  if (!a || !b || repo(current) !== repo(next)) return false;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return b[i] < a[i];
  return false;
}

/** The top-level fields of two containers that differ (`args`, `env`, `resources`...). */
function differingKeys(a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** What in a pod template changed, in words: images first, as they are what an upgrade is about. */
function templateChanges(before: ManifestObject, after: ManifestObject): string[] {
  const [old, now] = [containersOf(podTemplateOf(before)), containersOf(podTemplateOf(after))];
  const said: string[] = [];
  for (const [name, c] of now) {
    const was = old.get(name) as (typeof c & { image?: string }) | undefined;
    const image = (c as { image?: string }).image;
    if (!was) said.push(`container ${name} added`);
    else if (was.image !== image)
      said.push(`container ${name} image ${brief(was.image)} → ${brief(image)}${isDowngrade(was.image, image) ? ' (a downgrade: older than what runs)' : ''}`);
    else if (!sameJson(was, c)) said.push(`container ${name}: ${differingKeys(was, c).join(', ')} changed`);
  }
  for (const name of old.keys()) if (!now.has(name)) said.push(`container ${name} removed`);
  if (said.length === 0) said.push('pod template changed (labels, annotations such as a config checksum, volumes or scheduling)');
  return said;
}

function restartWhy(after: ManifestObject): string {
  if (after.kind === 'StatefulSet') {
    const strategy = at(after, 'spec.updateStrategy.type') ?? 'RollingUpdate';
    if (strategy === 'OnDelete') return 'OnDelete: the pods keep the old template until each is deleted';
    const atOnce = Number(at(after, 'spec.updateStrategy.rollingUpdate.maxUnavailable') ?? 1);
    if (atOnce > 1)
      return `its pods are replaced ${atOnce} at a time (updateStrategy.rollingUpdate.maxUnavailable): ${keepsData(after) ? 'more members of a ring or replica set than a replication factor of 3 tolerates, so writes can fail until they are back; set it to 1' : 'highest ordinals first'}`;
    return `its pods are replaced one at a time, highest ordinal first${keepsData(after) ? ', each on its own volume' : ''}`;
  }
  if (after.kind === 'DaemonSet') return 'its pods are replaced node by node';
  if (after.kind === 'Job' || after.kind === 'CronJob') return 'the next run uses the new template';
  return 'a new ReplicaSet rolls out beside the old one';
}

/** The disruptive changes of an object present on both sides: restarts and moved traffic. */
export function disruptiveChanges(before: ManifestObject, after: ManifestObject): PlannedChange[] {
  const template = podTemplateOf(after);
  if (template !== undefined && !sameJson(podTemplateOf(before), template))
    return templateChanges(before, after).map((change) => ({
      class: 'disruptive' as const,
      object: refOf(after),
      change,
      why: `pods restart: ${restartWhy(after)}`,
      steps: ['roll it out in the order the plan gives, and wait for `kubectl rollout status` before the next step'],
    }));
  if (after.kind === 'Service') {
    const moved = ['selector', 'ports', 'type'].filter((f) => !sameJson(at(before, `spec.${f}`), at(after, `spec.${f}`)));
    return moved.map((f) => ({
      class: 'disruptive' as const,
      object: refOf(after),
      change: `spec.${f} ${brief(at(before, `spec.${f}`))} → ${brief(at(after, `spec.${f}`))}`,
      why: f === 'selector' ? 'traffic moves to other pods at once' : 'clients of the old ports or type lose the Service until they follow',
      steps: ['apply when the clients are updated in the same apply or can retry'],
    }));
  }
  return [];
}

/**
 * The order of restarts, by the role of a workload (`<app>/<component>`, `*` for any component).
 * Object storage and brokers go first, so that every client meets a server at least as new as
 * itself; stores before the paths that write to and read from them (VictoriaMetrics upstream's
 * order: vmstorage, vminsert, vmselect); entry points last.
 */
const TIERS: ReadonlyArray<{ readonly roles: readonly string[]; readonly reason: string }> = [
  {
    roles: ['seaweedfs/server', 'minio/server', 'kafka/broker'],
    reason: 'object storage and brokers first: every other component reads or writes through them',
  },
  {
    roles: [
      'victoria-metrics/vmstorage',
      'loki/write',
      'loki/ingester',
      'loki/all',
      'loki/all-main',
      'loki/backend',
      'loki/index-gateway',
      'loki/compactor',
      'loki/ruler',
      'thanos/receive',
      'thanos/receive-shared',
      'thanos/receive-team-a',
      'thanos/store',
      'thanos/compactor',
      'thanos/ruler',
      'tempo/monolithic',
      'tempo/live-store',
      'tempo/block-builder',
      'tempo/backend-scheduler',
      'tempo/metrics-generator',
      'jaeger/storage',
      'prometheus/server',
      'alertmanager/alert-router',
      'pushgateway/gateway',
    ],
    reason: 'stores next, one pod at a time: a ring member or replica at a time keeps the rest serving',
  },
  {
    roles: [
      'victoria-metrics/vminsert',
      'thanos/receive-router',
      'loki/distributor',
      'tempo/distributor',
      'jaeger/collector',
      'jaeger/ingester',
      'tempo/backend-worker',
    ],
    reason: 'then the write path, which must not send to a store older than itself',
  },
  {
    roles: [
      'victoria-metrics/vmselect',
      'loki/read',
      'loki/querier',
      'loki/query-frontend',
      'loki/query-scheduler',
      'thanos/query',
      'thanos/query-frontend',
      'tempo/querier',
      'tempo/query-frontend',
      'jaeger/query',
    ],
    reason: 'then the read path',
  },
  {
    roles: ['loki/gateway', 'victoria-metrics/vmauth', 'thanos/tenant-gateway', 'tempo/gateway', 'opentelemetry-collector/gateway', 'alloy/gateway'],
    reason: 'then the entry points',
  },
];
const LAST = 'last, the rest: collectors, agents, exporters, caches, Grafana';

/** The standard labels that pick the workload (and its ConfigMaps and Services) out of an output. */
function selectorOf(o: ManifestObject): string {
  const labels = o.metadata.labels ?? {};
  const picked = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component']
    .filter((l) => labels[l])
    .map((l) => `${l}=${labels[l]}`);
  return picked.length > 0 ? picked.join(',') : `(no standard labels: apply ${o.kind} ${o.metadata.name} on its own)`;
}

const roleOf = (o: ManifestObject) => `${applicationOf(o)}/${componentOf(o)}`;
const keyOf = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`;

/**
 * The restarting workloads of `changes`, grouped in rollout order (empty groups left out).
 * `workloads` finds the new output's object by `kind/namespace/name`.
 */
export function rolloutOrder(changes: readonly PlannedChange[], workloads: ReadonlyMap<string, ManifestObject>): RolloutStep[] {
  const restarting = new Map<string, ManifestObject>();
  for (const c of changes) {
    if (c.class !== 'disruptive' || c.object.kind === 'Service') continue;
    const key = keyOf(c.object.kind, c.object.namespace, c.object.name);
    const o = workloads.get(key);
    if (o) restarting.set(key, o);
  }
  const steps: RolloutStep[] = [];
  const placed = new Set<ManifestObject>();
  for (const tier of TIERS) {
    const members = [...restarting.values()].filter((o) => tier.roles.includes(roleOf(o)));
    // Within a tier, the order of the roles in its list: vmstorage before the other stores.
    members.sort((a, b) => tier.roles.indexOf(roleOf(a)) - tier.roles.indexOf(roleOf(b)));
    for (const o of members) placed.add(o);
    if (members.length > 0) steps.push({ workloads: members.map(refOf), selectors: members.map(selectorOf), reason: tier.reason });
  }
  const rest = [...restarting.values()].filter((o) => !placed.has(o));
  if (rest.length > 0) steps.push({ workloads: rest.map(refOf), selectors: rest.map(selectorOf), reason: LAST });
  return steps;
}

/** The key {@link rolloutOrder} finds a workload by. */
export function workloadKey(o: ManifestObject): string {
  return keyOf(o.kind, o.metadata.namespace, o.metadata.name);
}
