import { podSizeRules, replicasRule } from './pod-size-rules';
import { CapacityRule } from './rule';
import { SOURCES } from './sources';
import { GIB, MIB } from './units';

/**
 * Loki's upstream sizing table gives, for its tier of up to 3 TB/day, each component's requests
 * and replicas. Divided by 3 it is a per-TB/day figure that the planner scales by the load; the
 * table sizes a cluster at the top of its tier, so below that the figures shrink with the load
 * until the floors (this library's own default requests) take over.
 */
const perTb = (component: string, replicas: number, perPod: number, unit: string) =>
  `upstream's "less than 3 TB/day" tier runs ${replicas} ${component} pods at ${perPod} ${unit} each; divided by 3 TB/day`;

const upstream = { source: SOURCES.lokiSize, judgment: false } as const;

/** The workloads that hold ingesters: their replicas must reach the replication factor. */
const INGESTING = ['loki.write', 'loki.ingester'];

/** The rules that size Loki. */
export const LOKI_RULES: readonly CapacityRule[] = [
  {
    id: 'loki.mode.simpleScalableCeiling',
    component: 'loki',
    what: 'largest daily volume Simple Scalable mode is run at; above it the plan runs every component apart (distributed)',
    value: 1,
    unit: 'TB/day',
    source: SOURCES.lokiModes,
    note: 'upstream says Simple Scalable reaches about a TB a day and points larger clusters at the microservices mode',
    judgment: false,
  },
  // Write path.
  {
    id: 'loki.ingester.cpu',
    component: 'loki-ingester',
    what: 'ingester CPU',
    value: 4,
    unit: 'cores per TB/day',
    note: perTb('ingester', 6, 2, 'cores'),
    ...upstream,
  },
  {
    id: 'loki.ingester.memory',
    component: 'loki-ingester',
    what: 'ingester memory',
    value: 8,
    unit: 'GiB per TB/day',
    note: perTb('ingester', 6, 4, 'GiB'),
    ...upstream,
  },
  {
    id: 'loki.distributor.cpu',
    component: 'loki-distributor',
    what: 'distributor CPU',
    value: 8 / 3,
    unit: 'cores per TB/day',
    note: perTb('distributor', 4, 2, 'cores'),
    ...upstream,
  },
  {
    id: 'loki.distributor.memory',
    component: 'loki-distributor',
    what: 'distributor memory',
    value: 2 / 3,
    unit: 'GiB per TB/day',
    note: perTb('distributor', 4, 0.5, 'GiB'),
    ...upstream,
  },
  {
    id: 'loki.wal.volume',
    component: 'loki-ingester',
    what: 'write-ahead log on the ingesting pods: hours of replicated raw ingest kept',
    value: 4,
    unit: 'hours',
    source: SOURCES.lokiSize,
    note: "upstream's sizing page gives no disk figure; we keep twice Loki's default 2h chunk age of every copy, so a replay after a crash always fits",
    judgment: true,
  },
  // Read path.
  {
    id: 'loki.querier.cpu',
    component: 'loki-querier',
    what: 'querier CPU for the volume held',
    value: 10 / 3,
    unit: 'cores per TB/day',
    note: perTb('querier', 10, 1, 'core'),
    ...upstream,
  },
  {
    id: 'loki.querier.memory',
    component: 'loki-querier',
    what: 'querier memory for the volume held',
    value: 10 / 3,
    unit: 'GiB per TB/day',
    note: perTb('querier', 10, 1, 'GiB'),
    ...upstream,
  },
  {
    id: 'loki.querier.cpuPerQuery',
    component: 'loki-querier',
    what: 'querier CPU per log query per second, on top of the volume share',
    value: 0.5,
    unit: 'cores per query/s',
    source: SOURCES.lokiSize,
    note: 'upstream publishes no per-query figure and warns that unoptimised queries can need ten times the table; half a core per query/s is our allowance for typical dashboards',
    judgment: true,
  },
  {
    id: 'loki.querier.memoryPerQuery',
    component: 'loki-querier',
    what: 'querier memory per log query per second, on top of the volume share',
    value: 0.5,
    unit: 'GiB per query/s',
    source: SOURCES.lokiSize,
    note: 'as for CPU: our allowance, at the ratio of the table (1 GiB per core)',
    judgment: true,
  },
  {
    id: 'loki.queryFrontend.cpu',
    component: 'loki-query-frontend',
    what: 'query-frontend CPU',
    value: 2 / 3,
    unit: 'cores per TB/day',
    note: perTb('query-frontend', 2, 1, 'core'),
    ...upstream,
  },
  {
    id: 'loki.queryFrontend.memory',
    component: 'loki-query-frontend',
    what: 'query-frontend memory',
    value: 4 / 3,
    unit: 'GiB per TB/day',
    note: perTb('query-frontend', 2, 2, 'GiB'),
    ...upstream,
  },
  // Backend.
  {
    id: 'loki.indexGateway.cpu',
    component: 'loki-index-gateway',
    what: 'index gateway CPU',
    value: 2 / 3,
    unit: 'cores per TB/day',
    note: perTb('index gateway', 4, 0.5, 'cores'),
    ...upstream,
  },
  {
    id: 'loki.indexGateway.memory',
    component: 'loki-index-gateway',
    what: 'index gateway memory',
    value: 8 / 3,
    unit: 'GiB per TB/day',
    note: perTb('index gateway', 4, 2, 'GiB'),
    ...upstream,
  },
  {
    id: 'loki.queryScheduler.cpu',
    component: 'loki-query-scheduler',
    what: 'query-scheduler CPU',
    value: 2 / 3,
    unit: 'cores per TB/day',
    note: perTb('query-scheduler', 2, 1, 'core'),
    ...upstream,
  },
  {
    id: 'loki.queryScheduler.memory',
    component: 'loki-query-scheduler',
    what: 'query-scheduler memory',
    value: 1 / 3,
    unit: 'GiB per TB/day',
    note: perTb('query-scheduler', 2, 0.5, 'GiB'),
    ...upstream,
  },
  {
    id: 'loki.compactor.cpu',
    component: 'loki-compactor',
    what: 'compactor CPU',
    value: 2 / 3,
    unit: 'cores per TB/day',
    note: perTb('compactor', 1, 2, 'cores'),
    ...upstream,
  },
  {
    id: 'loki.compactor.memory',
    component: 'loki-compactor',
    what: 'compactor memory',
    value: 10 / 3,
    unit: 'GiB per TB/day',
    note: perTb('compactor', 1, 10, 'GiB'),
    ...upstream,
  },
  {
    id: 'loki.index.volume',
    component: 'loki-index-gateway',
    what: 'index cache and compactor working space',
    value: 20,
    unit: 'GiB per TB/day',
    source: SOURCES.lokiSize,
    note: "upstream gives no disk figure for the index gateway and compactor; 20 GiB per TB/day holds weeks of TSDB index at Loki's usual index-to-chunk ratio (our figure)",
    judgment: true,
  },
  {
    id: 'loki.gateway.cpu',
    component: 'loki-gateway',
    what: 'nginx gateway CPU per MB/s pushed',
    value: 0.05,
    unit: 'cores per MB/s',
    source: SOURCES.lokiSize,
    note: 'upstream does not size its nginx gateway; one core proxies about 20 MB/s of pushes in our experience',
    judgment: true,
  },
  {
    id: 'loki.gateway.memory',
    component: 'loki-gateway',
    what: 'nginx gateway memory per MB/s pushed',
    value: 16,
    unit: 'MiB per MB/s',
    source: SOURCES.lokiSize,
    note: 'buffers of requests in flight; our allowance',
    judgment: true,
  },
  // Caches.
  {
    id: 'loki.chunksCache.memory',
    component: 'loki-chunks-cache',
    what: 'chunks cache (memcached -m) per GB/day ingested',
    value: 12.5,
    unit: 'MiB per GB/day',
    source: SOURCES.lokiMemcached,
    note: "our sizing: about two hours of compressed chunks (GB/day ÷ 12 × 0.15), what recent queries read again; upstream's chart default of 8 GB does not fit small clusters, so the plan sizes it from the load",
    judgment: true,
  },
  {
    id: 'loki.chunksCache.pod',
    component: 'loki-chunks-cache',
    what: 'largest chunks cache pod',
    value: 16384,
    unit: 'MiB',
    min: 512,
    max: 16384,
    source: SOURCES.lokiMemcached,
    note: 'past 16 GB per pod the plan adds pods instead; our bound',
    judgment: true,
  },
  {
    id: 'loki.chunksCache.replicas',
    component: 'loki-chunks-cache',
    what: 'chunks cache pods',
    value: 1,
    unit: 'pods at least',
    min: 1,
    max: 8,
    source: SOURCES.lokiMemcached,
    note: 'our rule: as many pods as the total needs at the largest pod; a cache needs no second copy (a lost pod costs reads from the bucket, not data)',
    judgment: true,
  },
  {
    id: 'memcached.overhead',
    component: 'memcached',
    what: "a memcached pod's memory request over its -m",
    value: 1.2,
    unit: '× -m',
    source: SOURCES.lokiMemcached,
    note: "memcached uses a little more than -m for connections and slabs: upstream's 8 GB chunks cache asks for about 9.8 Gi; this library requests 1.2 × -m",
    judgment: false,
  },
  {
    id: 'loki.resultsCache.memory',
    component: 'loki-results-cache',
    what: 'results cache (memcached -m) per log query per second',
    value: 256,
    unit: 'MiB per query/s',
    min: 256,
    max: 4096,
    source: SOURCES.lokiMemcached,
    note: "our allowance; upstream's chart default is 1 GB",
    judgment: true,
  },
  {
    id: 'loki.limits.rate',
    component: 'loki',
    what: "ingestion rate limit (ingestion_rate_mb) per tenant, over the tenant's average rate",
    value: 3,
    unit: '× average MB/s',
    min: 4,
    max: 1024,
    source: SOURCES.lokiLimits,
    note: "Loki refuses pushes above ingestion_rate_mb (default 4 MB/s per tenant); three times the day's average covers the daily peak and a backlog being sent after an outage (our factor), never below Loki's default",
    judgment: true,
  },
  {
    id: 'loki.limits.burst',
    component: 'loki',
    what: 'ingestion burst (ingestion_burst_size_mb) per tenant, over its rate limit',
    value: 1.5,
    unit: '× rate limit',
    min: 6,
    max: 1536,
    source: SOURCES.lokiLimits,
    note: "the burst must hold the largest push; half again the rate limit (our factor), never below Loki's default 6 MB",
    judgment: true,
  },
  // Pods.
  ...pods('loki.write', 'loki-write', { replicas: [3, 60], cpu: [0.5, 8], memory: [1 * GIB, 16 * GIB], volume: true }, 'distributor and ingester in one pod'),
  ...pods('loki.read', 'loki-read', { replicas: [3, 100], cpu: [0.25, 4], memory: [512 * MIB, 8 * GIB] }, 'query-frontend and querier in one pod'),
  ...pods(
    'loki.backend',
    'loki-backend',
    { replicas: [3, 30], cpu: [0.25, 4], memory: [512 * MIB, 16 * GIB], volume: true },
    'index gateway, compactor and query-scheduler in one pod',
  ),
  ...pods('loki.gateway', 'loki-gateway', { replicas: [2, 20], cpu: [0.05, 1], memory: [64 * MIB, 512 * MIB] }, 'nginx'),
  ...pods('loki.distributor', 'loki-distributor', { replicas: [3, 100], cpu: [0.25, 2], memory: [512 * MIB, 1 * GIB] }, "upstream's distributor pods"),
  ...pods('loki.ingester', 'loki-ingester', { replicas: [3, 150], cpu: [0.5, 4], memory: [1 * GIB, 8 * GIB], volume: true }, "upstream's ingester pods"),
  ...pods('loki.querier', 'loki-querier', { replicas: [3, 250], cpu: [0.25, 1.5], memory: [512 * MIB, 3 * GIB] }, "upstream's querier pods"),
  ...pods('loki.queryFrontend', 'loki-query-frontend', { replicas: [2, 16], cpu: [0.1, 1], memory: [256 * MIB, 4 * GIB] }, "upstream's query-frontend pods"),
  ...pods(
    'loki.queryScheduler',
    'loki-query-scheduler',
    { replicas: [2, 2], cpu: [0.1, 2], memory: [256 * MIB, 512 * MIB] },
    "upstream's query-scheduler pods",
  ),
  ...pods(
    'loki.indexGateway',
    'loki-index-gateway',
    { replicas: [2, 20], cpu: [0.25, 1], memory: [512 * MIB, 4 * GIB], volume: true },
    "upstream's index gateway pods",
  ),
  ...pods(
    'loki.compactor',
    'loki-compactor',
    { replicas: [1, 1], cpu: [0.25, 6], memory: [512 * MIB, 40 * GIB], volume: true },
    "upstream's compactor, a singleton",
  ),
];

