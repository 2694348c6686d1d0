/** Byte multiples: the planner counts decimal units where upstream quotes GB and TB, binary ones for Kubernetes quantities. */
export const KB = 1e3;
export const MB = 1e6;
export const GB = 1e9;
export const TB = 1e12;
export const MIB = 2 ** 20;
export const GIB = 2 ** 30;
export const TIB = 2 ** 40;

/** Seconds in a day. */
export const DAY_SECONDS = 86_400;
/** Seconds in the month a plan counts requests over: 730 hours, as AWS bills. */
export const MONTH_SECONDS = 730 * 3600;

/** CPU cores as a Kubernetes quantity, in whole millicores: `1.25` → `"1250m"`. */
export function cpuQuantity(cores: number): string {
  return `${Math.round(cores * 1000)}m`;
}

/** Bytes as a Kubernetes quantity in whole MiB, the unit memory requests are planned in. */
export function memoryQuantity(bytes: number): string {
  return `${Math.round(bytes / MIB)}Mi`;
}

/** Bytes as a Kubernetes quantity in whole GiB, the unit volumes are planned in. */
export function volumeQuantity(bytes: number): string {
  return `${Math.round(bytes / GIB)}Gi`;
}

/** Up to whole millicores, so that a planned figure is exactly what the spec asks for. */
export function ceilCores(cores: number): number {
  return Math.ceil(Math.round(cores * 1e6) / 1e3) / 1000;
}

/** Up to whole MiB. */
export function ceilMib(bytes: number): number {
  return Math.ceil(Math.round(bytes) / MIB) * MIB;
}

/** Up to whole GiB. */
export function ceilGib(bytes: number): number {
  return Math.ceil(Math.round(bytes) / GIB) * GIB;
}

/** `1.5 GiB`, `320 MiB`, `2.1 TiB`: bytes for people, two decimals at most. */
export function formatBytes(bytes: number): string {
  const units: Array<[number, string]> = [
    [TIB, 'TiB'],
    [GIB, 'GiB'],
    [MIB, 'MiB'],
  ];
  for (const [size, name] of units) if (bytes >= size) return `${round2(bytes / size)} ${name}`;
  return `${round2(bytes)} B`;
}

/** A number with at most two decimals, as text. */
export function round2(n: number): string {
  return Number(n.toFixed(2)).toString();
}
