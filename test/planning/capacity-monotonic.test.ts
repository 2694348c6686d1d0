import { CapacityPlan, PlatformLoad, planPlatform } from '../../lib';
import { MIDDLE } from './capacity-loads';

/** One dimension of a load, and a load with it set to `x` (every other dimension as in MIDDLE). */
type Dimension = readonly [name: string, set: (x: number) => PlatformLoad, grid: readonly number[]];

const m = MIDDLE;
const q = m.queriesPerSecond as { logs: number; metrics: number; traces: number };
const DIMENSIONS: readonly Dimension[] = [
  // The grids cross the thresholds: Loki distributed above 1 TB/day, Tempo distributed above 25 MB/s.
  ['logs GB/day', (x) => ({ ...m, logs: { ...m.logs, gbPerDay: x } }), [0, 20, 200, 900, 1200, 5000]],
  ['log lines/s', (x) => ({ ...m, logs: { ...m.logs, linesPerSecond: x } }), [0, 1000, 20_000, 200_000]],
  ['active series', (x) => ({ ...m, metrics: { ...m.metrics!, activeSeries: x } }), [0, 100_000, 1_000_000, 5_000_000, 30_000_000]],
  ['samples/s', (x) => ({ ...m, metrics: { ...m.metrics!, samplesPerSecond: x } }), [0, 10_000, 100_000, 1_000_000]],
  ['spans/s', (x) => ({ ...m, traces: { ...m.traces!, spansPerSecond: x } }), [0, 1000, 10_000, 45_000, 60_000, 200_000]],
  ['span bytes', (x) => ({ ...m, traces: { ...m.traces!, averageSpanBytes: x } }), [100, 500, 4000, 6000]],
  ['log queries/s', (x) => ({ ...m, queriesPerSecond: { ...q, logs: x } }), [0, 2, 20, 200]],
  ['metric queries/s', (x) => ({ ...m, queriesPerSecond: { ...q, metrics: x } }), [0, 5, 50, 500]],
  ['trace queries/s', (x) => ({ ...m, queriesPerSecond: { ...q, traces: x } }), [0, 1, 10, 100]],
  ['log retention days', (x) => ({ ...m, retentionDays: { ...m.retentionDays, logs: x } }), [1, 30, 365]],
  ['metric retention days', (x) => ({ ...m, retentionDays: { ...m.retentionDays, metrics: x } }), [2, 30, 90, 400]],
  ['trace retention days', (x) => ({ ...m, retentionDays: { ...m.retentionDays, traces: x } }), [1, 14, 90]],
];

/** What "capacity" means for the comparison: the totals, and each component both plans run. */
function capacity(plan: CapacityPlan): Record<string, number> {
  const t = plan.totals;
  const out: Record<string, number> = {
    pods: t.pods,
    cpu: t.cpu,
    memory: t.memoryBytes,
    volumes: t.storageBytes,
    objects: t.objectBytes,
    cost: t.cost.total,
  };
  for (const c of plan.components) {
    out[`${c.name} pods`] = c.pods;
    out[`${c.name} cpu`] = c.cpu;
    out[`${c.name} memory`] = c.memoryBytes;
    out[`${c.name} volumes`] = c.storageBytes + c.objectBytes;
    out[`${c.name} cost`] = c.cost.total;
  }
  return out;
}

/** Every measure of `less` (a smaller load's plan) that the bigger load's plan `more` undercuts. */
function shrunk(less: Record<string, number>, more: Record<string, number>): string[] {
  return Object.keys(less)
    .filter((k) => k in more && more[k] < less[k] - 1e-9)
    .map((k) => `${k}: ${less[k]} → ${more[k]}`);
}

describe.each(['thanos', 'victoriametrics'] as const)('with %s, more load never plans less capacity', (backend) => {
  test.each(DIMENSIONS.map((d) => [d[0], d] as const))('%s', (_name, [, set, grid]) => {
    const plans = grid.map((x) => capacity(planPlatform({ ...set(x), metricsBackend: backend })));
    for (let i = 1; i < plans.length; i++)
      expect({ from: grid[i - 1], to: grid[i], shrunk: shrunk(plans[i - 1], plans[i]) }).toEqual({ from: grid[i - 1], to: grid[i], shrunk: [] });
  });

  test('with zones too: three zones never plan less than no zones, and more load with them never less', () => {
    const plain = capacity(planPlatform({ ...MIDDLE, metricsBackend: backend }));
    const zoned = capacity(planPlatform({ ...MIDDLE, metricsBackend: backend, zones: 3 }));
    const zonedMore = capacity(planPlatform({ ...DIMENSIONS[0][1](2000), metricsBackend: backend, zones: 3 }));
    expect(shrunk(plain, zoned).filter((k) => !k.startsWith('pods') && !/ pods:/.test(k))).toEqual([]);
    expect(shrunk(zoned, zonedMore)).toEqual([]);
  });
});
