import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { planPlatform } from '../../lib';
import { PLAN_EXAMPLES, PLAN_EXAMPLES_DIR, PLAN_EXAMPLE_BASE } from '../../apps/plan-examples';
import { planFiles } from '../../apps/plan-command';

const ROOT = resolve(__dirname, '..', '..');

describe.each(Object.keys(PLAN_EXAMPLES) as Array<keyof typeof PLAN_EXAMPLES>)('the committed %s plan', (name) => {
  const files = planFiles(planPlatform(PLAN_EXAMPLES[name], { base: PLAN_EXAMPLE_BASE }));

  test.each(Object.keys(files) as Array<keyof typeof files>)('%s is what the planner writes today', (file) => {
    const path = join(PLAN_EXAMPLES_DIR, name, file);
    const committed = existsSync(join(ROOT, path)) ? readFileSync(join(ROOT, path), 'utf8') : undefined;
    if (committed !== files[file])
      throw new Error(
        `${path} ${committed === undefined ? 'is missing' : 'differs from what the planner writes for its load'}: the rules, the prices or the platform changed. ` +
          'Run `npm run --silent plan:examples` to write the example plans again, and review their diff before committing it.',
      );
  });

  test('its chart is well-formed SVG: every element closed, no stray markup in the text', () => {
    const svg = files['plan.svg'];
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const open: string[] = [];
    for (const [tag, name, selfClosing] of [...svg.matchAll(/<(\/?[a-z]+)[^<>]*?(\/?)>/g)].map((m) => [m[0], m[1], m[2] === '/'] as const)) {
      if (name.startsWith('/')) expect({ tag, closes: open.pop() }).toEqual({ tag, closes: name.slice(1) });
      else if (!selfClosing) open.push(name);
    }
    expect(open).toEqual([]);
    // Between tags only text: no lone "<" or "&" that is not an entity.
    for (const text of svg.split(/<[^<>]*>/)) expect(text).not.toMatch(/<|&(?!amp;|lt;|gt;)/);
  });

  test('fits its load: no figure cut by a rule, every component within its bounds', () => {
    expect(planPlatform(PLAN_EXAMPLES[name], { base: PLAN_EXAMPLE_BASE }).warnings).toEqual([]);
  });
});
