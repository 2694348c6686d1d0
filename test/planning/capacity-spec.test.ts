import { parse } from 'yaml';
import { App } from 'cdk8s';
import { ObservabilityPlatform, PlatformLoad, ValidationError, planPlatform, resolveLoad } from '../../lib';
import { allWarnings } from '../../lib/core/warnings';
import { PLAN_EXAMPLES } from '../../apps/plan-examples';
import { dataOf, get, synthWith, workloads } from '../support/synth';
import { failure } from '../support/failure';

/** The synthesized objects of a plan's spec. */
const synthOf = (load: PlatformLoad) => {
  const plan = planPlatform(load);
  return { plan, manifests: synthWith((a) => void new ObservabilityPlatform(a, 'platform', plan.spec)).manifests };
};
const replicasOf = (manifests: any[], name: string) => workloads(manifests).find((w) => w.metadata.name === name)!.spec.replicas;
const MB = 1e6;

describe('a planned platform takes the load it was planned for', () => {
  test("Loki's ingestion limit of every tenant lies above the tenant's average rate, in the config Loki reads", () => {
    const { plan, manifests } = synthOf({ logs: { gbPerDay: 800 } });
    const config = parse(dataOf(get(manifests, 'ConfigMap', 'loki-config'))['config.yaml']);
    const average = 800e9 / 86_400 / MB;
    expect(config.limits_config.ingestion_rate_mb).toBeGreaterThan(average);
    expect(config.limits_config.ingestion_burst_size_mb).toBeGreaterThan(config.limits_config.ingestion_rate_mb);
    expect(config.limits_config.ingestion_rate_mb).toBe(plan.spec.loki?.limits?.ingestionRateMb);
  });

  test('per tenant: each gets limits above its own rate, in the runtime config, and a base tenant keeps its retention', () => {
    const load: PlatformLoad = {
      logs: {
        tenants: [
          { id: 'apps', gbPerDay: 900 },
          { id: 'platform', gbPerDay: 30 },
        ],
      },
    };
    const plan = planPlatform(load, {
      base: {
        tenants: [
          { id: 'platform', retention: '168h' },
          { id: 'audit', retention: '8760h' },
        ],
      },
    });
    expect(plan.spec.tenants?.map((t) => t.id)).toEqual(['apps', 'platform', 'audit']);
    expect(plan.spec.tenants?.find((t) => t.id === 'platform')?.retention).toBe('168h');
    const manifests = synthWith((a) => void new ObservabilityPlatform(a, 'platform', plan.spec)).manifests;
    const overrides = parse(dataOf(get(manifests, 'ConfigMap', 'loki-runtime-config'))['runtime-config.yaml']).overrides;
    for (const t of load.logs!.tenants!) expect(overrides[t.id].ingestion_rate_mb).toBeGreaterThan((t.gbPerDay * 1e9) / 86_400 / MB);
  });

  test('the replicated stores keep their HA minimum: Loki write and Thanos receive 3, vmstorage 3 (replication factor + 1)', () => {
    const thanos = synthOf({ logs: { gbPerDay: 0 }, metrics: { activeSeries: 0 } }).manifests;
    expect(replicasOf(thanos, 'loki-write')).toBe(3);
    expect(replicasOf(thanos, 'thanos-receive')).toBe(3);
    const vm = synthOf({ metrics: { activeSeries: 0 }, metricsBackend: 'victoriametrics' }).manifests;
    expect(replicasOf(vm, 'vm-vmstorage')).toBe(3);
  });

  test('over three zones: stateless pods come in threes, and the stores that place copies by hash keep one pod per zone, saying when that falls short', () => {
    const load: PlatformLoad = { ...PLAN_EXAMPLES.medium, metrics: { activeSeries: 8_000_000 } };
    const { plan, manifests } = synthOf(load);
    for (const name of ['loki-read', 'loki-gateway', 'thanos-query', 'otel-gateway'])
      expect({ name, zonesFit: replicasOf(manifests, name) % 3 }).toEqual({ name, zonesFit: 0 });
    expect(replicasOf(manifests, 'thanos-receive')).toBe(3);
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^thanos-receive needs [\d.]+ cores, more than 3 pods of at most 16 cores give, at most 3 over 3 zones/),
    ]);
    // Without zones, the same load spreads receive over more pods, and fits.
    const unzoned = planPlatform({ ...load, zones: undefined });
    expect(unzoned.components.find((c) => c.name === 'thanos-receive')!.pods).toBeGreaterThan(3);
    expect(unzoned.warnings).toEqual([]);
  });

  test('over two zones no store can keep a quorum: the plan says so, and the synth warns "zone-loss"', () => {
    const plan = planPlatform({ ...PLAN_EXAMPLES.small, zones: 2 });
    expect(plan.warnings.filter((w) => w.includes('zone'))).toEqual([
      expect.stringContaining('loki-write keeps 3 copies of each series and needs 2 of them: over 2 zones'),
      expect.stringContaining('thanos-receive keeps 3 copies'),
    ]);
    const platform = new ObservabilityPlatform(new App({ outdir: '/nonexistent' }), 'p', plan.spec);
    expect(allWarnings(platform).filter((w) => w.id === 'zone-loss').length).toBeGreaterThanOrEqual(2);
  });

  test('distributed Tempo: the Kafka topic gets one partition per live-store, and one block-builder each', () => {
    const { plan, manifests } = synthOf({ traces: { spansPerSecond: 100_000, averageSpanBytes: 600 } });
    expect(plan.spec.tempo).toMatchObject({ mode: 'distributed' });
    const liveStores = replicasOf(manifests, 'tempo-live-store');
    expect(replicasOf(manifests, 'tempo-block-builder')).toBe(liveStores);
    const partitions = plan.components.find((c) => c.name === 'kafka-broker')!.figures.find((f) => f.rule === 'tempo.kafka.partitions')!.value;
    expect(partitions).toBe(liveStores);
    const topicJob = manifests.find((m) => m.kind === 'Job' && m.metadata.name.startsWith('kafka-topics'));
    expect(JSON.stringify(topicJob)).toContain(`ensure tempo-ingest ${liveStores} 3`);
  });

  test('above 1 TB/day Loki runs distributed, and every component of it is sized', () => {
    const plan = planPlatform({ logs: { gbPerDay: 3000 } });
    expect(plan.spec.loki?.mode).toBe('distributed');
    expect(plan.decisions[0]).toMatchObject({ rule: 'loki.mode.simpleScalableCeiling' });
    const sized = plan.components.filter((c) => c.name.startsWith('loki-') && c.sized).map((c) => c.name);
    expect(sized).toEqual(expect.arrayContaining(['loki-distributor', 'loki-ingester', 'loki-querier', 'loki-index-gateway', 'loki-compactor']));
  });

  test('without a bucket the embedded store holds the objects, its volume sized for them and priced as a volume', () => {
    const plan = planPlatform(PLAN_EXAMPLES.medium);
    const store = plan.components.find((c) => c.name === 'seaweedfs-server')!;
    expect(store.storageBytes).toBeGreaterThanOrEqual(plan.objectStorage.totalBytes);
    expect(plan.components.find((c) => c.name === 'object storage')!.cost.total).toBe(0);
    expect(plan.assumptions.join('\n')).toContain('not for production data');
  });
});

