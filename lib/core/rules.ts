import { RuleResult } from './errors';

/**
 * Reusable validation rules. Each returns `undefined` for a good value, or the problem and the fix.
 * They know nothing of constructs, so any component (and the cdktf side) can use them.
 */

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A name that must be a DNS label. Names that become Service names must also start with a letter
 * (RFC 1035); namespaces may start with a digit (RFC 1123), so they pass `startWithLetter: false`.
 */
export function dnsLabel(value: string, maxLength = 63, startWithLetter = true): RuleResult {
  if (typeof value !== 'string' || value.length === 0) {
    return { problem: 'must be a non-empty DNS label', fix: 'use lower-case letters, digits and "-"' };
  }
  if (value.length > maxLength) {
    return { problem: `is ${value.length} characters long, more than the ${maxLength} allowed`, fix: `shorten it to ${maxLength} characters or fewer` };
  }
  if (!(startWithLetter ? RFC1035_LABEL : RFC1123_LABEL).test(value)) {
    return {
      problem: `is not a DNS label (lower-case letters, digits and "-", starting with a ${startWithLetter ? 'letter' : 'letter or digit'} and ending with a letter or digit)`,
      fix: `use something like "${suggestDnsLabel(value)}"`,
    };
  }
  return undefined;
}

/** A namespace name: an RFC 1123 label, which may start with a digit. */
export function namespaceName(value: string): RuleResult {
  return dnsLabel(value, 63, false);
}

/** Turns any string into the nearest DNS label, for error messages. */
export function suggestDnsLabel(value: string): string {
  // "Überwachung" suggests "uberwachung", not "berwachung": accents go, the letters stay.
  const ascii = String(value)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
  const cleaned = ascii
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '')
    .replace(/-+$/, '');
  return cleaned.slice(0, 63).replace(/-+$/, '') || 'my-name';
}

/** A replica count: a whole number of at least `min`. */
export function replicaCount(value: number, min = 1): RuleResult {
  if (!Number.isInteger(value) || value < min) {
    return { problem: `must be a whole number of at least ${min}`, fix: `set it to ${min} or more` };
  }
  return undefined;
}

/** A positive whole number (ports, sizes in MB, seconds). */
export function positiveInteger(value: number): RuleResult {
  if (!Number.isInteger(value) || value <= 0) {
    return { problem: 'must be a whole number greater than 0', fix: 'give a positive whole number' };
  }
  return undefined;
}

/** A Kubernetes quantity (apimachinery's grammar): a number, then a binary, decimal or exponent suffix. */
const QUANTITY = /^\+?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][-+]?\d+)?$/;

/** A Kubernetes resource quantity such as `500m`, `2`, `512Mi`, `10Gi`; never negative. */
export function quantity(value: string): RuleResult {
  if (typeof value !== 'string' || !QUANTITY.test(value)) {
    return { problem: 'is not a Kubernetes quantity', fix: 'use a form such as "500m", "2", "512Mi" or "10Gi"' };
  }
  return undefined;
}

/** Bytes in a Kubernetes quantity (`10Gi`, `500M`, `1e9`), or undefined when it is not one. */
export function quantityBytes(value: string): number | undefined {
  const m = typeof value === 'string' ? QUANTITY.exec(value) : null;
  if (!m) return undefined;
  const units: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
  };
  const suffix = m[3] ?? '';
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : (units[suffix] ?? 1);
  return Number(m[1]) * factor;
}

/**
 * The size of a volume: a quantity of at least one MiB, in bytes (`10Gi`, `500M`). `10GB` is not a
 * quantity, `0` would make a claim no provisioner fills, and `100m` is a thousandth of a byte.
 */
export function volumeSize(value: string): RuleResult {
  const bytes = quantityBytes(value);
  if (bytes === undefined) {
    return { problem: 'is not a Kubernetes quantity (sizes are written like "10Gi" or "500M", not "10GB")', fix: 'write it as "10Gi"' };
  }
  if (bytes < 2 ** 20) return { problem: 'is smaller than 1Mi, which no volume can be', fix: 'give a size such as "10Gi"' };
  return undefined;
}

/** An http(s) URL with a host, as clients take it. */
export function httpUrl(value: string): RuleResult {
  if (typeof value !== 'string' || !/^https?:\/\/[^\s/?#]+[^\s]*$/.test(value)) {
    return { problem: 'is not an http(s) URL', fix: 'give a URL such as "http://loki-gateway.observability.svc.cluster.local"' };
  }
  return undefined;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A Prometheus label name, as external labels, replica labels and `--label` take. */
export function labelName(value: string): RuleResult {
  if (typeof value !== 'string' || !LABEL_NAME.test(value)) {
    return { problem: 'is not a Prometheus label name', fix: 'use letters, digits and "_", not starting with a digit' };
  }
  return undefined;
}
