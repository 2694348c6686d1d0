import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CapacityPlan, PlatformLoad, PlatformSpec, PriceTable, capacityChartSvg, capacityReportMarkdown, describeFootprint, planPlatform } from '../lib';
import { formatBytes } from '../lib/planning/capacity/units';
import { money, thousands } from '../lib/planning/capacity/format';
import { parseBytes, parseCount, parseDays, parsePerSignal, parsePositiveInteger, parseVolumePerDay } from './plan-units';
import { UsageError } from './usage-error';

/** The `plan` lines of the command line's help. */
export const PLAN_USAGE = `  plan --logs 500GB/day [--log-lines 50k/s] --series 2M [--samples 70k/s] --spans 10k/s
       [--span-size 500B] [--queries 5/s | logs=2/s,metrics=5/s,traces=1/s]
       [--retention logs=30d,metrics=90d,traces=14d] [--zones 3] [--backend thanos|victoriametrics]
       [--prices prices.json] [--base spec.json] [--out DIR]
                 size a production platform for a load (each load flag optional; give at least
                 one) and write DIR (default: dist/plan)/plan.md, the report; plan.svg, its
                 chart; spec.json, the planned PlatformSpec. --prices replaces the price table (a
                 JSON PriceTable); --base is a JSON PlatformSpec the plan starts from (its aws or
                 storage, namespace, TLS, logins)`;

const OPTIONS = '--logs, --log-lines, --series, --samples, --spans, --span-size, --queries, --retention, --zones, --backend, --prices, --base, --out';

/** What `plan` was asked for. */
export interface PlanArgs {
  readonly load: PlatformLoad;
  readonly out: string;
  readonly prices?: PriceTable;
  readonly base?: PlatformSpec;
}

/** Reads the flags of `obs-platform plan`; throws a {@link UsageError} naming the flag, the value and the fix. */
export function parsePlanArgs(args: readonly string[]): PlanArgs {
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!OPTIONS.split(', ').includes(flag)) throw new UsageError(`unknown option "${arg}" for plan (options: ${OPTIONS})`);
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value (see --help)`);
    if (given.has(flag)) throw new UsageError(`${flag} is given twice; give it once`);
    given.set(flag, value);
  }
  if (!['--logs', '--series', '--spans'].some((f) => given.has(f)))
    throw new UsageError('give the load: at least one of --logs, --series and --spans (see --help)');
  const get = <T>(flag: string, parse: (value: string) => T): T | undefined => {
    const value = given.get(flag);
    return value === undefined ? undefined : parse(value);
  };
  const backend = get('--backend', (v) => {
    if (v !== 'thanos' && v !== 'victoriametrics')
      throw new UsageError(`--backend "${v}" is not a metrics backend: give --backend thanos or --backend victoriametrics`);
    return v;
  });
  const queries = get('--queries', (v) =>
    v.includes('=')
      ? parsePerSignal('--queries', v, 'logs=2/s,metrics=5/s', (x) => parseCount('--queries', x, 'logs=2/s', true))
      : parseCount('--queries', v, '5/s', true),
  );
  const retention = get('--retention', (v) =>
    parsePerSignal('--retention', v, 'logs=30d,metrics=90d,traces=14d', (x) => parseDays('--retention', x, 'logs=30d')),
  );
  const logs = get('--logs', (v) => parseVolumePerDay('--logs', v, '500GB/day'));
  const lines = get('--log-lines', (v) => parseCount('--log-lines', v, '50k/s', true));
  const series = get('--series', (v) => parseCount('--series', v, '2M', false));
  const samples = get('--samples', (v) => parseCount('--samples', v, '70k/s', true));
  const spans = get('--spans', (v) => parseCount('--spans', v, '10k/s', true));
  const spanBytes = get('--span-size', (v) => parseBytes('--span-size', v, '500B'));
  if (lines !== undefined && logs === undefined) throw new UsageError('--log-lines needs --logs, the volume those lines make');
  if (samples !== undefined && series === undefined) throw new UsageError('--samples needs --series, the series those samples belong to');
  if (spanBytes !== undefined && spans === undefined) throw new UsageError('--span-size needs --spans');
  const load: PlatformLoad = {
    ...(logs !== undefined ? { logs: { gbPerDay: logs, ...(lines !== undefined ? { linesPerSecond: lines } : {}) } } : {}),
    ...(series !== undefined ? { metrics: { activeSeries: series, ...(samples !== undefined ? { samplesPerSecond: samples } : {}) } } : {}),
    ...(spans !== undefined ? { traces: { spansPerSecond: spans, ...(spanBytes !== undefined ? { averageSpanBytes: spanBytes } : {}) } } : {}),
    ...(queries !== undefined ? { queriesPerSecond: typeof queries === 'number' ? queries : definedOnly(queries) } : {}),
    ...(retention !== undefined ? { retentionDays: definedOnly(retention) } : {}),
    ...(given.has('--zones') ? { zones: parsePositiveInteger('--zones', given.get('--zones')!, '3') } : {}),
    ...(backend ? { metricsBackend: backend } : {}),
  };
  return {
    load,
    out: given.get('--out') ?? join('dist', 'plan'),
    prices: get('--prices', (file) => readJson<PriceTable>('--prices', file, 'a JSON PriceTable')),
    base: get('--base', (file) => readJson<PlatformSpec>('--base', file, 'a JSON PlatformSpec')),
  };
}

/** The three files of a plan, by name: the report, its chart and the planned spec. */
export function planFiles(plan: CapacityPlan): Readonly<Record<'plan.md' | 'plan.svg' | 'spec.json', string>> {
  return { 'plan.md': capacityReportMarkdown(plan), 'plan.svg': capacityChartSvg(plan), 'spec.json': `${JSON.stringify(plan.spec, null, 2)}\n` };
}

/** Writes a plan's files into `dir`, each announced on the console. */
export function writePlanFiles(dir: string, plan: CapacityPlan): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(planFiles(plan))) {
    writeFileSync(join(dir, name), content);
    console.log(`wrote ${join(dir, name)}`);
  }
}

/** `obs-platform plan ...`: plans the platform for the load the flags give, prints a summary and writes the files. */
export function planCommand(args: readonly string[]): void {
  const { load, out, prices, base } = parsePlanArgs(args);
  const plan = planPlatform(load, { prices, base });
  const t = plan.totals;
  const c = plan.prices.currency;
  const objects =
    plan.objectStorage.where === 'bucket' ? `object storage ${money(t.cost.objectStorage + t.cost.requests, c)}` : "the objects on the embedded store's volume";
  console.log(`planned ${t.pods} pods: ${describeFootprint(t)}; ${formatBytes(t.objectBytes)} of objects`);
  console.log(
    `  ${money(t.cost.total, c)} a month: compute ${money(t.cost.cpu + t.cost.memory, c)}, volumes ${money(t.cost.volumes, c)}, ${objects} (${plan.prices.name}, ${plan.prices.asOf})`,
  );
  console.log(`  ${thousands(plan.components.filter((x) => x.sized).length)} components sized by the load, the rest at their defaults (see plan.md)`);
  for (const d of plan.decisions) console.log(`  ${d.what}`);
  for (const w of plan.warnings) console.log(`  warning: ${w}`);
  for (const w of plan.specWarnings) console.log(`  the planned spec warns: ${w}`);
  writePlanFiles(out, plan);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function readJson<T>(flag: string, file: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag} "${file}" cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}): give the path of ${what}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new UsageError(`${flag} "${file}" is not JSON (${(e as Error).message}): give ${what}`);
  }
}
