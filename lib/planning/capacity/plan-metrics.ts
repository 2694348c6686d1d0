import type { PlatformSpec } from '../../platform/spec';
import { PlannedFigure, figure } from './figure';
import { ResolvedLoad } from './load';
import { capacityRule } from './rules';
import { SignalPlan } from './signal-plan';
import { GB, GIB, KB, MIB, ceilCores, ceilGib, ceilMib, round2 } from './units';
import { SizedWorkload, resourcesOf, sizeWorkload, storageSizeOf } from './workload';

/** Thanos receive's replication factor, which the plan keeps: a write needs two of three copies. */
const RECEIVE_COPIES = 3;
/** VictoriaMetrics' replication factor, which the plan keeps: a series survives one node's loss. */
export const VM_COPIES = 2;

/** A CPU total: the input times what the rule's value makes of one unit of it. */
const cores = (id: string, name: string, input: number, label: string, per: (v: number) => number): PlannedFigure =>
  figure(
    id,
    name,
    'cores',
    (v) => input * per(v),
    (v) => `${label} at ${v} ${capacityRule(id).unit}`,
    ceilCores,
  );
/** A memory or disk total, likewise. */
const bytes = (id: string, name: string, input: number, label: string, per: (v: number) => number, round = ceilMib): PlannedFigure =>
  figure(
    id,
    name,
    'bytes',
    (v) => input * per(v),
    (v) => `${label} at ${v} ${capacityRule(id).unit}`,
    round,
  );

/** The metrics backend the load asks for. */
export function planMetrics(load: ResolvedLoad): SignalPlan {
  return load.metricsBackend === 'victoriametrics' ? planVictoriaMetrics(load) : planThanos(load);
}

/** Thanos: receive by series in memory, query, query-frontend and store by queries, the compactor by series. */
function planThanos(load: ResolvedLoad): SignalPlan {
  const { activeSeries, samplesPerSecond } = load.metrics;
  const q = load.queries.metrics;
  const zones = load.zones;
  const copies = activeSeries * RECEIVE_COPIES;
  const headroom = capacityRule('planning.mimirHeadroom').value;
  const seriesLabel = `${round2(copies / 1e6)}M series copies (${round2(activeSeries / 1e6)}M × ${RECEIVE_COPIES})`;
  const samplesLabel = `${round2(samplesPerSecond * RECEIVE_COPIES)} samples/s replicated`;
  const receive = sizeWorkload({
    component: 'thanos-receive',
    rules: 'thanos.receive',
    cpu: [
      cores('thanos.receive.cpu', 'TSDB CPU', copies, seriesLabel, (v) => 1 / v),
      cores('thanos.receive.routingCpu', 'routing CPU', samplesPerSecond * RECEIVE_COPIES, samplesLabel, (v) => 1 / v),
    ],
    memory: [
      bytes('thanos.receive.memory', 'TSDB head memory, with 50% headroom', copies, seriesLabel, (v) => ((v * GB) / 300_000) * headroom),
      bytes('thanos.receive.routingMemory', 'routing memory', samplesPerSecond * RECEIVE_COPIES, samplesLabel, (v) => (v * GB) / 25_000),
    ],
    volume: {
      figures: [bytes('thanos.receive.disk', 'TSDB and WAL, with 50% headroom', copies, seriesLabel, (v) => ((v * GB) / 300_000) * headroom, ceilGib)],
      across: 'split',
    },
    policy: { kind: 'quorum', copies: RECEIVE_COPIES, needed: 2 },
    zones,
  });
  const qLabel = `${round2(q)} queries/s`;
  const query = sizeWorkload({
    component: 'thanos-query',
    rules: 'thanos.query',
    cpu: [cores('thanos.query.cpu', 'querier CPU', q, qLabel, (v) => 1 / v)],
    memory: [bytes('thanos.query.memory', 'querier memory', q, qLabel, (v) => (v * GB) / 10)],
    policy: { kind: 'spread' },
    zones,
  });
  const frontendCache = figure(
    'thanos.queryFrontend.cache',
    'in-memory results cache of every pod',
    'bytes',
    (v) => q * v * MIB,
    (v) => `${qLabel} × ${v} MiB per query/s`,
    ceilMib,
  );
  const queryFrontend = sizeWorkload({
    component: 'thanos-query-frontend',
    rules: 'thanos.queryFrontend',
    cpu: [cores('thanos.queryFrontend.cpu', 'query-frontend CPU', q, qLabel, (v) => 1 / v)],
    memory: [bytes('thanos.queryFrontend.memory', 'query-frontend memory', q, qLabel, (v) => (v * GB) / 250)],
    memoryPerPod: frontendCache,
    policy: { kind: 'spread' },
    zones,
  });
  const indexCache = figure(
    'thanos.store.indexCache',
    'in-memory index cache of every pod',
    'bytes',
    (v) => (activeSeries / 1e6) * v * MIB,
    (v) => `${round2(activeSeries / 1e6)}M series × ${v} MiB per million`,
    ceilMib,
  );
  const days = load.retentionDays.metrics;
  const store = sizeWorkload({
    component: 'thanos-store',
    rules: 'thanos.store',
    cpu: [cores('thanos.store.cpu', 'store gateway CPU', q, qLabel, (v) => 1 / v)],
    memory: [bytes('thanos.store.memory', 'store gateway memory', q, qLabel, (v) => (v * GB) / 10)],
    memoryPerPod: indexCache,
    volume: {
      figures: [
        bytes(
          'thanos.store.disk',
          'index headers of every block',
          activeSeries,
          `${round2(activeSeries / 1e6)}M series over ${days} days`,
          (v) => ((v * KB) / 3) * (days / 365),
          ceilGib,
        ),
      ],
      across: 'each',
    },
    policy: { kind: 'spread' },
    zones,
  });
  const concurrency = figure(
    'thanos.compactor.concurrency',
    'compactions at once',
    'count',
    (v) => activeSeries / v,
    (v) => `${round2(activeSeries / 1e6)}M series ÷ ${v / 1e6}M per compaction`,
    Math.ceil,
  );
  const n = concurrency.value;
  // Mimir's compactor figures are for 20M series each: a share of them for fewer series.
  const share = activeSeries / capacityRule('thanos.compactor.concurrency').value;
  const shareLabel = `${round2(share)} × 20M series`;
  const compactor = sizeWorkload({
    component: 'thanos-compactor',
    rules: 'thanos.compactor',
    cpu: [cores('thanos.compactor.cpu', 'compactor CPU', share, shareLabel, (v) => v)],
    memory: [bytes('thanos.compactor.memory', 'compactor memory', share, shareLabel, (v) => v * GB)],
    volume: { figures: [bytes('thanos.compactor.disk', 'compactor working disk', share, shareLabel, (v) => v * GB, ceilGib)], across: 'each' },
    policy: { kind: 'free' },
    zones,
  });
  const pods = (w: SizedWorkload) => ({ replicas: w.replicas.value, resources: resourcesOf(w) });
  const keep = `${days}d`;
  const downsampled = `${Math.max(days, 10)}d`;
  const spec: PlatformSpec = {
    metricsBackend: 'thanos',
    thanos: {
      receive: { ...pods(receive), storageSize: storageSizeOf(receive) },
      query: pods(query),
      queryFrontend: { ...pods(queryFrontend), inMemoryCacheSize: `${frontendCache.value / MIB}MB` },
      store: { ...pods(store), storageSize: storageSizeOf(store), inMemoryIndexCacheSize: `${indexCache.value / MIB}MB` },
      // Every resolution kept as long as the raw data (Thanos' advice); the downsampled ones at
      // least the 10 days after which 5m blocks are downsampled further.
      compactor: {
        concurrency: n,
        resources: resourcesOf(compactor),
        storageSize: storageSizeOf(compactor),
        retention: { raw: keep, fiveMinutes: downsampled, oneHour: downsampled },
      },
    },
  };
  return {
    workloads: [receive, query, queryFrontend, store, compactor],
    figures: [{ component: 'thanos-compactor', figures: [concurrency] }],
    decisions: [],
    spec,
  };
}

