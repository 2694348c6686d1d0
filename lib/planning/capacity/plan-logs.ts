import type { LokiLimits } from '../../loki/limits';
import type { PlatformSpec, PlatformTenant } from '../../platform/spec';
import { PlanDecision, PlannedFigure, figure } from './figure';
import { ResolvedLoad } from './load';
import { capacityRule } from './rules';
import { ComponentFigures, SignalPlan } from './signal-plan';
import { GIB, MB, MIB, ceilCores, ceilGib, ceilMib, round2 } from './units';
import { SizedWorkload, WorkloadDemand, resourcesOf, sizeWorkload, storageSizeOf } from './workload';

/** Loki's replication factor, which the plan keeps: every stream on three ingesters. */
const LOKI_COPIES = 3;
/** A push needs two of the three. */
const LOKI_QUORUM = 2;

/** The totals of every Loki component, from the volume and the query rate. */
function lokiTotals(load: ResolvedLoad) {
  const tb = load.logs.gbPerDay / 1000;
  const q = load.queries.logs;
  const byVolume = (id: string, name: string, unit: 'cores' | 'bytes'): PlannedFigure =>
    figure(
      id,
      name,
      unit,
      (v) => tb * v * (unit === 'bytes' ? GIB : 1),
      (v) => `${round2(tb)} TB/day × ${round2(v)} ${capacityRule(id).unit}`,
      unit === 'bytes' ? ceilMib : ceilCores,
    );
  const byQueries = (id: string, name: string, unit: 'cores' | 'bytes'): PlannedFigure =>
    figure(
      id,
      name,
      unit,
      (v) => q * v * (unit === 'bytes' ? GIB : 1),
      (v) => `${round2(q)} queries/s × ${v} ${capacityRule(id).unit}`,
      unit === 'bytes' ? ceilMib : ceilCores,
    );
  return {
    ingester: [byVolume('loki.ingester.cpu', 'ingester CPU', 'cores'), byVolume('loki.ingester.memory', 'ingester memory', 'bytes')],
    distributor: [byVolume('loki.distributor.cpu', 'distributor CPU', 'cores'), byVolume('loki.distributor.memory', 'distributor memory', 'bytes')],
    querier: [
      byVolume('loki.querier.cpu', 'querier CPU for the volume', 'cores'),
      byQueries('loki.querier.cpuPerQuery', 'querier CPU for the queries', 'cores'),
      byVolume('loki.querier.memory', 'querier memory for the volume', 'bytes'),
      byQueries('loki.querier.memoryPerQuery', 'querier memory for the queries', 'bytes'),
    ],
    queryFrontend: [byVolume('loki.queryFrontend.cpu', 'query-frontend CPU', 'cores'), byVolume('loki.queryFrontend.memory', 'query-frontend memory', 'bytes')],
    indexGateway: [byVolume('loki.indexGateway.cpu', 'index gateway CPU', 'cores'), byVolume('loki.indexGateway.memory', 'index gateway memory', 'bytes')],
    queryScheduler: [
      byVolume('loki.queryScheduler.cpu', 'query-scheduler CPU', 'cores'),
      byVolume('loki.queryScheduler.memory', 'query-scheduler memory', 'bytes'),
    ],
    compactor: [byVolume('loki.compactor.cpu', 'compactor CPU', 'cores'), byVolume('loki.compactor.memory', 'compactor memory', 'bytes')],
    wal: figure(
      'loki.wal.volume',
      'write-ahead log of every copy',
      'bytes',
      (h) => load.logs.bytesPerSecond * LOKI_COPIES * h * 3600,
      (h) => `${round2(load.logs.bytesPerSecond / MB)} MB/s × ${LOKI_COPIES} copies × ${h} h`,
      ceilGib,
    ),
    index: figure(
      'loki.index.volume',
      'index and compactor space',
      'bytes',
      (v) => tb * v * GIB,
      (v) => `${round2(tb)} TB/day × ${v} GiB per TB/day`,
      ceilGib,
    ),
  };
}

const cpuOf = (figures: readonly PlannedFigure[]) => figures.filter((f) => f.unit === 'cores');
const memoryOf = (figures: readonly PlannedFigure[]) => figures.filter((f) => f.unit === 'bytes');

