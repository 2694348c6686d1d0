import { CapacityRule } from './rule';
import { capacityRule } from './rules';
import { PlannedFigure } from './figure';
import { describeFigure, money, thousands } from './format';
import type { CapacityPlan, ComponentPlan } from './plan';
import { MB, formatBytes, round2 } from './units';

/** Options of {@link capacityReportMarkdown}. */
export interface CapacityReportOptions {
  /** The file name of the plan's chart (`capacityChartSvg`) beside the report, to show it; `false` for none. @default "plan.svg" */
  readonly chart?: string | false;
}

/**
 * The plan as a Markdown page: the load, the choices, the totals, a table of every component,
 * each sized component's figures with the rule and source of each, the warnings, the assumptions,
 * and the rules used. Deterministic: the same plan gives the same page.
 */
export function capacityReportMarkdown(plan: CapacityPlan, options: CapacityReportOptions = {}): string {
  const chart = options.chart ?? 'plan.svg';
  const c = plan.prices.currency;
  const t = plan.totals;
  const lines: string[] = [
    '# Capacity plan',
    '',
    `A platform sized for the load below by \`planPlatform\` of \`@obs-platform/constructs\`, priced at ${plan.prices.name} (prices of ${plan.prices.asOf}). ` +
      'Every figure names the rule it comes from; the rules cite their source.',
    '',
    ...loadSection(plan),
    '## Choices',
    '',
    ...plan.decisions.map((d) => `- ${d.what}: ${d.because} (rule \`${d.rule}\`).`),
    '',
    '## Totals',
    '',
    `| Pods | CPU requested | Memory requested | Volumes | Objects kept | Compute / month | Volumes / month | Object storage / month | Total / month |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${t.pods} | ${round2(t.cpu)} cores | ${formatBytes(t.memoryBytes)} | ${formatBytes(t.storageBytes)} | ${formatBytes(t.objectBytes)} | ${money(t.cost.cpu + t.cost.memory, c)} | ${money(t.cost.volumes, c)} | ${money(t.cost.objectStorage + t.cost.requests, c)} | **${money(t.cost.total, c)}** |`,
    '',
    ...(chart ? [`![Monthly cost, CPU and memory per component](${chart})`, ''] : []),
    '## Components',
    '',
    'Pods, requests and volumes as the planned spec synthesizes (a DaemonSet on one node).',
    '',
    '| Component | Kind | Pods | CPU | Memory | Volumes | Cost / month |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...plan.components.map(
      (p) =>
        `| ${p.sized ? `[${p.name}](#${anchor(p.name)})` : `${p.name} (defaults)`} | ${p.kind} | ${p.pods} | ${round2(p.cpu)} | ${formatBytes(p.memoryBytes)} | ${formatBytes(p.storageBytes + p.objectBytes)} | ${money(p.cost.total, c)} |`,
    ),
    '',
    ...plan.components.filter((p) => p.sized).flatMap((p) => componentSection(p, c)),
    '## Warnings',
    '',
    ...(plan.warnings.length ? plan.warnings.map((w) => `- ${w}`) : ['None: every figure fits within its rule.']),
    '',
    ...(plan.specWarnings.length
      ? [
          'The planned spec synthesizes with these warnings, for the spec it starts from to fix or acknowledge:',
          '',
          ...plan.specWarnings.map((w) => `- ${cell(w)}`),
          '',
        ]
      : []),
    '## Assumptions',
    '',
    ...plan.assumptions.map((a) => `- ${a}`),
    '',
    '## Prices',
    '',
    `${plan.prices.name}, as of ${plan.prices.asOf}: ${money1(plan.prices.cpuCoreHour, c)} per core-hour, ${money1(plan.prices.memoryGibHour, c)} per GiB-hour, ` +
      `${money1(plan.prices.volumeGibMonth, c)} per volume GiB-month, ${money1(plan.prices.objectGibMonth, c)} per object GiB-month, ` +
      `${money1(plan.prices.putsPer1000, c)} per 1,000 writes and ${money1(plan.prices.getsPer1000, c)} per 1,000 reads, ${plan.prices.hoursPerMonth} hours a month.`,
    '',
    ...plan.prices.sources.map((s) => `- [${s.title}](${s.url})`),
    '',
    '## Rules used',
    '',
    '| Rule | Value | Bounds | Why | Source |',
    '|---|---|---|---|---|',
    ...rulesUsed(plan).map(
      (r) =>
        `| \`${r.id}\`${r.judgment ? ' ◆' : ''} | ${round2(r.value)} ${r.unit} | ${bounds(r)} | ${cell(r.note)} | [${cell(r.source.title)}](${r.source.url}) |`,
    ),
    '',
    '◆ our engineering judgment, where upstream publishes no figure.',
    '',
  ];
  return lines.join('\n');
}

