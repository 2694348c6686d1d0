import { RuleResult } from '../core/errors';
import { formatHours, parseDuration } from '../core/duration';

/** vmstorage counts a month as 31 days. */
const MONTH_MS = 31 * 24 * 3600_000;
/** The shortest retention vmstorage accepts. */
export const MIN_RETENTION_MS = 24 * 3600_000;

/**
 * Milliseconds in a `-retentionPeriod` value, or undefined: a bare number counts months, `M` is
 * months, and otherwise units from seconds to years (`90d`, `2w`, `1y`). A lower-case `m` would
 * be minutes, which vmstorage refuses for retention.
 */
export function parseRetention(value: string): number | undefined {
  const months = /^(\d+(?:\.\d+)?)M?$/.exec(value);
  if (months) return Number(months[1]) * MONTH_MS;
  if (/\d+m(?!s)/.test(value)) return undefined;
  return parseDuration(value);
}

/** A retention vmstorage accepts: it parses and is at least 24h. */
export function retentionRule(value: string): RuleResult {
  const ms = parseRetention(value);
  if (ms === undefined) {
    return { problem: 'is not a retention vmstorage accepts', fix: 'write it as "90d", "12w", "1y" or "3M" (months with a capital M)' };
  }
  if (ms < MIN_RETENTION_MS) {
    return { problem: `is below vmstorage's minimum retention of ${formatHours(MIN_RETENTION_MS)}`, fix: 'set it to "1d" or longer' };
  }
  return undefined;
}
