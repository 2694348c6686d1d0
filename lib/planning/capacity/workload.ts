import { ResourceRequirements } from '../../core/resources';
import { PlannedFigure, figure } from './figure';
import { capacityRule } from './rules';
import { GIB, ceilCores, ceilGib, ceilMib, cpuQuantity, formatBytes, memoryQuantity, round2, volumeQuantity } from './units';

/**
 * How a workload's pods meet the zones:
 * - `spread`: stateless, any number, rounded up to a multiple of the zones so each zone gets as many;
 * - `quorum`: a store that places copies without regard to zones, so a zone may hold at most
 *   (copies − needed) pods for the store to survive its loss (the platform's zone check);
 * - `free`: the zones do not constrain it (a singleton, or shards that hold nothing).
 */
export type ZonePolicy =
  { readonly kind: 'spread' } | { readonly kind: 'quorum'; readonly copies: number; readonly needed: number } | { readonly kind: 'free' };

/** What one workload must carry, as totals over its pods, and how its pods are bounded. */
export interface WorkloadDemand {
  /** The workload's name in the output, e.g. `loki-write`: the plan's component name. */
  readonly component: string;
  /** Prefix of its pod rules: `<prefix>.replicas`, `<prefix>.podCpu`, `<prefix>.podMemory`. */
  readonly rules: string;
  /** Figures whose sum is the CPU the pods need together, in cores. */
  readonly cpu: readonly PlannedFigure[];
  /** Figures whose sum is the memory the pods need together, in bytes. */
  readonly memory: readonly PlannedFigure[];
  /** Memory every pod needs on top of its share (an in-memory cache), in bytes. @default none */
  readonly memoryPerPod?: PlannedFigure;
  /**
   * The volume: figures whose sum is the total, bounded per pod by `<rules>.podVolume`. `split`
   * shares the total over the pods; `each` gives every pod all of it (a store gateway keeps every
   * block's index header). @default no volume
   */
  readonly volume?: { readonly figures: readonly PlannedFigure[]; readonly across: 'split' | 'each' };
  readonly policy: ZonePolicy;
  /** Availability zones, when known. @default unknown */
  readonly zones?: number;
}

/** One workload as planned: its pods, each pod's requests, limit and volume, and every figure behind them. */
export interface SizedWorkload {
  readonly component: string;
  readonly replicas: PlannedFigure;
  /** CPU request per pod. */
  readonly cpu: PlannedFigure;
  /** Memory request per pod. */
  readonly memory: PlannedFigure;
  readonly memoryLimit: PlannedFigure;
  /** Volume per pod. */
  readonly volume?: PlannedFigure;
  /** The inputs, then the pod figures. */
  readonly figures: readonly PlannedFigure[];
  /** What the plan could not fit: a need above the largest pods it may run. */
  readonly warnings: readonly string[];
}

const sum = (figures: readonly PlannedFigure[]) => figures.reduce((a, f) => a + f.value, 0);

/**
 * Sizes a workload: enough pods that none exceeds the largest pod its rules allow (then fitted to
 * the zones), and each pod's share of the totals, between the rules' floor and ceiling.
 */
