import { parseDuration } from '../core/duration';
import { Validator } from '../core/errors';
import { LOKI_LIMITS_KEYS } from './limits-keys';

/**
 * Limits of Loki's `limits_config`: for the whole cluster (`LokiClusterProps.limits`) or for one
 * tenant (`LokiTenant.limits`, through the runtime config, which Loki reloads without a restart).
 * Each field is one Loki key; unset keeps the cluster's value, else Loki's default.
 */
export interface LokiLimits {
  /** Ingestion rate per tenant in MB/s, shared by the distributors (`ingestion_rate_mb`). @default Loki's 4 */
  readonly ingestionRateMb?: number;
  /** Largest burst per distributor in MB (`ingestion_burst_size_mb`); at least the largest push. @default Loki's 6 */
  readonly ingestionBurstSizeMb?: number;
  /** Rate per stream (`per_stream_rate_limit`), e.g. "3MB". @default Loki's 3MB */
  readonly perStreamRateLimit?: string;
  /** Burst per stream (`per_stream_rate_limit_burst`), e.g. "15MB". @default Loki's 15MB */
  readonly perStreamRateLimitBurst?: string;
  /** Active streams per tenant across the cluster (`max_global_streams_per_user`). @default Loki's 5000 */
  readonly maxGlobalStreams?: number;
  /** Longest line accepted (`max_line_size`), e.g. "256KB"; longer lines are refused. @default Loki's 256KB */
  readonly maxLineSize?: string;
  /** Longest time range of one query (`max_query_length`). @default Loki's 30d1h */
  readonly maxQueryLength?: string;
  /** How far back queries may reach (`max_query_lookback`). @default unlimited (Loki's 0s) */
  readonly maxQueryLookback?: string;
  /** Sub-queries of one query run at once (`max_query_parallelism`). @default 32 */
  readonly maxQueryParallelism?: number;
  /** Most series one metric query returns (`max_query_series`). @default Loki's 500 */
  readonly maxQuerySeries?: number;
  /** Most log lines one query returns (`max_entries_limit_per_query`). @default Loki's 5000 */
  readonly maxEntriesPerQuery?: number;
  /** Time one query may run (`query_timeout`). @default Loki's 1m */
  readonly queryTimeout?: string;
  /**
   * Any other `limits_config` key, by its name in Loki's configuration reference, checked against
   * Loki 3.7.6's keys; one that a field above sets is refused here.
   * @default none
   */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

type Kind = 'rate' | 'count' | 'bytes' | 'duration';

/** Each typed field: its Loki key and the kind of value Loki reads there. */
const FIELDS: Readonly<Record<Exclude<keyof LokiLimits, 'overrides'>, readonly [key: string, kind: Kind]>> = {
  ingestionRateMb: ['ingestion_rate_mb', 'rate'],
  ingestionBurstSizeMb: ['ingestion_burst_size_mb', 'rate'],
  perStreamRateLimit: ['per_stream_rate_limit', 'bytes'],
  perStreamRateLimitBurst: ['per_stream_rate_limit_burst', 'bytes'],
  maxGlobalStreams: ['max_global_streams_per_user', 'count'],
  maxLineSize: ['max_line_size', 'bytes'],
  maxQueryLength: ['max_query_length', 'duration'],
  maxQueryLookback: ['max_query_lookback', 'duration'],
  maxQueryParallelism: ['max_query_parallelism', 'count'],
  maxQuerySeries: ['max_query_series', 'count'],
  maxEntriesPerQuery: ['max_entries_limit_per_query', 'count'],
  queryTimeout: ['query_timeout', 'duration'],
};

/** Sizes as Loki's flags read them (go-humanize): a number, then B, KB, KiB, MB, MiB... in any case. */
const BYTE_SIZE = /^\d+(\.\d+)?\s?([kmgtpe]i?b?|b)?$/i;

/** Loki's keys for `limits`, in the order of the fields, then the overrides. */
export function lokiLimitsConfig(limits: LokiLimits | undefined): Record<string, unknown> {
  if (!limits) return {};
  const typed = Object.entries(FIELDS)
    .filter(([field]) => limits[field as keyof typeof FIELDS] !== undefined)
    .map(([field, [key]]) => [key, limits[field as keyof typeof FIELDS]]);
  return { ...Object.fromEntries(typed), ...limits.overrides };
}

/**
 * Checks `limits` under `prefix` (e.g. `tenants[0].limits`) the way Loki reads them at start.
 * `owned` names the keys another prop sets (`retention_period` by `retention`), refused in the overrides.
 */
export function checkLokiLimits(v: Validator, prefix: string, limits: LokiLimits | undefined, owned: Readonly<Record<string, string>> = {}): void {
  if (!limits) return;
  for (const [field, [key, kind]] of Object.entries(FIELDS)) {
    const value = limits[field as keyof typeof FIELDS];
    if (value !== undefined) checkValue(v, `${prefix}.${field}`, value, key, kind);
  }
  for (const key of Object.keys(limits.overrides ?? {})) {
    const property = `${prefix}.overrides.${key}`;
    const value = limits.overrides![key];
    const known = LOKI_LIMITS_KEYS.has(key);
    if (
      !v.check(
        known,
        property,
        value,
        "is not a key of Loki 3.7.6's limits_config, so Loki would refuse to start",
        'use a key of the limits_config block in Loki\'s configuration reference, e.g. "max_streams_per_user"',
      )
    ) {
      continue;
    }
    const field = Object.entries(FIELDS).find(([, [k]]) => k === key)?.[0];
    const owner = field ? `${prefix}.${field}` : owned[key];
    v.check(owner === undefined, property, value, `sets what ${owner} sets`, `set ${owner} instead, and remove it from overrides`);
  }
}

function checkValue(v: Validator, property: string, value: unknown, key: string, kind: Kind): void {
  switch (kind) {
    case 'rate':
      v.check(
        typeof value === 'number' && Number.isFinite(value) && value > 0,
        property,
        value,
        `is not a positive number of MB (${key})`,
        'give a number such as 4 or 0.5',
      );
      return;
    case 'count':
      v.check(
        Number.isInteger(value) && (value as number) > 0,
        property,
        value,
        `must be a whole number greater than 0 (${key})`,
        'give a positive whole number',
      );
      return;
    case 'bytes':
      v.check(typeof value === 'string' && BYTE_SIZE.test(value), property, value, `is not a size Loki reads (${key})`, 'write it as "256KB", "3MB" or "1MiB"');
      return;
    case 'duration':
      v.check(
        typeof value === 'string' && parseDuration(value) !== undefined,
        property,
        value,
        `is not a duration Loki reads (${key})`,
        'write it as a number with a unit, such as "1m", "721h" or "30d"',
      );
  }
}
