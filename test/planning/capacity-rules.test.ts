import { CAPACITY_RULES, CapacityPlan, PlatformLoad, planPlatform } from '../../lib';
import { PLAN_EXAMPLES, PLAN_EXAMPLE_BASE } from '../../apps/plan-examples';
import { HUGE, MIDDLE, TINY } from './capacity-loads';

const vm = (load: PlatformLoad): PlatformLoad => ({ ...load, metricsBackend: 'victoriametrics' });
const plans: Record<string, CapacityPlan> = {
  tiny: planPlatform(TINY),
  'tiny, VictoriaMetrics': planPlatform(vm(TINY)),
  huge: planPlatform(HUGE),
  'huge, VictoriaMetrics': planPlatform(vm(HUGE)),
  middle: planPlatform(MIDDLE),
  ...Object.fromEntries(Object.entries(PLAN_EXAMPLES).map(([name, load]) => [name, planPlatform(load, { base: PLAN_EXAMPLE_BASE })])),
};
const figuresOf = (plan: CapacityPlan) => plan.components.flatMap((c) => c.figures.map((f) => ({ component: c.name, ...f })));
const rule = (id: string) => CAPACITY_RULES.find((r) => r.id === id);

describe('the rules table', () => {
  test('every rule has a unique id, a source with an https address, a note, and bounds that hold their value where both are in its unit', () => {
    const ids = CAPACITY_RULES.map((r) => r.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const r of CAPACITY_RULES) {
      expect({ id: r.id, url: r.source.url }).toEqual({ id: r.id, url: expect.stringMatching(/^https:\/\/[^\s]+$/) });
      expect({ id: r.id, title: r.source.title.length > 5, note: r.note.length > 10, what: r.what.length > 3 }).toEqual({
        id: r.id,
        title: true,
        note: true,
        what: true,
      });
      if (r.min !== undefined && r.max !== undefined) expect({ id: r.id, ordered: r.min <= r.max }).toEqual({ id: r.id, ordered: true });
      expect({ id: r.id, finite: Number.isFinite(r.value) && r.value > 0 }).toEqual({ id: r.id, finite: true });
    }
  });

  test('a rule of our own judgment says so in its note', () => {
    expect(CAPACITY_RULES.filter((r) => r.judgment && !/\b(our|we)\b/.test(r.note)).map((r) => r.id)).toEqual([]);
  });

  test.each(Object.keys(plans))('every figure of the %s plan names a rule that exists, and lies within its bounds', (name) => {
    for (const f of figuresOf(plans[name])) {
      const r = rule(f.rule);
      expect({ figure: `${f.component}: ${f.name}`, rule: f.rule, exists: r !== undefined }).toEqual({
        figure: `${f.component}: ${f.name}`,
        rule: f.rule,
        exists: true,
      });
      expect({ figure: `${f.component}: ${f.name}`, within: f.value >= (r!.min ?? -Infinity) && f.value <= (r!.max ?? Infinity) }).toEqual({
        figure: `${f.component}: ${f.name}`,
        within: true,
      });
    }
    for (const d of plans[name].decisions) expect({ decision: d.what, exists: rule(d.rule) !== undefined }).toEqual({ decision: d.what, exists: true });
  });

  test('no load gives every bounded figure its rule’s floor', () => {
    for (const plan of [plans.tiny, plans['tiny, VictoriaMetrics']]) {
      const off = figuresOf(plan).filter((f) => rule(f.rule)!.min !== undefined && f.value !== rule(f.rule)!.min);
      expect(off.map((f) => `${f.component}: ${f.name} = ${f.value} (${f.rule} floor ${rule(f.rule)!.min})`)).toEqual([]);
    }
  });

  test('a load past every ceiling gives every bounded figure its rule’s ceiling, and says where the plan falls short', () => {
    for (const plan of [plans.huge, plans['huge, VictoriaMetrics']]) {
      const off = figuresOf(plan).filter((f) => rule(f.rule)!.max !== undefined && f.value !== rule(f.rule)!.max);
      expect(off.map((f) => `${f.component}: ${f.name} = ${f.value} (${f.rule} ceiling ${rule(f.rule)!.max})`)).toEqual([]);
      expect(plan.warnings.length).toBeGreaterThan(0);
    }
  });

  test('every rule is used by some plan: the table holds no dead figure', () => {
    const used = new Set(Object.values(plans).flatMap((p) => [...figuresOf(p).map((f) => f.rule), ...p.decisions.map((d) => d.rule)]));
    // Rules read for defaults of the load (samples from series, lines from bytes, span size) and for the zones.
    const readByTheLoad = ['metrics.samplesPerSeries', 'logs.lineBytes', 'traces.spanBytes', 'planning.zones', 'planning.mimirHeadroom'];
    expect(CAPACITY_RULES.map((r) => r.id).filter((id) => !used.has(id) && !readByTheLoad.includes(id))).toEqual([]);
  });
});