export function sizeWorkload(d: WorkloadDemand): SizedWorkload {
  const cpuTotal = sum(d.cpu);
  const memoryTotal = sum(d.memory);
  const volumeTotal = d.volume ? sum(d.volume.figures) : 0;
  const podCpu = capacityRule(`${d.rules}.podCpu`);
  const podMemory = capacityRule(`${d.rules}.podMemory`);
  const perPodExtra = d.memoryPerPod?.value ?? 0;
  const volumeMax = d.volume && d.volume.across === 'split' ? capacityRule(`${d.rules}.podVolume`).max : undefined;
  const needed = Math.max(
    Math.ceil(cpuTotal / podCpu.value - 1e-9),
    Math.ceil(memoryTotal / Math.max(podMemory.value * GIB - perPodExtra, GIB / 4) - 1e-9),
    volumeMax ? Math.ceil(volumeTotal / volumeMax - 1e-9) : 0,
  );
  const fit = fitZones(d, needed);
  const replicas = figure(
    `${d.rules}.replicas`,
    'pods',
    'pods',
    () => fit.replicas,
    () => `${needed} to keep every pod within ${podCpu.value} cores and ${round2(podMemory.value)} GiB${fit.why}`,
  );
  const r = replicas.value;
  const cpu = figure(
    `${d.rules}.podCpu`,
    'CPU request per pod',
    'cores',
    () => cpuTotal / r,
    () => `${round2(cpuTotal)} cores ÷ ${r} pods`,
    ceilCores,
  );
  const memory = figure(
    `${d.rules}.podMemory`,
    'memory request per pod',
    'bytes',
    () => memoryTotal / r + perPodExtra,
    () => `${formatBytes(memoryTotal)} ÷ ${r} pods${perPodExtra ? ` + ${formatBytes(perPodExtra)} cache` : ''}`,
    ceilMib,
  );
  const memoryLimit = figure(
    'planning.memoryLimit',
    'memory limit per pod',
    'bytes',
    (f) => memory.value * f,
    (f) => `${formatBytes(memory.value)} × ${f}`,
    ceilMib,
  );
  const volume = d.volume
    ? figure(
        `${d.rules}.podVolume`,
        'volume per pod',
        'bytes',
        () => (d.volume!.across === 'split' ? volumeTotal / r : volumeTotal),
        () => (d.volume!.across === 'split' ? `${formatBytes(volumeTotal)} ÷ ${r} pods` : `${formatBytes(volumeTotal)} on every pod`),
        ceilGib,
      )
    : undefined;
  const warnings: string[] = fit.warning ? [fit.warning] : [];
  if (cpu.value * r < cpuTotal * (1 - 1e-9))
    warnings.push(`${d.component} needs ${round2(cpuTotal)} cores, more than ${r} pods of at most ${podCpu.value} cores give${fit.why}`);
  if (memory.value * r < (memoryTotal + perPodExtra * r) * (1 - 1e-9))
    warnings.push(`${d.component} needs ${formatBytes(memoryTotal)} of memory, more than ${r} pods of at most ${round2(podMemory.value)} GiB give${fit.why}`);
  if (volume && d.volume!.across === 'split' && volume.value * r < volumeTotal * (1 - 1e-9))
    warnings.push(`${d.component} needs ${formatBytes(volumeTotal)} of volumes, more than ${r} pods of at most ${formatBytes(volumeMax!)} give${fit.why}`);
  return {
    component: d.component,
    replicas,
    cpu,
    memory,
    memoryLimit,
    volume,
    figures: [
      ...d.cpu,
      ...d.memory,
      ...(d.memoryPerPod ? [d.memoryPerPod] : []),
      ...(d.volume?.figures ?? []),
      replicas,
      cpu,
      memory,
      memoryLimit,
      ...(volume ? [volume] : []),
    ],
    warnings,
  };
}

/** The replicas after the zones: rounded up to a multiple of them, or capped for a store, with why. */
function fitZones(d: WorkloadDemand, needed: number): { readonly replicas: number; readonly why: string; readonly warning?: string } {
  const z = d.zones;
  if (d.policy.kind === 'free' || z === undefined || z <= 1) return { replicas: needed, why: '' };
  if (d.policy.kind === 'spread') {
    const least = capacityRule(`${d.rules}.replicas`).min ?? 1;
    const rounded = Math.ceil(Math.max(needed, least) / z) * z;
    return { replicas: rounded, why: rounded === Math.max(needed, least) ? '' : `, rounded up to a multiple of ${z} zones` };
  }
  const cap = z * (d.policy.copies - d.policy.needed) * capacityRule('planning.zones').value;
  const least = capacityRule(`${d.rules}.replicas`).min ?? 1;
  if (cap < least)
    return {
      replicas: needed,
      why: '',
      warning: `${d.component} keeps ${d.policy.copies} copies of each series and needs ${d.policy.needed} of them: over ${z} zones a zone's loss can take too many, whatever the pods (the synth warns "zone-loss"); run the nodes in more zones`,
    };
  return needed > cap ? { replicas: cap, why: `, at most ${cap} over ${z} zones so that a zone's loss leaves a quorum` } : { replicas: needed, why: '' };
}

/** The requests and limit of a sized workload, as a component's `resources` prop takes them. */
export function resourcesOf(w: SizedWorkload): ResourceRequirements {
  return { requests: { cpu: cpuQuantity(w.cpu.value), memory: memoryQuantity(w.memory.value) }, limits: { memory: memoryQuantity(w.memoryLimit.value) } };
}

/** The volume of a sized workload as a `storageSize` prop. */
export function storageSizeOf(w: SizedWorkload): string | undefined {
  return w.volume ? volumeQuantity(w.volume.value) : undefined;
}
