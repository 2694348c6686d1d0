import { parse } from 'yaml';
import { LokiClusterProps } from '../../lib/loki';
import keyTree from '../fixtures/loki-3.7.6-config-keys.json';
import lokiFlags from '../fixtures/loki-3.7.6-flags.json';
import lokiTargets from '../fixtures/loki-3.7.6-targets.json';
import { KeyTree, unknownKeys } from '../support/config-keys';
import { Manifest, argsOf, dataOf, get, ofKind, podSpecOf, workloads } from '../support/synth';
import { lokiChart } from './support';

const tree = keyTree as KeyTree;
const lokiPods = (manifests: Manifest[]) => workloads(manifests).filter((w) => podSpecOf(w).containers.some((c: any) => c.name === 'loki'));
const targetOf = (w: Manifest) =>
  argsOf(w, 'loki')
    .find((a) => a.startsWith('-target='))!
    .slice('-target='.length);
const configsOf = (manifests: Manifest[]) =>
  ofKind(manifests, 'ConfigMap')
    .filter((m) => dataOf(m)['config.yaml'] !== undefined)
    .map((m) => ({ name: m.metadata.name as string, config: parse(dataOf(m)['config.yaml']) }));
/** Each Loki workload as `<kind>/<name>: -target=<t> ×<replicas>`. */
const shape = (manifests: Manifest[]) =>
  Object.fromEntries(lokiPods(manifests).map((w) => [`${w.kind}/${w.metadata.name}`, `${targetOf(w)} ×${w.spec.replicas}`]));

