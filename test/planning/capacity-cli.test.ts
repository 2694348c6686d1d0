import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AWS_US_EAST_1_PRICES, capacityChartSvg, capacityReportMarkdown, planPlatform } from '../../lib';
import { parsePlanArgs } from '../../apps/plan-command';

const ROOT = resolve(__dirname, '..', '..');
const CLI = 'build/apps/cli.js';
const built = existsSync(join(ROOT, CLI));
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
const ARGS = ['--logs', '500GB/day', '--log-lines', '50k/s', '--series', '2M', '--samples', '70k/s', '--spans', '10k/s', '--queries', '5/s'];
const REST = ['--retention', 'logs=30d,metrics=90d,traces=14d', '--zones', '3'];

describe('obs-platform plan: the flags', () => {
  test('read as the load they name, in their units', () => {
    expect(parsePlanArgs([...ARGS, ...REST, '--span-size', '1KiB', '--backend', 'victoriametrics']).load).toEqual({
      logs: { gbPerDay: 500, linesPerSecond: 50_000 },
      metrics: { activeSeries: 2_000_000, samplesPerSecond: 70_000 },
      traces: { spansPerSecond: 10_000, averageSpanBytes: 1024 },
      queriesPerSecond: 5,
      retentionDays: { logs: 30, metrics: 90, traces: 14 },
      zones: 3,
      metricsBackend: 'victoriametrics',
    });
    expect(parsePlanArgs(['--logs=1.5TB/day', '--queries=logs=2/s,traces=1/s']).load).toEqual({
      logs: { gbPerDay: 1500 },
      queriesPerSecond: { logs: 2, traces: 1 },
    });
    expect(parsePlanArgs(['--series', '100k']).out).toBe(join('dist', 'plan'));
  });

  test.each([
    [['--logs', '500GB'], '--logs "500GB" is not a volume per day (a number, a unit of MB, GB or TB, and /day): give e.g. --logs 500GB/day'],
    [['--logs', 'lots/day'], '--logs "lots/day" is not a volume per day (a number, a unit of MB, GB or TB, and /day): give e.g. --logs 500GB/day'],
    [['--series', '2X'], '--series "2X" is not a count (a number, optionally k or M): give e.g. --series 2M'],
    [['--series', '2M/s'], '--series "2M/s" is not a count (a number, optionally k or M): give e.g. --series 2M'],
    [['--spans', '-5/s'], '--spans "-5/s" is not a rate per second (a number, optionally k or M, and /s): give e.g. --spans 10k/s'],
    [['--spans', '10k', '--series', '1M'], '--spans "10k" is not a rate per second (a number, optionally k or M, and /s): give e.g. --spans 10k/s'],
    [['--series', '1M', '--retention', 'logs=30'], '--retention "30" is not a whole number of days, written with d: give e.g. --retention logs=30d'],
    [
      ['--series', '1M', '--retention', 'logs=30d,logs=7d'],
      '--retention "logs=30d,logs=7d" is not a list of signal=value pairs, each of logs, metrics and traces at most once: give e.g. --retention logs=30d,metrics=90d,traces=14d',
    ],
    [
      ['--series', '1M', '--retention', 'events=30d'],
      '--retention "events=30d" is not a list of signal=value pairs, each of logs, metrics and traces at most once: give e.g. --retention logs=30d,metrics=90d,traces=14d',
    ],
    [['--series', '1M', '--zones', 'three'], '--zones "three" is not a whole number of at least 1: give e.g. --zones 3'],
    [['--series', '1M', '--zones', '0'], '--zones "0" is not a whole number of at least 1: give e.g. --zones 3'],
    [['--series', '1M', '--backend', 'mimir'], '--backend "mimir" is not a metrics backend: give --backend thanos or --backend victoriametrics'],
    [['--series', '1M', '--span-size', '500B'], '--span-size needs --spans'],
    [['--spans', '1k/s', '--span-size', 'big'], '--span-size "big" is not a size in bytes (a number, optionally B, KB or KiB): give e.g. --span-size 500B'],
    [
      ['--series', '1M', '--nope', '1'],
      `unknown option "--nope" for plan (options: --logs, --log-lines, --series, --samples, --spans, --span-size, --queries, --retention, --zones, --backend, --prices, --base, --out)`,
    ],
    [['--series'], '--series needs a value (see --help)'],
    [['--series', '1M', '--series', '2M'], '--series is given twice; give it once'],
    [['--zones', '3'], 'give the load: at least one of --logs, --series and --spans (see --help)'],
    [
      ['--series', '1M', '--prices', '/nonexistent/prices.json'],
      '--prices "/nonexistent/prices.json" cannot be read (ENOENT): give the path of a JSON PriceTable',
    ],
  ])('%j is refused: %s', (args, message) => {
    expect(() => parsePlanArgs(args)).toThrow(message);
  });
});

