import { AWS_US_EAST_1_PRICES, MonthlyCost, PriceTable, ValidationError, checkPriceTable, planPlatform } from '../../lib';
import { PLAN_EXAMPLES, PLAN_EXAMPLE_BASE } from '../../apps/plan-examples';
import { failure } from '../support/failure';

const load = PLAN_EXAMPLES.medium;
const base = PLAN_EXAMPLE_BASE;
const plan = planPlatform(load, { base });
const KEYS: ReadonlyArray<keyof MonthlyCost> = ['cpu', 'memory', 'volumes', 'objectStorage', 'requests', 'total'];
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const withPrices = (change: Partial<PriceTable>) => planPlatform(load, { base, prices: { ...AWS_US_EAST_1_PRICES, ...change } });

describe('the cost of a plan', () => {
  test('the totals are the sums of the components, field by field, and the total the sum of its parts', () => {
    for (const key of KEYS)
      expect({
        key,
        equal: close(
          plan.totals.cost[key],
          plan.components.reduce((a, c) => a + c.cost[key], 0),
        ),
      }).toEqual({ key, equal: true });
    const t = plan.totals.cost;
    expect(close(t.total, t.cpu + t.memory + t.volumes + t.objectStorage + t.requests)).toBe(true);
    expect(
      close(
        plan.totals.cpu,
        plan.components.reduce((a, c) => a + c.cpu, 0),
      ),
    ).toBe(true);
  });

  test('each component costs what it requests at the table’s prices', () => {
    const p = AWS_US_EAST_1_PRICES;
    for (const c of plan.components.filter((x) => x.kind !== 'ObjectStorage')) {
      expect({ c: c.name, cpu: close(c.cost.cpu, c.cpu * p.cpuCoreHour * p.hoursPerMonth) }).toEqual({ c: c.name, cpu: true });
      expect({ c: c.name, memory: close(c.cost.memory, (c.memoryBytes / 2 ** 30) * p.memoryGibHour * p.hoursPerMonth) }).toEqual({ c: c.name, memory: true });
      expect({ c: c.name, volumes: close(c.cost.volumes, (c.storageBytes / 2 ** 30) * p.volumeGibMonth) }).toEqual({ c: c.name, volumes: true });
    }
  });

  test.each([
    ['cpuCoreHour', 'cpu'],
    ['memoryGibHour', 'memory'],
    ['volumeGibMonth', 'volumes'],
    ['objectGibMonth', 'objectStorage'],
  ] as const)('twice the %s price doubles the %s cost, and changes no other', (price, part) => {
    const doubled = withPrices({ [price]: AWS_US_EAST_1_PRICES[price] * 2 });
    expect(plan.totals.cost[part]).toBeGreaterThan(0);
    for (const key of KEYS.filter((k) => k !== 'total'))
      expect({ key, ratio: doubled.totals.cost[key] / (plan.totals.cost[key] || 1) }).toEqual({ key, ratio: key === part ? 2 : plan.totals.cost[key] ? 1 : 0 });
    // The sizing does not depend on the prices.
    expect(doubled.spec).toEqual(plan.spec);
  });

  test('request prices scale the request cost', () => {
    const doubled = withPrices({ putsPer1000: AWS_US_EAST_1_PRICES.putsPer1000 * 2, getsPer1000: AWS_US_EAST_1_PRICES.getsPer1000 * 2 });
    expect(close(doubled.totals.cost.requests, 2 * plan.totals.cost.requests)).toBe(true);
  });

  test('a whole table at a third of the prices costs a third', () => {
    const third: Partial<PriceTable> = Object.fromEntries(
      (['cpuCoreHour', 'memoryGibHour', 'volumeGibMonth', 'objectGibMonth', 'putsPer1000', 'getsPer1000'] as const).map((k) => [
        k,
        AWS_US_EAST_1_PRICES[k] / 3,
      ]),
    );
    expect(close(withPrices(third).totals.cost.total, plan.totals.cost.total / 3)).toBe(true);
  });

  test('the default table says where each price was read, and when', () => {
    expect(AWS_US_EAST_1_PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(AWS_US_EAST_1_PRICES.sources.length).toBeGreaterThanOrEqual(3);
    for (const s of AWS_US_EAST_1_PRICES.sources) expect(s.url).toMatch(/^https:\/\//);
  });

  test('a price table that is no price table is refused, naming each price', () => {
    const bad = { ...AWS_US_EAST_1_PRICES, cpuCoreHour: -1, getsPer1000: 'cheap' } as unknown as PriceTable;
    const message = failure(() => checkPriceTable(bad));
    expect(message).toContain('[PriceTable] cpuCoreHour = -1: is not a price of zero or more');
    expect(message).toContain('[PriceTable] getsPer1000 = "cheap": is not a price of zero or more');
    expect(() => planPlatform(load, { prices: bad })).toThrow(ValidationError);
  });
});