describe('a load that is no load is refused, naming each problem', () => {
  test.each([
    [{ logs: { gbPerDay: -1 } }, 'logs.gbPerDay = -1: is not a rate of zero or more'],
    [{ metrics: { activeSeries: Number.NaN } }, 'metrics.activeSeries = null: is not a rate of zero or more'],
    [{ retentionDays: { metrics: 1 } }, 'retentionDays.metrics = 1: is not a whole number of days of at least 2'],
    [{ retentionDays: { logs: 1.5 } }, 'retentionDays.logs = 1.5: is not a whole number of days of at least 1'],
    [{ zones: 0 }, 'zones = 0: is not a number of zones'],
    [{ metricsBackend: 'prometheus' as never }, 'metricsBackend = "prometheus": is not a metrics backend the platform runs'],
    [
      {
        logs: {
          gbPerDay: 10,
          tenants: [
            { id: 'a', gbPerDay: 8 },
            { id: 'b', gbPerDay: 8 },
          ],
        },
      },
      'logs.tenants = "a=8, b=8": add up to 16 GB/day, more than logs.gbPerDay (10)',
    ],
    [
      {
        logs: {
          tenants: [
            { id: 'a', gbPerDay: 1 },
            { id: 'a', gbPerDay: 1 },
          ],
        },
      },
      'logs.tenants[1].id = "a": is not a Loki tenant id, or is listed twice',
    ],
    [{ traces: { spansPerSecond: 10, averageSpanBytes: 0 } }, 'traces.averageSpanBytes = 0: is not a size in bytes'],
  ] as Array<[PlatformLoad, string]>)('%j', (load, message) => {
    const error = failure(() => resolveLoad(load));
    expect(error).toContain(`[PlatformLoad] ${message}`);
    expect(() => planPlatform(load)).toThrow(ValidationError);
  });

  test('every problem at once', () => {
    expect(failure(() => resolveLoad({ logs: { gbPerDay: -1 }, zones: 1.5 })).split('\n')).toHaveLength(2);
  });
});