/**
 * The replica and pod-size rules of one workload: the floors are this library's default requests
 * (a plan never asks for less than a component starts with), the ceilings the largest pods of
 * upstream's largest tier, past which the plan adds pods rather than growing them.
 */
function pods(
  id: string,
  component: string,
  b: {
    readonly replicas: readonly [number, number];
    readonly cpu: readonly [number, number];
    readonly memory: readonly [number, number];
    readonly volume?: boolean;
  },
  what: string,
): CapacityRule[] {
  const note = `our bounds: the floor is this library's default request, the ceiling the largest ${what} in upstream's tiers (4 cores / 8 GiB for ingesters at 30 TB/day), past which pods are added`;
  return [
    replicasRule(
      id,
      component,
      b.replicas,
      INGESTING.includes(id)
        ? {
            source: SOURCES.lokiReplication,
            note: 'at least the replication factor of 3: the pods hold a copy of each stream each, and fewer fail every push',
            judgment: false,
          }
        : b.replicas[0] === 3
          ? { source: SOURCES.lokiSize, note: "this library's default of 3 (our floor): a pod's loss leaves two to carry the path", judgment: true }
          : {
              source: SOURCES.lokiSize,
              note: "upstream's base replicas, never fewer than two, so that one pod's loss does not stop the path",
              judgment: false,
            },
    ),
    ...podSizeRules(
      id,
      component,
      { cpu: b.cpu, memory: b.memory, ...(b.volume ? { volume: [10 * GIB, 1024 * GIB] as const } : {}) },
      SOURCES.lokiSize,
      note,
      "floor: this library's 10Gi default; ceiling: our bound, past which pods are added",
    ),
  ];
}
