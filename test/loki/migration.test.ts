import { parse } from 'yaml';
import { LokiClusterProps, LokiMode } from '../../lib/loki';
import { Manifest, dataOf, ofKind } from '../support/synth';
import { lokiChart } from './support';

type Stage = 'before' | 1 | 2 | 3 | 'after';
const STAGES: readonly Stage[] = ['before', 1, 2, 3, 'after'];
const PROPS: Partial<LokiClusterProps> = { tenants: [{ id: 'team-a' }], chunksCache: {} };

/** The whole output at one point of the move from Simple Scalable to `mode`. */
function at(mode: LokiMode, stage: Stage): Manifest[] {
  const props: Partial<LokiClusterProps> =
    stage === 'before' ? PROPS : stage === 'after' ? { ...PROPS, mode } : { ...PROPS, mode, migration: { from: 'simple-scalable', stage } };
  return lokiChart(props).manifests;
}

const key = (m: Manifest) => `${m.kind}/${m.metadata.name}`;

/** What changed from one output to the next: objects added, removed, and changed (by key). */
function diff(before: Manifest[], after: Manifest[]): { added: string[]; removed: string[]; changed: string[] } {
  const a = new Map(before.map((m) => [key(m), JSON.stringify(m)]));
  const b = new Map(after.map((m) => [key(m), JSON.stringify(m)]));
  return {
    added: [...b.keys()].filter((k) => !a.has(k)).sort(),
    removed: [...a.keys()].filter((k) => !b.has(k)).sort(),
    changed: [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)).sort(),
  };
}

/** The objects of the Simple Scalable workloads and their Services, policies and budgets. */
const SSD = ['write', 'read', 'backend'];
const isSsd = (k: string) => SSD.some((role) => k.endsWith(`/loki-${role}`) || k.endsWith(`/loki-${role}-headless`));

/** The objects a mode adds to a Simple Scalable output: its workloads, their Services, budgets and policies, and its config. */
const NEW_OBJECTS: Record<Exclude<LokiMode, 'simple-scalable'>, string[]> = {
  'ha-monolithic': [
    'ConfigMap/loki-ha-monolithic-config',
    'NetworkPolicy/loki-all',
    'NetworkPolicy/loki-all-main',
    'PodDisruptionBudget/loki-all',
    'Service/loki-all',
    'Service/loki-all-headless',
    'Service/loki-all-main',
    'Service/loki-all-main-headless',
    'Service/loki-compactor',
    'StatefulSet/loki-all',
    'StatefulSet/loki-all-main',
  ],
  distributed: [
    'ConfigMap/loki-distributed-config',
    ...['distributor', 'querier', 'query-frontend', 'query-scheduler'].flatMap((c) => [`Deployment/loki-${c}`]),
    ...['ingester', 'index-gateway', 'compactor', 'ruler'].map((c) => `StatefulSet/loki-${c}`),
    ...['distributor', 'ingester', 'querier', 'query-frontend', 'query-scheduler', 'index-gateway', 'compactor', 'ruler'].flatMap((c) => [
      `NetworkPolicy/loki-${c}`,
      `Service/loki-${c}`,
      `Service/loki-${c}-headless`,
    ]),
    ...['distributor', 'ingester', 'querier', 'query-frontend', 'query-scheduler', 'index-gateway', 'ruler'].map((c) => `PodDisruptionBudget/loki-${c}`),
  ].sort(),
};

