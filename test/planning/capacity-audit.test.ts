import { CapacityPlan, ObservabilityPlatform, PlatformLoad, acknowledgeWarning, footprintOf, planPlatform } from '../../lib';
import { PLAN_EXAMPLES, PLAN_EXAMPLE_BASE } from '../../apps/plan-examples';
import { synthWith } from '../support/synth';
import { WHOLE_OUTPUT_CHECKS } from '../support/whole-output';
import { HUGE, TINY } from './capacity-loads';

const plans: Record<string, CapacityPlan> = {
  ...Object.fromEntries(Object.entries(PLAN_EXAMPLES).map(([name, load]) => [name, planPlatform(load, { base: PLAN_EXAMPLE_BASE })])),
  'medium on Thanos, objects on the embedded store': planPlatform(PLAN_EXAMPLES.medium),
  'medium on VictoriaMetrics': planPlatform({ ...PLAN_EXAMPLES.medium, metricsBackend: 'victoriametrics' } as PlatformLoad),
  'large on Thanos without zones': planPlatform({ ...PLAN_EXAMPLES.large, metricsBackend: 'thanos', zones: undefined }),
  tiny: planPlatform(TINY),
  'tiny on VictoriaMetrics, three zones': planPlatform({ ...TINY, metricsBackend: 'victoriametrics', zones: 3 }),
  huge: planPlatform(HUGE),
  'huge on VictoriaMetrics': planPlatform({ ...HUGE, metricsBackend: 'victoriametrics' }),
};

describe.each(Object.keys(plans))('the %s plan', (name) => {
  const plan = plans[name];
  const app = synthWith((a) => {
    const platform = new ObservabilityPlatform(a, 'platform', plan.spec);
    // A plan sizes the platform; the Alertmanager's receivers (the user's pager) are the base spec's to give.
    acknowledgeWarning(platform, 'alerts-delivered-nowhere', 'a capacity plan: its receivers come from the spec it starts from');
  });

  test.each(WHOLE_OUTPUT_CHECKS.map((check) => [check.name, check] as const))('%s', (_name, check) => {
    expect(check.problems(app)).toEqual([]);
  });

  test('its cost is the cost of what it synthesizes to: the totals are the footprint of the output', () => {
    const footprint = footprintOf(app.manifests);
    expect({ pods: plan.totals.pods, cpu: plan.totals.cpu, memory: plan.totals.memoryBytes, volumes: plan.totals.storageBytes }).toEqual({
      pods: footprint.pods,
      cpu: footprint.cpu,
      memory: footprint.memoryBytes,
      volumes: footprint.storageBytes,
    });
  });

  test('is a production spec, with the load’s zones', () => {
    expect(plan.spec.profile).toBe('production');
    expect(plan.spec.zones).toBe(plan.load.zones);
  });
});