/**
 * Loki for the logs: Simple Scalable up to upstream's ceiling for it, every component apart
 * above; caches from the volume and the query rate; each tenant's ingestion limits above its rate,
 * so that the planned cluster never refuses the load it was planned for.
 */
export function planLogs(load: ResolvedLoad): SignalPlan {
  const t = lokiTotals(load);
  const tb = load.logs.gbPerDay / 1000;
  const ceiling = capacityRule('loki.mode.simpleScalableCeiling').value;
  const distributed = tb > ceiling;
  const decision: PlanDecision = {
    what: distributed ? 'Loki runs distributed: every component its own workload' : 'Loki runs in Simple Scalable mode: write, read and backend',
    rule: 'loki.mode.simpleScalableCeiling',
    because: `${round2(tb)} TB/day is ${distributed ? 'above' : 'within'} the ${ceiling} TB/day Simple Scalable reaches`,
  };
  const zones = load.zones;
  const quorum = { kind: 'quorum', copies: LOKI_COPIES, needed: LOKI_QUORUM } as const;
  const spread = { kind: 'spread' } as const;
  const demand = (component: string, rules: string, figures: readonly PlannedFigure[], rest: Partial<WorkloadDemand> = {}): SizedWorkload =>
    sizeWorkload({ component, rules, cpu: cpuOf(figures), memory: memoryOf(figures), policy: spread, zones, ...rest });

  const gatewayMbps = load.logs.bytesPerSecond / MB;
  const gateway = demand('loki-gateway', 'loki.gateway', [
    figure(
      'loki.gateway.cpu',
      'gateway CPU',
      'cores',
      (v) => gatewayMbps * v,
      (v) => `${round2(gatewayMbps)} MB/s × ${v} cores per MB/s`,
      ceilCores,
    ),
    figure(
      'loki.gateway.memory',
      'gateway memory',
      'bytes',
      (v) => gatewayMbps * v * MIB,
      (v) => `${round2(gatewayMbps)} MB/s × ${v} MiB per MB/s`,
      ceilMib,
    ),
  ]);
  const workloads: SizedWorkload[] = distributed
    ? [
        demand('loki-distributor', 'loki.distributor', t.distributor),
        demand('loki-ingester', 'loki.ingester', t.ingester, { policy: quorum, volume: { figures: [t.wal], across: 'split' } }),
        demand('loki-querier', 'loki.querier', t.querier),
        demand('loki-query-frontend', 'loki.queryFrontend', t.queryFrontend),
        demand('loki-query-scheduler', 'loki.queryScheduler', t.queryScheduler),
        demand('loki-index-gateway', 'loki.indexGateway', t.indexGateway, { volume: { figures: [t.index], across: 'each' } }),
        demand('loki-compactor', 'loki.compactor', t.compactor, { policy: { kind: 'free' }, volume: { figures: [t.index], across: 'each' } }),
      ]
    : [
        demand('loki-write', 'loki.write', [...t.ingester, ...t.distributor], { policy: quorum, volume: { figures: [t.wal], across: 'split' } }),
        demand('loki-read', 'loki.read', [...t.querier, ...t.queryFrontend]),
        demand('loki-backend', 'loki.backend', [...t.indexGateway, ...t.queryScheduler, ...t.compactor], { volume: { figures: [t.index], across: 'each' } }),
      ];
  workloads.push(gateway);
  const chunks = cacheFigures(load);
  const limits = limitFigures(load);
  const writePath = distributed ? 'loki-distributor' : 'loki-write';
  const figures: ComponentFigures[] = [
    { component: 'loki-chunks-cache', figures: chunks.figures },
    { component: 'loki-results-cache', figures: chunks.results },
    { component: writePath, figures: limits.flatMap((l) => [l.rate, l.burst]) },
  ];
  const byName = (name: string) => workloads.find((w) => w.component === name)!;
  const sized = (name: string, stateful = false) => {
    const w = byName(name);
    return { replicas: w.replicas.value, resources: resourcesOf(w), ...(stateful ? { storageSize: storageSizeOf(w) } : {}) };
  };
  const tenantLimits = (l: (typeof limits)[number]): LokiLimits => ({ ingestionRateMb: l.rate.value, ingestionBurstSizeMb: l.burst.value });
  const tenants: PlatformTenant[] | undefined = load.logs.tenants.length ? limits.map((l) => ({ id: l.tenant, limits: tenantLimits(l) })) : undefined;
  const spec: PlatformSpec = {
    loki: {
      retention: `${load.retentionDays.logs * 24}h`,
      ...(distributed
        ? {
            mode: 'distributed' as const,
            distributed: {
              distributor: sized('loki-distributor'),
              ingester: sized('loki-ingester', true),
              querier: sized('loki-querier'),
              queryFrontend: sized('loki-query-frontend'),
              queryScheduler: sized('loki-query-scheduler'),
              indexGateway: sized('loki-index-gateway', true),
              compactor: { resources: resourcesOf(byName('loki-compactor')), storageSize: storageSizeOf(byName('loki-compactor')) },
            },
          }
        : { write: sized('loki-write', true), read: sized('loki-read'), backend: sized('loki-backend', true) }),
      gateway: sized('loki-gateway'),
      chunksCache: { memoryMb: chunks.perPod.value, replicas: chunks.replicas.value },
      resultsCache: { memoryMb: chunks.resultsPerPod.value },
      ...(tenants ? {} : { limits: tenantLimits(limits[0]) }),
    },
    ...(tenants ? { tenants } : {}),
  };
  return { workloads, figures, decisions: [decision], spec };
}