describe.each(['ha-monolithic', 'distributed'] as const)('the staged move from simple-scalable to %s', (mode) => {
  const outputs = Object.fromEntries(STAGES.map((stage) => [String(stage), at(mode, stage)])) as Record<string, Manifest[]>;
  const step = (from: Stage, to: Stage) => diff(outputs[String(from)], outputs[String(to)]);

  test("stage 1 (prepare) changes nothing: the library's Simple Scalable already flushes and leaves the rings on shutdown, with its gossip labelled", () => {
    expect(step('before', 1)).toEqual({ added: [], removed: [], changed: [] });
    const config = parse(dataOf(ofKind(outputs['1'], 'ConfigMap').find((m) => m.metadata.name === 'loki-config')!)['config.yaml']);
    expect(config.ingester).toMatchObject({ wal: { flush_on_shutdown: true }, lifecycler: { unregister_on_shutdown: true } });
    expect(config.memberlist.cluster_label).toBe('loki.obs.loki');
  });

  test('stage 2 (side by side) only adds the new components; of what runs, only network policies change, to let old and new reach each other', () => {
    const { added, removed, changed } = step(1, 2);
    expect(added).toEqual(NEW_OBJECTS[mode]);
    expect(removed).toEqual([]);
    // The Simple Scalable pods, their config and the gateway are untouched: nothing rolls.
    expect(changed.filter((k) => !k.startsWith('NetworkPolicy/'))).toEqual([]);
    expect(changed).toEqual(expect.arrayContaining(['NetworkPolicy/loki-write', 'NetworkPolicy/loki-read', 'NetworkPolicy/loki-backend']));
  });

  test('stage 3 (cut-over) sends every request to the new components and stops the Simple Scalable pods, keeping their objects and volumes', () => {
    const { added, removed, changed } = step(2, 3);
    expect(added).toEqual([]);
    // Their budgets go with their pods (a budget over zero pods would block nothing but confuse).
    expect(removed).toEqual(['PodDisruptionBudget/loki-backend', 'PodDisruptionBudget/loki-read', 'PodDisruptionBudget/loki-write']);
    expect(changed.filter((k) => !k.startsWith('NetworkPolicy/'))).toEqual([
      'ConfigMap/loki-gateway',
      'Deployment/loki-gateway',
      'Deployment/loki-read',
      'StatefulSet/loki-backend',
      'StatefulSet/loki-write',
    ]);
    const replicas = (name: string) => outputs['3'].find((m) => m.metadata.name === name && ['StatefulSet', 'Deployment'].includes(m.kind))!.spec.replicas;
    expect(SSD.map((role) => replicas(`loki-${role}`))).toEqual([0, 0, 0]);
    // The write pods stop with time to flush what they hold.
    expect(outputs['3'].find((m) => key(m) === 'StatefulSet/loki-write')!.spec.template.spec.terminationGracePeriodSeconds).toBe(300);
    const nginx = dataOf(ofKind(outputs['3'], 'ConfigMap').find((m) => m.metadata.name === 'loki-gateway')!)['nginx.conf'];
    expect(nginx).not.toMatch(/loki-(write|read|backend)\./);
  });

  test('after the migration only the Simple Scalable objects go, and the rest is what the mode emits on its own', () => {
    const { added, removed, changed } = step(3, 'after');
    expect(added).toEqual([]);
    expect(removed).toEqual(expect.arrayContaining(['ConfigMap/loki-config', 'StatefulSet/loki-write', 'Deployment/loki-read', 'StatefulSet/loki-backend']));
    expect(removed.filter((k) => !isSsd(k) && k !== 'ConfigMap/loki-config')).toEqual([]);
    expect(changed.filter((k) => !k.startsWith('NetworkPolicy/'))).toEqual([]);
  });

  test('every stage keeps the buckets, the schema, the gossip ring, the runtime config and the endpoints', () => {
    const invariant = (manifests: Manifest[]) => {
      const configs = ofKind(manifests, 'ConfigMap')
        .filter((m) => dataOf(m)['config.yaml'])
        .map((m) => parse(dataOf(m)['config.yaml']));
      return {
        perConfig: [
          ...new Set(
            configs.map((c) =>
              JSON.stringify([c.storage_config.object_store, c.ruler_storage, c.schema_config, c.memberlist, c.limits_config, c.runtime_config]),
            ),
          ),
        ],
        runtime: dataOf(ofKind(manifests, 'ConfigMap').find((m) => m.metadata.name === 'loki-runtime-config')!),
        gateway: ofKind(manifests, 'Service').find((m) => m.metadata.name === 'loki-gateway'),
        memberlist: ofKind(manifests, 'Service').find((m) => m.metadata.name === 'loki-memberlist'),
      };
    };
    const first = invariant(outputs.before);
    expect(first.perConfig).toHaveLength(1);
    for (const stage of STAGES) expect({ stage, ...invariant(outputs[String(stage)]) }).toEqual({ stage, ...first });
  });

  test('while migrating, an override that would lose what the old ingesters hold is refused', () => {
    const migrating = { mode, migration: { from: 'simple-scalable', stage: 2 } } as const;
    expect(() => lokiChart({ ...migrating, configOverrides: { ingester: { wal: { flush_on_shutdown: false } } } })).toThrow(
      /configOverrides.ingester.wal.flush_on_shutdown = false: must stay true while migrating/,
    );
    expect(() => lokiChart({ ...migrating, configOverrides: { memberlist: { cluster_label_verification_disabled: true } } })).toThrow(
      /cluster_label_verification_disabled = true: must stay false while migrating/,
    );
    expect(() => lokiChart({ mode: 'simple-scalable', migration: { from: 'simple-scalable', stage: 2 } })).toThrow(
      /mode = "simple-scalable": is the mode the migration starts from/,
    );
    expect(() => lokiChart({ mode, migration: { from: 'simple-scalable', stage: 4 as never } })).toThrow(
      /migration.stage = 4: is not a stage of the migration/,
    );
  });
});
