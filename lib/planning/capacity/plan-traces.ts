import type { PlatformSpec } from '../../platform/spec';
import { PlanDecision, PlannedFigure, figure } from './figure';
import { ResolvedLoad } from './load';
import { capacityRule } from './rules';
import { ComponentFigures, SignalPlan } from './signal-plan';
import { GIB, MB, ceilCores, ceilGib, ceilMib, formatBytes, round2 } from './units';
import { resourcesOf, sizeWorkload, storageSizeOf } from './workload';

/**
 * Tempo for the traces: one monolithic pod up to upstream's ceiling for it, distributed through
 * Kafka above. Distributed Tempo takes one `resources` for all its components, so the plan keeps
 * each component's own requests and sizes the replica counts by upstream's per-MB/s figures.
 */
export function planTraces(load: ResolvedLoad): SignalPlan {
  const mbps = load.traces.bytesPerSecond / MB;
  const ceiling = capacityRule('tempo.monolithic.ceiling').value;
  const distributed = mbps > ceiling;
  const decision: PlanDecision = {
    what: distributed ? 'Tempo runs distributed, writing through an in-cluster Kafka' : 'Tempo runs as one monolithic pod',
    rule: 'tempo.monolithic.ceiling',
    because: `${round2(mbps)} MB/s of spans is ${distributed ? 'above' : 'within'} the ${ceiling} MB/s one pod takes`,
  };
  const retention = `${load.retentionDays.traces * 24}h`;
  const traffic = `${round2(mbps)} MB/s`;
  const wal = figure(
    'tempo.wal.volume',
    'WAL and recent traces',
    'bytes',
    (h) => load.traces.bytesPerSecond * h * 3600,
    (h) => `${traffic} × ${h} h`,
    ceilGib,
  );
  if (!distributed) {
    const tempo = sizeWorkload({
      component: 'tempo-monolithic',
      rules: 'tempo.monolithic',
      cpu: [
        figure(
          'tempo.monolithic.cpu',
          'Tempo CPU',
          'cores',
          (v) => mbps * v,
          (v) => `${traffic} × ${v} cores per MB/s`,
          ceilCores,
        ),
      ],
      memory: [
        figure(
          'tempo.monolithic.memory',
          'Tempo memory',
          'bytes',
          (v) => mbps * v * GIB,
          (v) => `${traffic} × ${v} GiB per MB/s`,
          ceilMib,
        ),
      ],
      volume: { figures: [wal], across: 'split' },
      policy: { kind: 'free' },
      zones: load.zones,
    });
    const spec: PlatformSpec = { tempo: { retention, resources: resourcesOf(tempo), storageSize: storageSizeOf(tempo) } };
    return { workloads: [tempo], figures: [], decisions: [decision], spec };
  }
  const zones = load.zones && load.zones > 1 ? load.zones : 1;
  const pods = (id: string, name: string, perPod = true, spread = false): PlannedFigure =>
    figure(
      id,
      name,
      'pods',
      (v) => {
        const n = Math.ceil((perPod ? mbps / v : v) - 1e-9);
        return spread ? Math.ceil(n / zones) * zones : n;
      },
      (v) => (perPod ? `${traffic} ÷ ${v} MB/s per pod${spread && zones > 1 ? `, a multiple of ${zones} zones` : ''}` : `${v} pods`),
    );
  const distributor = pods('tempo.distributor.replicas', 'distributor pods', true, true);
  const liveStore = pods('tempo.liveStore.replicas', 'live-store pods', true, true);
  const partitions = figure(
    'tempo.kafka.partitions',
    'partitions of the trace topic',
    'count',
    (v) => liveStore.value * v,
    (v) => `${liveStore.value} live-stores × ${v}`,
  );
  const blockBuilder = figure(
    'tempo.blockBuilder.replicas',
    'block-builder pods',
    'pods',
    (v) => partitions.value * v,
    (v) => `${partitions.value} partitions × ${v}`,
  );
  const querier = pods('tempo.querier.replicas', 'querier pods', true, true);
  const queryFrontend = pods('tempo.queryFrontend.replicas', 'query-frontend pods', false);
  const backendWorker = pods('tempo.backendWorker.replicas', 'backend-worker pods');
  const metricsGenerator = pods('tempo.metricsGenerator.replicas', 'metrics-generator pods');
  const volume = figure(
    'tempo.distributed.podVolume',
    'volume per live-store (and scheduler, generator)',
    'bytes',
    () => wal.value / liveStore.value,
    () => `${formatBytes(wal.value)} ÷ ${liveStore.value} live-stores`,
    ceilGib,
  );
  const kafkaVolume = figure(
    'kafka.volume',
    'volume per broker',
    'bytes',
    (f) => load.traces.bytesPerSecond * 24 * 3600 * f,
    (f) => `${traffic} × 24 h (three copies over three brokers) × ${f}`,
    ceilGib,
  );
  const figures: ComponentFigures[] = [
    { component: 'tempo-distributor', figures: [distributor] },
    { component: 'tempo-live-store', figures: [wal, liveStore, volume] },
    { component: 'tempo-block-builder', figures: [blockBuilder] },
    { component: 'tempo-querier', figures: [querier] },
    { component: 'tempo-query-frontend', figures: [queryFrontend] },
    { component: 'tempo-backend-worker', figures: [backendWorker] },
    { component: 'tempo-backend-scheduler', figures: [volume] },
    { component: 'tempo-metrics-generator', figures: [metricsGenerator, volume] },
    { component: 'kafka-broker', figures: [partitions, kafkaVolume] },
  ];
  const spec: PlatformSpec = {
    tempo: {
      mode: 'distributed',
      retention,
      storageSize: `${Math.round(volume.value / GIB)}Gi`,
      distributed: {
        distributor: distributor.value,
        liveStore: liveStore.value,
        blockBuilder: blockBuilder.value,
        querier: querier.value,
        queryFrontend: queryFrontend.value,
        backendWorker: backendWorker.value,
        metricsGenerator: metricsGenerator.value,
      },
    },
    kafka: { storageSize: `${Math.round(kafkaVolume.value / GIB)}Gi` },
  };
  return { workloads: [], figures, decisions: [decision], spec };
}
