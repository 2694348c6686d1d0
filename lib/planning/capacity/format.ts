import { PlannedFigure } from './figure';
import { formatBytes, round2 } from './units';

/** `12,345`: a whole number with thousands separators, the same on every machine (no locale). */
export function thousands(n: number): string {
  const [whole, fraction] = round2(n).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction ? `${grouped}.${fraction}` : grouped;
}

/** `$1,234`: a monthly amount, whole units of the currency. */
export function money(n: number, currency: string): string {
  const whole = thousands(Math.round(n));
  return currency === 'USD' ? `$${whole}` : `${whole} ${currency}`;
}

/** `2.5 cores`, `1.5 GiB`, `3 pods`: a figure's value with its unit. */
export function describeFigure(f: Pick<PlannedFigure, 'value' | 'unit'>): string {
  switch (f.unit) {
    case 'bytes':
      return formatBytes(f.value);
    case 'cores':
      return `${round2(f.value)} ${f.value === 1 ? 'core' : 'cores'}`;
    case 'pods':
      return `${f.value} ${f.value === 1 ? 'pod' : 'pods'}`;
    case 'MiB':
      return `${thousands(f.value)} MiB`;
    case 'MB':
      return `${round2(f.value)} MB`;
    case 'count':
      return thousands(f.value);
    case 'requests/month':
      return `${thousands(f.value)} a month`;
    default:
      return `${round2(f.value)} ${f.unit}`;
  }
}