/** VictoriaMetrics: vmstorage by series and samples kept, vminsert by samples, vmselect by queries. */
function planVictoriaMetrics(load: ResolvedLoad): SignalPlan {
  const { activeSeries, samplesPerSecond } = load.metrics;
  const q = load.queries.metrics;
  const zones = load.zones;
  const copies = activeSeries * VM_COPIES;
  const stored = samplesPerSecond * VM_COPIES;
  const days = load.retentionDays.metrics;
  // Partitions are dropped a day or a month at a time: the disk holds one more cycle.
  const cycle = days > 30 ? 30 : 1;
  const dataLabel = `${round2(stored)} samples/s stored over ${days} + ${cycle} days`;
  const vmstorage = sizeWorkload({
    component: 'vm-vmstorage',
    rules: 'vm.vmstorage',
    cpu: [cores('vm.vmstorage.cpu', 'vmstorage CPU', stored, `${round2(stored)} samples/s stored`, (v) => 1 / v)],
    memory: [bytes('vm.vmstorage.memory', 'vmstorage memory', copies, `${round2(copies / 1e6)}M series copies`, (v) => v * 1024)],
    volume: {
      figures: [bytes('vm.vmstorage.disk', 'samples, index and free space', stored * (days + cycle) * 86_400, dataLabel, (v) => v, ceilGib)],
      across: 'split',
    },
    policy: { kind: 'quorum', copies: VM_COPIES, needed: 1 },
    zones,
  });
  const insertCpu = cores('vm.vminsert.cpu', 'vminsert CPU', samplesPerSecond, `${round2(samplesPerSecond)} samples/s`, (v) => 1 / v);
  const vminsert = sizeWorkload({
    component: 'vm-vminsert',
    rules: 'vm.vminsert',
    cpu: [insertCpu],
    memory: [bytes('vm.vminsert.memory', 'vminsert memory', insertCpu.value, `${insertCpu.value} cores`, (v) => v * GIB)],
    policy: { kind: 'spread' },
    zones,
  });
  const selectCpu = cores('vm.vmselect.cpu', 'vmselect CPU', q, `${round2(q)} queries/s`, (v) => 1 / v);
  const vmselect = sizeWorkload({
    component: 'vm-vmselect',
    rules: 'vm.vmselect',
    cpu: [selectCpu],
    memory: [bytes('vm.vmselect.memory', 'vmselect memory', selectCpu.value, `${selectCpu.value} cores`, (v) => v * GIB)],
    policy: { kind: 'spread' },
    zones,
  });
  const pods = (w: SizedWorkload) => ({ replicas: w.replicas.value, resources: resourcesOf(w) });
  const spec: PlatformSpec = {
    metricsBackend: 'victoriametrics',
    victoriaMetrics: {
      retention: `${days}d`,
      replicationFactor: VM_COPIES,
      vmstorage: { ...pods(vmstorage), storageSize: storageSizeOf(vmstorage) },
      vminsert: pods(vminsert),
      vmselect: pods(vmselect),
    },
  };
  return { workloads: [vmstorage, vminsert, vmselect], figures: [], decisions: [], spec };
}
