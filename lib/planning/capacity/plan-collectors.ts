import type { PlatformSpec } from '../../platform/spec';
import { figure } from './figure';
import { ResolvedLoad } from './load';
import { SignalPlan } from './signal-plan';
import { GB, ceilCores, ceilMib, round2 } from './units';
import { resourcesOf, sizeWorkload } from './workload';

/** The OTLP gateway by spans, and the log collector's shards by lines. */
export function planCollectors(load: ResolvedLoad): SignalPlan {
  const spans = load.traces.spansPerSecond;
  const lines = load.logs.linesPerSecond;
  const otelCpu = figure(
    'otel.cpu',
    'gateway CPU',
    'cores',
    (v) => spans / v,
    (v) => `${round2(spans)} spans/s ÷ ${v} spans/s per core`,
    ceilCores,
  );
  const otel = sizeWorkload({
    component: 'otel-gateway',
    rules: 'otel',
    cpu: [otelCpu],
    memory: [
      figure(
        'otel.memory',
        'gateway memory',
        'bytes',
        (v) => otelCpu.value * v * GB,
        (v) => `${otelCpu.value} cores × ${v} GB per core`,
        ceilMib,
      ),
    ],
    policy: { kind: 'spread' },
    zones: load.zones,
  });
  const alloyCpu = figure(
    'alloy.cpu',
    'collector CPU',
    'cores',
    (v) => lines / v,
    (v) => `${round2(lines)} lines/s ÷ ${v} lines/s per core`,
    ceilCores,
  );
  const alloy = sizeWorkload({
    component: 'alloy-logs',
    rules: 'alloy',
    cpu: [alloyCpu],
    memory: [
      figure(
        'alloy.memory',
        'collector memory',
        'bytes',
        (v) => alloyCpu.value * v * GB,
        (v) => `${alloyCpu.value} cores × ${v} GB per core`,
        ceilMib,
      ),
    ],
    // Shards split the pods to read between them; the zones do not matter to that.
    policy: { kind: 'free' },
    zones: load.zones,
  });
  const spec: PlatformSpec = {
    collectors: {
      otlp: { replicas: otel.replicas.value, resources: resourcesOf(otel) },
      logs: { shards: alloy.replicas.value, resources: resourcesOf(alloy) },
    },
  };
  return { workloads: [otel, alloy], figures: [], decisions: [], spec };
}
