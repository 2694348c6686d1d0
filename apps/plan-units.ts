import { UsageError } from './usage-error';

/**
 * The units `obs-platform plan` reads: volumes per day, counts and rates with k/M/G, sizes in
 * bytes, days. Each parser names the flag, the value and the form it wants when it refuses one.
 */

const NUMBER = '(\\d+(?:\\.\\d+)?)';
const SI: Readonly<Record<string, number>> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9 };
const BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

function refuse(flag: string, value: string, what: string, example: string): never {
  throw new UsageError(`${flag} "${value}" is not ${what}: give e.g. ${flag} ${example}`);
}

/** `500GB/day`, `1.5TB/d`, `800MiB/day` → GB (10^9 bytes) per day. */
export function parseVolumePerDay(flag: string, value: string, example: string): number {
  const m = new RegExp(`^${NUMBER}\\s*([kmgt]i?b)\\/(day|d)$`, 'i').exec(value.trim());
  if (!m) refuse(flag, value, 'a volume per day (a number, a unit of MB, GB or TB, and /day)', example);
  return (Number(m[1]) * BYTES[m[2].toLowerCase()]) / 1e9;
}

/** `2M`, `100k`, `1500` → a count; with `perSecond`, the value must end in `/s` (`70k/s`). */
export function parseCount(flag: string, value: string, example: string, perSecond: boolean): number {
  const m = new RegExp(`^${NUMBER}([kKmMgG]?)${perSecond ? '\\/s' : ''}$`).exec(value.trim());
  if (!m) refuse(flag, value, perSecond ? 'a rate per second (a number, optionally k or M, and /s)' : 'a count (a number, optionally k or M)', example);
  return Number(m[1]) * SI[m[2]];
}

/** `500`, `500B`, `2KB`, `1KiB` → bytes. */
export function parseBytes(flag: string, value: string, example: string): number {
  const m = new RegExp(`^${NUMBER}\\s*([kmg]?i?b)?$`, 'i').exec(value.trim());
  if (!m || Number(m[1]) <= 0) refuse(flag, value, 'a size in bytes (a number, optionally B, KB or KiB)', example);
  return Number(m[1]) * BYTES[(m[2] ?? 'b').toLowerCase()];
}

/** `30d` → 30. */
export function parseDays(flag: string, value: string, example: string): number {
  const m = /^(\d+)d$/.exec(value.trim());
  if (!m || Number(m[1]) < 1) refuse(flag, value, 'a whole number of days, written with d', example);
  return Number(m[1]);
}

/** A whole number of at least 1. */
export function parsePositiveInteger(flag: string, value: string, example: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) refuse(flag, value, 'a whole number of at least 1', example);
  return Number(value);
}

/**
 * `logs=30d,metrics=90d` → `{ logs: 30, metrics: 90 }`, with each value read by `parse`; the keys
 * must be signals, each given once.
 */
export function parsePerSignal(
  flag: string,
  value: string,
  example: string,
  parse: (text: string) => number,
): Record<'logs' | 'metrics' | 'traces', number | undefined> {
  const out: Record<'logs' | 'metrics' | 'traces', number | undefined> = { logs: undefined, metrics: undefined, traces: undefined };
  for (const part of value.split(',')) {
    const [key, text, ...rest] = part.split('=');
    if (text === undefined || rest.length > 0 || !(key in out) || out[key as keyof typeof out] !== undefined)
      refuse(flag, value, 'a list of signal=value pairs, each of logs, metrics and traces at most once', example);
    out[key as keyof typeof out] = parse(text);
  }
  return out;
}
