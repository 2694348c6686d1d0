import { Validator } from '../../core/errors';
import type { MetricsBackendKind } from '../../platform/spec';
import { capacityRule } from './rules';
import { GB, DAY_SECONDS } from './units';

/** One Loki tenant's share of the logs. */
export interface LogTenantLoad {
  /** The tenant id (`X-Scope-OrgID`). */
  readonly id: string;
  /** Its logs, in GB (10^9 bytes) per day. */
  readonly gbPerDay: number;
  /** Its lines per second. @default its share of the lines, by volume */
  readonly linesPerSecond?: number;
}

/** The logs the platform takes in. */
export interface LogsLoad {
  /** Logs in GB (10^9 bytes) per day, every tenant together. @default the sum of `tenants`, else 0 */
  readonly gbPerDay?: number;
  /** Log lines per second, every tenant together. @default the volume ÷ 250 bytes per line */
  readonly linesPerSecond?: number;
  /**
   * Each tenant's share, for Loki limits per tenant. Their volumes may not add up to more than
   * `gbPerDay`.
   * @default one tenant, "platform", with everything
   */
  readonly tenants?: readonly LogTenantLoad[];
}

/** The metrics the backend takes in. */
export interface MetricsLoad {
  /** Active series (each updated within the last hour), before replication. */
  readonly activeSeries: number;
  /** Samples per second. @default active series ÷ a 30 s scrape interval */
  readonly samplesPerSecond?: number;
}

/** The traces Tempo takes in. */
export interface TracesLoad {
  /** Spans per second. */
  readonly spansPerSecond: number;
  /** Average size of a span, in bytes. @default 500 */
  readonly averageSpanBytes?: number;
}

/** Queries per second of each signal. */
export interface QueryLoad {
  /** LogQL queries per second. @default 1 */
  readonly logs?: number;
  /** PromQL queries per second. @default 1 */
  readonly metrics?: number;
  /** Trace searches and lookups per second. @default 1 */
  readonly traces?: number;
}

/** How long each signal is kept, in days. */
export interface RetentionDays {
  /** @default 31 (Loki's default of 744h) */
  readonly logs?: number;
  /** At least 2 (Thanos downsamples raw blocks once they are 40h old). @default 90 */
  readonly metrics?: number;
  /** @default 14 (Tempo's default of 336h) */
  readonly traces?: number;
}

/** The load a platform is planned for. Every signal left out counts as none, and is planned at its floor. */
export interface PlatformLoad {
  /** Logs. @default none */
  readonly logs?: LogsLoad;
  /** Metrics. @default none */
  readonly metrics?: MetricsLoad;
  /** Traces. @default none */
  readonly traces?: TracesLoad;
  /** Queries per second of each signal, or one rate for each. @default 1 per signal */
  readonly queriesPerSecond?: number | QueryLoad;
  /** How long each signal is kept. @default logs 31, metrics 90, traces 14 days */
  readonly retentionDays?: RetentionDays;
  /** Availability zones the nodes span; replicas then suit the zones and stores survive a zone's loss. @default unknown: no zone planning */
  readonly zones?: number;
  /** The metrics backend. @default "thanos" */
  readonly metricsBackend?: MetricsBackendKind;
}

/** The load with every default filled in and the rates the rules read. */
export interface ResolvedLoad {
  readonly logs: {
    readonly gbPerDay: number;
    readonly bytesPerSecond: number;
    readonly linesPerSecond: number;
    /** Given tenants, or empty: then one tenant of Loki's takes everything. */
    readonly tenants: ReadonlyArray<{ readonly id: string; readonly gbPerDay: number; readonly linesPerSecond: number }>;
  };
  readonly metrics: { readonly activeSeries: number; readonly samplesPerSecond: number };
  readonly traces: { readonly spansPerSecond: number; readonly spanBytes: number; readonly bytesPerSecond: number };
  readonly queries: { readonly logs: number; readonly metrics: number; readonly traces: number };
  readonly retentionDays: { readonly logs: number; readonly metrics: number; readonly traces: number };
  readonly zones?: number;
  readonly metricsBackend: MetricsBackendKind;
}