describe('Loki modes', () => {
  test('simple-scalable: write, read and backend, as before', () => {
    expect(shape(lokiChart().manifests)).toEqual({
      'StatefulSet/loki-write': 'write ×3',
      'Deployment/loki-read': 'read ×3',
      'StatefulSet/loki-backend': 'backend ×3',
    });
  });

  test('ha-monolithic: N pods of -target=all, one of them the main compactor, the others its workers, behind one Service', () => {
    const { manifests } = lokiChart({ mode: 'ha-monolithic', monolithic: { replicas: 4 } });
    expect(shape(manifests)).toEqual({ 'StatefulSet/loki-all-main': 'all ×1', 'StatefulSet/loki-all': 'all ×3' });
    const main = argsOf(get(manifests, 'StatefulSet', 'loki-all-main'), 'loki');
    expect(main).toContain('-compactor.horizontal-scaling-mode=main');
    expect(argsOf(get(manifests, 'StatefulSet', 'loki-all'), 'loki').join(' ')).not.toContain('horizontal-scaling-mode');
    const [{ name, config }] = configsOf(manifests);
    expect(name).toBe('loki-ha-monolithic-config');
    expect(config.compactor.horizontal_scaling_mode).toBe('worker');
    expect(config.common.compactor_grpc_address).toBe('loki-compactor.obs.svc.cluster.local:9095');
    expect(config.common.replication_factor).toBe(3);
    // Each pod reads the index itself: no index gateway apart.
    expect(config.storage_config.tsdb_shipper).toBeUndefined();
    // `<name>-all` takes main and workers; `<name>-compactor` the main alone.
    const selectors = Object.fromEntries(ofKind(manifests, 'Service').map((s) => [s.metadata.name, s.spec.selector]));
    const podLabels = (n: string) => podSpecOf(get(manifests, 'StatefulSet', n)) && get(manifests, 'StatefulSet', n).spec.template.metadata.labels;
    const selects = (service: string, sts: string) => Object.entries(selectors[service]).every(([k, v]) => podLabels(sts)[k] === v);
    expect([
      selects('loki-all', 'loki-all'),
      selects('loki-all', 'loki-all-main'),
      selects('loki-compactor', 'loki-all-main'),
      selects('loki-compactor', 'loki-all'),
    ]).toEqual([true, true, true, false]);
  });

  test('ha-monolithic: no two -target=all pods on one node and one budget over all of them, since any may hold a copy of a stream', () => {
    const { manifests } = lokiChart({ mode: 'ha-monolithic' });
    for (const name of ['loki-all', 'loki-all-main']) {
      const affinity = podSpecOf(get(manifests, 'StatefulSet', name)).affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
      expect({ name, affinity }).toEqual({
        name,
        affinity: { labelSelector: { matchLabels: expect.objectContaining({ 'obs-platform.io/loki-all': 'true' }) }, topologyKey: 'kubernetes.io/hostname' },
      });
    }
    const budgets = ofKind(manifests, 'PodDisruptionBudget').filter((b) => b.metadata.name.startsWith('loki-all'));
    expect(budgets.map((b) => [b.metadata.name, b.spec.maxUnavailable, b.spec.selector.matchLabels['obs-platform.io/loki-all']])).toEqual([
      ['loki-all', 1, 'true'],
    ]);
  });

  test('distributed: every component apart, wired through its Services', () => {
    const { manifests } = lokiChart({ mode: 'distributed', distributed: { ingester: { replicas: 5 }, querier: { replicas: 4 } } });
    expect(shape(manifests)).toEqual({
      'Deployment/loki-distributor': 'distributor ×3',
      'StatefulSet/loki-ingester': 'ingester ×5',
      'Deployment/loki-querier': 'querier ×4',
      'Deployment/loki-query-frontend': 'query-frontend ×2',
      'Deployment/loki-query-scheduler': 'query-scheduler ×2',
      'StatefulSet/loki-index-gateway': 'index-gateway ×2',
      'StatefulSet/loki-compactor': 'compactor ×1',
      'StatefulSet/loki-ruler': 'ruler ×2',
    });
    const [{ name, config }] = configsOf(manifests);
    expect(name).toBe('loki-distributed-config');
    expect(config.frontend.scheduler_address).toBe('loki-query-scheduler-headless.obs.svc.cluster.local:9095');
    expect(config.frontend_worker.scheduler_address).toBe('loki-query-scheduler-headless.obs.svc.cluster.local:9095');
    expect(config.storage_config.tsdb_shipper.index_gateway_client.server_address).toBe('dns+loki-index-gateway-headless.obs.svc.cluster.local:9095');
    expect(config.common.compactor_grpc_address).toBe('loki-compactor.obs.svc.cluster.local:9095');
    // Only the ingesters never share a node.
    const pinned = lokiPods(manifests)
      .filter((w) => podSpecOf(w).affinity?.podAntiAffinity)
      .map((w) => w.metadata.name);
    expect(pinned).toEqual(['loki-ingester']);
  });

  test.each([
    ['simple-scalable', {}],
    ['ha-monolithic', { mode: 'ha-monolithic' }],
    ['distributed', { mode: 'distributed' }],
    ['a migration stage', { mode: 'distributed', migration: { from: 'simple-scalable', stage: 2 } }],
  ] as Array<[string, Partial<LokiClusterProps>]>)('%s: every config key, flag and -target is one Loki 3.7.6 has', (_name, props) => {
    const { manifests } = lokiChart({ ...props, chunksCache: {} });
    for (const { name, config } of configsOf(manifests)) expect({ name, unknown: unknownKeys(config, tree) }).toEqual({ name, unknown: [] });
    const flags = lokiPods(manifests).flatMap((w) => argsOf(w, 'loki').map((a) => a.replace(/^-+/, '').split('=')[0]));
    expect(flags.filter((f) => !lokiFlags.flags.includes(f))).toEqual([]);
    const targets = lokiPods(manifests).map(targetOf);
    expect(targets.filter((t) => !lokiTargets.targets.includes(t))).toEqual([]);
  });

  test('the same endpoints, tenants, buckets, schema, retention and caches in every mode: switching mode changes no client', () => {
    const props = { tenants: [{ id: 'a', retention: '48h' }], chunksCache: {}, retention: '240h' };
    const of = (mode?: LokiClusterProps['mode']) => {
      const { loki, manifests } = lokiChart({ ...props, mode });
      const [{ config }] = configsOf(manifests);
      const runtime = dataOf(get(manifests, 'ConfigMap', 'loki-runtime-config'))['runtime-config.yaml'];
      return {
        urls: [loki.pushUrl, loki.queryUrl, loki.clientEndpoint('a').otlpUrl],
        storage: [config.storage_config.object_store, config.ruler_storage, config.schema_config],
        limits: [config.limits_config, runtime],
        caches: config.chunk_store_config,
        gossip: config.memberlist,
      };
    };
    const ssd = of();
    expect(of('ha-monolithic')).toEqual(ssd);
    expect(of('distributed')).toEqual(ssd);
  });

  test('bad modes and mode options stop the synth, naming the property and the fix', () => {
    expect(() => lokiChart({ mode: 'monolithic' as never })).toThrow(
      /mode = "monolithic": is not a Loki deployment mode.*Fix: use one of "simple-scalable", "ha-monolithic", "distributed"/s,
    );
    expect(() => lokiChart({ mode: 'distributed', write: { replicas: 5 } })).toThrow(
      /sets components of simple-scalable mode, which this cluster does not run \(mode is distributed\).*Fix: remove them, or set mode: "simple-scalable"/s,
    );
    expect(() => lokiChart({ monolithic: { replicas: 3 } })).toThrow(/monolithic = "ha-monolithic": sets components of ha-monolithic mode/);
    expect(() => lokiChart({ mode: 'ha-monolithic', monolithic: { replicas: 2 } })).toThrow(/replicationFactor = 3: is larger than monolithic.replicas \(2\)/);
    expect(() => lokiChart({ mode: 'ha-monolithic', monolithic: { replicas: 1 }, replicationFactor: 1 })).toThrow(
      /monolithic.replicas = 1: is fewer than a main compactor and one worker/,
    );
    expect(() => lokiChart({ mode: 'distributed', distributed: { ingester: { replicas: 2 } } })).toThrow(
      /replicationFactor = 3: is larger than distributed.ingester.replicas \(2\).*Fix: lower replicationFactor to 2 or raise distributed.ingester.replicas to 3/s,
    );
    expect(() => lokiChart({ mode: 'distributed', distributed: { querier: { replicas: 0 } } })).toThrow(/distributed.querier.replicas = 0/);
  });
});