/** The memcached caches: chunks by the volume, results by the query rate. */
function cacheFigures(load: ResolvedLoad) {
  const total = figure(
    'loki.chunksCache.memory',
    'chunks cache in total',
    'MiB',
    (v) => load.logs.gbPerDay * v,
    (v) => `${round2(load.logs.gbPerDay)} GB/day × ${v} MiB per GB/day`,
    Math.ceil,
  );
  const largest = capacityRule('loki.chunksCache.pod').value;
  const replicas = figure(
    'loki.chunksCache.replicas',
    'pods',
    'pods',
    () => Math.ceil(total.value / largest),
    () => `${total.value} MiB ÷ ${largest} MiB per pod`,
  );
  const perPod = figure(
    'loki.chunksCache.pod',
    'cache per pod (memcached -m)',
    'MiB',
    () => total.value / replicas.value,
    () => `${total.value} MiB ÷ ${replicas.value} pods`,
    Math.ceil,
  );
  const podMemory = (mb: PlannedFigure) =>
    figure(
      'memcached.overhead',
      'memory request per pod',
      'bytes',
      (f) => Math.ceil(mb.value * f) * MIB,
      (f) => `${mb.value} MiB × ${f}`,
    );
  const resultsPerPod = figure(
    'loki.resultsCache.memory',
    'results cache (memcached -m)',
    'MiB',
    (v) => load.queries.logs * v,
    (v) => `${round2(load.queries.logs)} queries/s × ${v} MiB per query/s`,
    Math.ceil,
  );
  return {
    figures: [total, replicas, perPod, podMemory(perPod)],
    results: [resultsPerPod, podMemory(resultsPerPod)],
    replicas,
    perPod,
    resultsPerPod,
  };
}

/** Each tenant's ingestion rate and burst limits; one entry for the whole volume when no tenants are given. */
function limitFigures(load: ResolvedLoad) {
  const shares = load.logs.tenants.length ? load.logs.tenants : [{ id: 'every tenant', gbPerDay: load.logs.gbPerDay }];
  return shares.map((t) => {
    const mbps = (t.gbPerDay * 1e9) / 86_400 / MB;
    const rate = figure(
      'loki.limits.rate',
      `ingestion_rate_mb (${t.id})`,
      'MB/s',
      (f) => mbps * f,
      (f) => `${round2(mbps)} MB/s average × ${f}`,
      (n) => Math.ceil(n * 10) / 10,
    );
    const burst = figure(
      'loki.limits.burst',
      `ingestion_burst_size_mb (${t.id})`,
      'MB',
      (f) => rate.value * f,
      (f) => `${rate.value} MB/s × ${f}`,
      (n) => Math.ceil(n * 10) / 10,
    );
    return { tenant: t.id, rate, burst };
  });
}