/** Loki's tenant ids: up to 150 of these characters. */
const TENANT_ID = /^[A-Za-z0-9!._*'()-]{1,150}$/;

/** Checks a load and fills in its defaults; every problem is reported at once, as a `ValidationError`. */
export function resolveLoad(load: PlatformLoad): ResolvedLoad {
  const v = new Validator('PlatformLoad');
  const rate = (property: string, value: number | undefined, example: string): number => {
    if (value === undefined) return 0;
    v.check(
      typeof value === 'number' && Number.isFinite(value) && value >= 0,
      property,
      value,
      'is not a rate of zero or more',
      `give a number such as ${example}`,
    );
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
  };
  const tenantsGiven = load.logs?.tenants ?? [];
  const tenantTotal = tenantsGiven.reduce((sum, t, i) => sum + rate(`logs.tenants[${i}].gbPerDay`, t.gbPerDay, '50'), 0);
  const gbPerDay = load.logs?.gbPerDay === undefined ? tenantTotal : rate('logs.gbPerDay', load.logs.gbPerDay, '500');
  checkTenants(v, tenantsGiven, tenantTotal, gbPerDay, load.logs?.gbPerDay !== undefined);
  const bytesPerSecond = (gbPerDay * GB) / DAY_SECONDS;
  const lineBytes = capacityRule('logs.lineBytes').value;
  const linesPerSecond = load.logs?.linesPerSecond === undefined ? bytesPerSecond / lineBytes : rate('logs.linesPerSecond', load.logs.linesPerSecond, '50000');
  const tenants = tenantsGiven.map((t, i) => ({
    id: t.id,
    gbPerDay: t.gbPerDay,
    linesPerSecond:
      t.linesPerSecond === undefined
        ? gbPerDay > 0
          ? (linesPerSecond * t.gbPerDay) / gbPerDay
          : 0
        : rate(`logs.tenants[${i}].linesPerSecond`, t.linesPerSecond, '1000'),
  }));

  const activeSeries = rate('metrics.activeSeries', load.metrics?.activeSeries, '2000000');
  const samplesPerSecond =
    load.metrics?.samplesPerSecond === undefined
      ? activeSeries / capacityRule('metrics.samplesPerSeries').value
      : rate('metrics.samplesPerSecond', load.metrics.samplesPerSecond, '70000');
  const spansPerSecond = rate('traces.spansPerSecond', load.traces?.spansPerSecond, '10000');
  const spanBytes = load.traces?.averageSpanBytes ?? capacityRule('traces.spanBytes').value;
  v.check(Number.isFinite(spanBytes) && spanBytes > 0, 'traces.averageSpanBytes', spanBytes, 'is not a size in bytes', 'give the average span size, e.g. 500');

  const q = load.queriesPerSecond;
  const each = typeof q === 'number' ? q : undefined;
  const queries = {
    logs: rate('queriesPerSecond.logs', typeof q === 'object' ? (q.logs ?? 1) : (each ?? 1), '5'),
    metrics: rate('queriesPerSecond.metrics', typeof q === 'object' ? (q.metrics ?? 1) : (each ?? 1), '5'),
    traces: rate('queriesPerSecond.traces', typeof q === 'object' ? (q.traces ?? 1) : (each ?? 1), '1'),
  };
  const days = (signal: 'logs' | 'metrics' | 'traces', fallback: number, least: number, why: string): number => {
    const value = load.retentionDays?.[signal] ?? fallback;
    const ok = Number.isInteger(value) && value >= least;
    v.check(ok, `retentionDays.${signal}`, value, `is not a whole number of days of at least ${least} (${why})`, `give e.g. ${fallback}`);
    return ok ? value : fallback;
  };
  const retentionDays = {
    logs: days('logs', 31, 1, "Loki's retention works on daily index tables"),
    metrics: days('metrics', 90, 2, 'Thanos downsamples raw blocks once they are 40h old'),
    traces: days('traces', 14, 1, 'a day at least'),
  };
  if (load.zones !== undefined)
    v.check(
      Number.isInteger(load.zones) && load.zones >= 1,
      'zones',
      load.zones,
      'is not a number of zones',
      'give how many availability zones the nodes span, e.g. 3',
    );
  const metricsBackend = load.metricsBackend ?? 'thanos';
  v.check(
    ['thanos', 'victoriametrics'].includes(metricsBackend),
    'metricsBackend',
    metricsBackend,
    'is not a metrics backend the platform runs',
    'use "thanos" or "victoriametrics"',
  );
  v.throwIfAny();
  return {
    logs: { gbPerDay, bytesPerSecond, linesPerSecond, tenants },
    metrics: { activeSeries, samplesPerSecond },
    traces: { spansPerSecond, spanBytes, bytesPerSecond: spansPerSecond * spanBytes },
    queries,
    retentionDays,
    zones: load.zones,
    metricsBackend,
  };
}

function checkTenants(v: Validator, tenants: readonly LogTenantLoad[], tenantTotal: number, gbPerDay: number, totalGiven: boolean): void {
  const seen = new Set<string>();
  tenants.forEach((t, i) => {
    v.check(
      typeof t.id === 'string' && TENANT_ID.test(t.id) && !seen.has(t.id),
      `logs.tenants[${i}].id`,
      t.id,
      'is not a Loki tenant id, or is listed twice',
      "give each tenant once, with up to 150 letters, digits and ! - _ . * ' ( )",
    );
    seen.add(t.id);
  });
  if (totalGiven)
    v.check(
      tenantTotal <= gbPerDay * (1 + 1e-9),
      'logs.tenants',
      tenants.map((t) => `${t.id}=${t.gbPerDay}`).join(', '),
      `add up to ${tenantTotal} GB/day, more than logs.gbPerDay (${gbPerDay})`,
      'raise logs.gbPerDay to the total, or leave it out to take the sum of the tenants',
    );
}