function loadSection(plan: CapacityPlan): string[] {
  const l = plan.load;
  const tenants = l.logs.tenants.length ? ` (tenants: ${l.logs.tenants.map((x) => `${x.id} ${round2(x.gbPerDay)} GB/day`).join(', ')})` : '';
  const backend = l.metricsBackend === 'victoriametrics' ? 'VictoriaMetrics' : 'Thanos';
  return [
    '## Load',
    '',
    '| Signal | Load | Retention | Queries |',
    '|---|---|---:|---:|',
    `| Logs | ${thousands(l.logs.gbPerDay)} GB/day (${round2(l.logs.bytesPerSecond / MB)} MB/s), ${thousands(Math.round(l.logs.linesPerSecond))} lines/s${tenants} | ${l.retentionDays.logs} days | ${round2(l.queries.logs)}/s |`,
    `| Metrics (${backend}) | ${thousands(l.metrics.activeSeries)} active series, ${thousands(Math.round(l.metrics.samplesPerSecond))} samples/s | ${l.retentionDays.metrics} days | ${round2(l.queries.metrics)}/s |`,
    `| Traces | ${thousands(l.traces.spansPerSecond)} spans/s × ${thousands(l.traces.spanBytes)} bytes (${round2(l.traces.bytesPerSecond / MB)} MB/s) | ${l.retentionDays.traces} days | ${round2(l.queries.traces)}/s |`,
    '',
    l.zones === undefined ? 'Zones: not given.' : `Zones: ${l.zones}.`,
    '',
  ];
}

function componentSection(p: ComponentPlan, currency: string): string[] {
  const cost = p.cost;
  const paid = [
    cost.cpu + cost.memory > 0 ? `compute ${money(cost.cpu + cost.memory, currency)}` : '',
    cost.volumes > 0 ? `volumes ${money(cost.volumes, currency)}` : '',
    cost.objectStorage > 0 ? `objects ${money(cost.objectStorage, currency)}` : '',
    cost.requests > 0 ? `requests ${money(cost.requests, currency)}` : '',
  ].filter((x) => x);
  return [
    `### ${p.name}`,
    '',
    `${money(cost.total, currency)} a month${paid.length ? ` (${paid.join(', ')})` : ''}.`,
    '',
    '| Figure | Value | Worked out as | Rule |',
    '|---|---:|---|---|',
    ...p.figures.map((f) => figureRow(f)),
    '',
  ];
}

function figureRow(f: PlannedFigure): string {
  const rule = capacityRule(f.rule);
  const cut = f.uncapped !== undefined ? ` (needs ${describeFigure({ value: f.uncapped, unit: f.unit })})` : '';
  return `| ${cell(f.name)} | ${describeFigure(f)}${cut} | ${cell(f.basis)} | [\`${f.rule}\`](${rule.source.url})${rule.judgment ? ' ◆' : ''} |`;
}

function rulesUsed(plan: CapacityPlan): CapacityRule[] {
  const ids = new Set([...plan.components.flatMap((p) => p.figures.map((f) => f.rule)), ...plan.decisions.map((d) => d.rule)]);
  return [...ids].sort().map(capacityRule);
}

function bounds(r: CapacityRule): string {
  if (r.min === undefined && r.max === undefined) return '';
  const show = (n: number) => (n >= 2 ** 20 && Number.isInteger(n / 2 ** 20) ? formatBytes(n) : round2(n));
  return `${r.min === undefined ? '' : show(r.min)} – ${r.max === undefined ? '' : show(r.max)}`;
}

/** A price with up to six decimals, so that small unit prices stay readable. */
function money1(n: number, currency: string): string {
  const text = Number(n.toPrecision(6)).toString();
  return currency === 'USD' ? `$${text}` : `${text} ${currency}`;
}

/** Text for a table cell: pipes escaped, on one line. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** GitHub's heading anchor of a component's section. */
function anchor(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}
