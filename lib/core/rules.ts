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
  const cleaned = String(value).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+|-+$/g, '');
  return cleaned.slice(0, 63) || 'my-name';
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

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

/** A Kubernetes resource quantity such as `500m`, `2`, `512Mi`, `10Gi`. */
export function quantity(value: string): RuleResult {
  if (typeof value !== 'string' || !QUANTITY.test(value)) {
    return { problem: 'is not a Kubernetes quantity', fix: 'use a form such as "500m", "2", "512Mi" or "10Gi"' };
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