describe('Loki autoscaling', () => {
  const hpas = (manifests: Manifest[]) =>
    Object.fromEntries(ofKind(manifests, 'HorizontalPodAutoscaler').map((h) => [h.spec.scaleTargetRef.name, [h.spec.minReplicas, h.spec.maxReplicas]]));
  const scaling = { minReplicas: 2, maxReplicas: 10 };

  test('the stateless paths take an autoscaler, which then owns their replica count', () => {
    const ssd = lokiChart({ read: { autoscaling: scaling }, gateway: { autoscaling: { minReplicas: 2, maxReplicas: 4 } } }).manifests;
    expect(hpas(ssd)).toEqual({ 'loki-read': [2, 10], 'loki-gateway': [2, 4] });
    expect(get(ssd, 'Deployment', 'loki-read').spec.replicas).toBeUndefined();
    const distributed = lokiChart({
      mode: 'distributed',
      distributed: {
        distributor: { autoscaling: scaling },
        querier: { autoscaling: scaling },
        queryFrontend: { autoscaling: { minReplicas: 2, maxReplicas: 3 } },
      },
    }).manifests;
    expect(hpas(distributed)).toEqual({ 'loki-distributor': [2, 10], 'loki-querier': [2, 10], 'loki-query-frontend': [2, 3] });
    expect(ofKind(distributed, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.kind)).toEqual(['Deployment', 'Deployment', 'Deployment']);
  });

  test('nothing in a ring that owns data is autoscaled: the synth refuses it, naming the component', () => {
    const cases: Array<[Partial<LokiClusterProps>, RegExp]> = [
      [{ write: { autoscaling: scaling } as never }, /write.autoscaling = .*: is not offered: write keeps data in a ring/],
      [
        { mode: 'distributed', distributed: { ingester: { autoscaling: scaling } as never } },
        /distributed.ingester.autoscaling = .*: is not offered: ingester keeps data in a ring/,
      ],
      [
        { mode: 'distributed', distributed: { queryScheduler: { autoscaling: scaling } as never } },
        /distributed.queryScheduler.autoscaling = .*: is not offered: query-scheduler holds the queues/,
      ],
      [{ mode: 'ha-monolithic', monolithic: { autoscaling: scaling } as never }, /monolithic.autoscaling = .*: is not offered: all keeps data in a ring/],
      [{ read: { autoscaling: { minReplicas: 0, maxReplicas: 3 } } }, /read.autoscaling.minReplicas = 0: is not a whole number of at least 1/],
    ];
    for (const [props, message] of cases) expect(() => lokiChart(props)).toThrow(message);
  });
});
