import { ApiObject, App } from 'cdk8s';
import { FOOTPRINT_KINDS, WorkloadFootprint, footprintOf } from '../../core/footprint';
import { warningsOf } from '../../core/warnings';
import { ObservabilityPlatform } from '../../platform/platform';
import type { PlatformSpec } from '../../platform/spec';
import { assumptionsOf } from './assumptions';
import { MonthlyCost, computeCost, objectStorageCost, sumCosts } from './cost';
import { PlanDecision, PlannedFigure } from './figure';
import { PlatformLoad, ResolvedLoad, resolveLoad } from './load';
import { planCollectors } from './plan-collectors';
import { planLogs } from './plan-logs';
import { planMetrics } from './plan-metrics';
import { ObjectStoragePlan, planObjects } from './plan-objects';
import { planTraces } from './plan-traces';
import { AWS_US_EAST_1_PRICES, PriceTable, checkPriceTable } from './prices';
import { SignalPlan, warningsOf as sizingWarnings } from './signal-plan';
import { mergeOverBase } from './spec-merge';
import { CAPACITY_RULES } from './rules';
import { formatBytes, round2 } from './units';

/** Options of {@link planPlatform}. */
export interface PlanOptions {
  /** The prices the cost is worked out with. @default AWS_US_EAST_1_PRICES */
  readonly prices?: PriceTable;
  /**
   * A spec the plan starts from, for what is not about size: namespace, object storage (`aws` or
   * `storage`), TLS, logins, network, the Alertmanager's receivers. The planned figures win over it.
   * @default {}: objects on the embedded SeaweedFS, whose volume the plan sizes to hold them
   */
  readonly base?: PlatformSpec;
}

/** One workload of the planned platform (or its object storage), as synthesized, with the figures behind it and its monthly cost. */
export interface ComponentPlan {
  /** The workload's name in the output, e.g. `thanos-receive`, or "object storage". */
  readonly name: string;
  /** `Deployment`, `StatefulSet`, `DaemonSet`, `PersistentVolumeClaim`, or `ObjectStorage`. */
  readonly kind: string;
  /** Its figures come from the load; otherwise it runs the component's defaults. */
  readonly sized: boolean;
  /** Pods, as `footprintOf` counts them (a DaemonSet on one node). */
  readonly pods: number;
  /** CPU requested by all its pods, in cores. */
  readonly cpu: number;
  /** Memory requested by all its pods, in bytes. */
  readonly memoryBytes: number;
  /** Volumes requested by all its pods, in bytes. */
  readonly storageBytes: number;
  /** Bytes kept in object storage (the object storage entry only). */
  readonly objectBytes: number;
  /** Every figure the plan worked out for it, each naming its rule. */
  readonly figures: readonly PlannedFigure[];
  readonly cost: MonthlyCost;
}

/** The whole platform: the sums over its components. */
export interface PlanTotals {
  readonly pods: number;
  readonly cpu: number;
  readonly memoryBytes: number;
  readonly storageBytes: number;
  readonly objectBytes: number;
  readonly cost: MonthlyCost;
}

/** A platform sized for a load, and what it costs. */
export interface CapacityPlan {
  /** The load, with every default filled in. */
  readonly load: ResolvedLoad;
  /** A complete spec, profile `production`: `new ObservabilityPlatform(chart, id, plan.spec)`. */
  readonly spec: PlatformSpec;
  /** Every workload the spec synthesizes to, then object storage. */
  readonly components: readonly ComponentPlan[];
  readonly objectStorage: ObjectStoragePlan;
  readonly totals: PlanTotals;
  /** Choices made by a rule's threshold (deployment modes). */
  readonly decisions: readonly PlanDecision[];
  /** What the plan could not fit, or risks it could not plan away. */
  readonly warnings: readonly string[];
  /** What the planned spec's synth warns about: risks for the base spec to fix or acknowledge (an Alertmanager without receivers, say). */
  readonly specWarnings: readonly string[];
  /** What the figures take for granted. */
  readonly assumptions: readonly string[];
  readonly prices: PriceTable;
}

/**
 * Sizes a platform for a load: replicas, requests and limits, volumes, caches, Kafka partitions
 * and Loki's ingestion limits, each figure from a rule of `CAPACITY_RULES` (upstream's sizing
 * guidance, or our judgment where upstream gives none), never below a component's HA minimum. The
 * cost comes from the planned spec as synthesized (`footprintOf`), so it is the cost of what is
 * applied, plus object storage from the load over the retention.
 *
 * Refuses a load that is no load (negative rates, retention below a store's minimum) with a
 * `ValidationError` naming each problem.
 */
