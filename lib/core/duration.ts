import { RuleResult } from './errors';

/**
 * Durations in the form Loki, Thanos and Prometheus accept in their config files
 * (Prometheus `model.Duration`): units y, w, d, h, m, s, ms in that order, e.g. `744h`, `30d`, `1d12h`.
 */
const UNITS_MS: ReadonlyArray<[string, number]> = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds in `value`, or undefined when it is not a valid duration. `0` alone is accepted. */
export function parseDuration(value: string): number | undefined {
  if (value === '0') return 0;
  if (typeof value !== 'string' || value === '') return undefined;
  const match = DURATION.exec(value);
  if (!match) return undefined;
  return UNITS_MS.reduce((total, [, ms], i) => total + (match[i + 1] ? Number(match[i + 1]) * ms : 0), 0);
}

/** Formats milliseconds as whole hours, the unit used in fix suggestions (`24h`). */
export function formatHours(ms: number): string {
  return `${Math.ceil(ms / 3600_000)}h`;
}

/** A duration that parses and is at least `minMs` long. */
export function durationAtLeast(value: string, minMs: number, why: string): RuleResult {
  const ms = parseDuration(value);
  if (ms === undefined) {
    return { problem: 'is not a duration', fix: 'write it as a number with a unit, such as "744h", "30d" or "2w"' };
  }
  if (ms < minMs) {
    return { problem: `is shorter than the minimum of ${formatHours(minMs)} (${why})`, fix: `set it to "${formatHours(minMs)}" or longer` };
  }
  return undefined;
}

const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s))+$/;
const GO_UNITS_MS: Record<string, number> = { h: 3600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds of a Go duration (`15s`, `1m30s`, `1.5m`), or undefined. */
export function parseGoDuration(value: string): number | undefined {
  if (typeof value !== 'string' || !GO_DURATION.test(value)) return undefined;
  return [...value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)].reduce((ms, [, n, unit]) => ms + Number(n) * GO_UNITS_MS[unit], 0);
}