// These run the compiled command line, as users do; `npm test` builds first.
(built ? describe : describe.skip)('obs-platform plan (compiled)', () => {
  test('writes the report, its chart and the planned spec, the same as the API gives, and prints a summary', () => {
    const out = mkdtempSync(join(tmpdir(), 'plan-'));
    const result = cli('plan', ...ARGS, ...REST, '--out', out);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(readdirSync(out).sort()).toEqual(['plan.md', 'plan.svg', 'spec.json']);
    const plan = planPlatform(parsePlanArgs([...ARGS, ...REST]).load);
    expect(readFileSync(join(out, 'plan.md'), 'utf8')).toBe(capacityReportMarkdown(plan));
    expect(readFileSync(join(out, 'plan.svg'), 'utf8')).toBe(capacityChartSvg(plan));
    expect(JSON.parse(readFileSync(join(out, 'spec.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(plan.spec)));
    expect(result.stdout).toContain(`planned ${plan.totals.pods} pods:`);
    for (const name of ['plan.md', 'plan.svg', 'spec.json']) expect(result.stdout).toContain(`wrote ${join(out, name)}`);
  });

  test('--prices replaces the price table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prices-'));
    writeFileSync(join(dir, 'prices.json'), JSON.stringify({ ...AWS_US_EAST_1_PRICES, name: 'our own hardware', cpuCoreHour: 0.01 }));
    const result = cli('plan', '--series', '1M', '--prices', join(dir, 'prices.json'), '--out', join(dir, 'out'));
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, 'out', 'plan.md'), 'utf8')).toContain('priced at our own hardware');
  });

  test.each([
    [
      ['plan', '--logs', '500GB'],
      'obs-platform: --logs "500GB" is not a volume per day (a number, a unit of MB, GB or TB, and /day): give e.g. --logs 500GB/day',
    ],
    [
      ['plan', '--series', '2M', '--samples', '70k'],
      'obs-platform: --samples "70k" is not a rate per second (a number, optionally k or M, and /s): give e.g. --samples 70k/s',
    ],
    [
      ['plan', '--spans', '10k/s', '--retention', 'traces=2w'],
      'obs-platform: --retention "2w" is not a whole number of days, written with d: give e.g. --retention logs=30d',
    ],
  ])('%j is refused in one line, exit status 2, nothing written', (args, message) => {
    const out = mkdtempSync(join(tmpdir(), 'plan-refused-'));
    const result = cli(...args, '--out', out);
    expect({ status: result.status, stderr: result.stderr, stdout: result.stdout }).toEqual({ status: 2, stderr: `${message}\n`, stdout: '' });
    expect(readdirSync(out)).toEqual([]);
  });

  test('a price table with a bad price is input refused: exit status 1, the problem named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prices-bad-'));
    writeFileSync(join(dir, 'prices.json'), JSON.stringify({ ...AWS_US_EAST_1_PRICES, volumeGibMonth: -1 }));
    const result = cli('plan', '--series', '1M', '--prices', join(dir, 'prices.json'), '--out', join(dir, 'out'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[PriceTable] volumeGibMonth = -1: is not a price of zero or more');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  test('--help shows the plan command', () => {
    expect(cli('--help').stdout).toContain('plan --logs 500GB/day [--log-lines 50k/s] --series 2M [--samples 70k/s] --spans 10k/s');
  });
});