export function planPlatform(load: PlatformLoad, options: PlanOptions = {}): CapacityPlan {
  const resolved = resolveLoad(load);
  const prices = options.prices ?? AWS_US_EAST_1_PRICES;
  checkPriceTable(prices);
  const base = options.base ?? {};
  const signals: SignalPlan[] = [planLogs(resolved), planMetrics(resolved), planTraces(resolved), planCollectors(resolved)];
  const objects = planObjects(resolved, base);
  const planned: PlatformSpec = Object.assign(
    { profile: 'production', ...(resolved.zones !== undefined ? { zones: resolved.zones } : {}) },
    ...signals.map((s) => s.spec),
    objects.spec,
  );
  const spec = mergeOverBase(base, { ...planned, profile: 'production' });
  const { footprint, specWarnings } = synthesize(spec);
  const components = componentsOf(footprint.workloads, signals, objects, prices);
  const totals: PlanTotals = {
    pods: sum(components.map((c) => c.pods)),
    cpu: sum(components.map((c) => c.cpu)),
    memoryBytes: sum(components.map((c) => c.memoryBytes)),
    storageBytes: sum(components.map((c) => c.storageBytes)),
    objectBytes: objects.totalBytes,
    cost: sumCosts(components.map((c) => c.cost)),
  };
  const warnings = [...new Set([...signals.flatMap(sizingWarnings), ...cappedWarnings(components)])];
  const decisions = signals.flatMap((s) => s.decisions);
  return {
    load: resolved,
    spec,
    components,
    objectStorage: objects,
    totals,
    decisions,
    warnings,
    specWarnings,
    assumptions: assumptionsOf(resolved, objects, components),
    prices,
  };
}

/**
 * What the spec asks of a cluster, read from its workloads as they synthesize (each object's own
 * JSON, as the command line counts them: the app's checks and warnings do not run, and print
 * nothing), and the warnings its synth would give.
 */
function synthesize(spec: PlatformSpec) {
  const chart = new ObservabilityPlatform(new App({ outdir: '/nonexistent' }), 'platform', spec);
  const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && FOOTPRINT_KINDS.has(c.kind));
  return { footprint: footprintOf(objects.map((o) => o.toJson())), specWarnings: warningsOf(chart) };
}

/** One entry per synthesized workload, with the figures the signals planned for it, then object storage. */
function componentsOf(
  workloads: readonly WorkloadFootprint[],
  signals: readonly SignalPlan[],
  objects: ObjectStoragePlan,
  prices: PriceTable,
): ComponentPlan[] {
  const figures = new Map<string, PlannedFigure[]>();
  const add = (name: string, list: readonly PlannedFigure[]) => figures.set(name, [...(figures.get(name) ?? []), ...list]);
  for (const s of signals) {
    for (const w of s.workloads) add(w.component, w.figures);
    for (const f of s.figures) add(f.component, f.figures);
  }
  const embedded = workloads.find((w) => w.name === 'seaweedfs-server' || w.name === 'minio-server');
  if (embedded && objects.where === 'embedded') add(embedded.name, objects.figures.slice(-1));
  for (const name of figures.keys()) {
    // A figure for a workload the platform does not run is a planner bug: its cost would be missing.
    if (!workloads.some((w) => w.name === name)) throw new Error(`the plan sizes "${name}", which the synthesized platform does not run`);
  }
  const planned: ComponentPlan[] = workloads.map((w) => ({
    name: w.name,
    kind: w.kind,
    sized: figures.has(w.name),
    pods: w.pods,
    cpu: w.cpu,
    memoryBytes: w.memoryBytes,
    storageBytes: w.storageBytes,
    objectBytes: 0,
    figures: figures.get(w.name) ?? [],
    cost: computeCost(w, prices),
  }));
  const inBucket = objects.where === 'bucket';
  planned.push({
    name: 'object storage',
    kind: 'ObjectStorage',
    sized: true,
    pods: 0,
    cpu: 0,
    memoryBytes: 0,
    storageBytes: 0,
    objectBytes: objects.totalBytes,
    figures: inBucket ? objects.figures : objects.figures.slice(0, -1),
    // On the embedded store the objects are its volume's bytes, already counted there.
    cost: inBucket ? objectStorageCost(objects.totalBytes, objects.putsPerMonth.value, objects.getsPerMonth.value, prices) : objectStorageCost(0, 0, 0, prices),
  });
  return planned;
}

/**
 * A figure the rule's ceiling cut down, where nothing else makes up for it. Pod figures of sized
 * workloads are left out: `sizeWorkload` already says when the pods together fall short.
 */
function cappedWarnings(components: readonly ComponentPlan[]): string[] {
  const ofPods = (rule: string) => {
    const m = /^(.*)\.(replicas|podCpu|podMemory|podVolume)$/.exec(rule);
    return m !== null && CAPACITY_RULES.some((r) => r.id === `${m[1]}.podCpu`);
  };
  return components.flatMap((c) =>
    c.figures
      .filter((f) => f.uncapped !== undefined && !ofPods(f.rule))
      .map(
        (f) =>
          `${c.name}: ${f.name} would need ${describe(f.uncapped!, f.unit)}, above the ceiling of rule ${f.rule} (${describe(f.value, f.unit)}); the plan falls short of the load there`,
      ),
  );
}

function describe(value: number, unit: PlannedFigure['unit']): string {
  return unit === 'bytes' ? formatBytes(value) : `${round2(value)} ${unit}`;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
