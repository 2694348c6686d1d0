import { checkWorkloadOptions } from '../core/check-options';
import { durationAtLeast } from '../core/duration';
import { Validator } from '../core/errors';
import { dnsLabel, namespaceName } from '../core/rules';
import { ThanosComponentProps } from './component';

/** Prometheus label names: what `--label` and external labels accept. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Checks what every Thanos component takes: its instance name, namespace and workload options. */
export function checkThanosComponent(v: Validator, props: ThanosComponentProps, longestSuffix: number, prefix = ''): void {
  const name = props.name ?? 'thanos';
  v.apply(`${prefix}name`, name, dnsLabel(name, 63 - longestSuffix));
  v.apply(`${prefix}namespace`, props.namespace, namespaceName(props.namespace));
  checkWorkloadOptions(v, prefix.replace(/\.$/, ''), props);
}

/** A duration that Thanos parses and that is at least `minMs` long. */
export function checkDuration(v: Validator, property: string, value: string, minMs: number, why: string): boolean {
  return v.apply(property, value, durationAtLeast(value, minMs, why));
}

/** External labels: valid names, and none that the construct sets itself. */
export function checkExternalLabels(v: Validator, labels: Readonly<Record<string, string>> | undefined, reserved: readonly string[], property = 'externalLabels'): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    v.check(LABEL_NAME.test(key), `${property}.${key}`, value, 'has a key that is not a Prometheus label name', 'use letters, digits and "_", not starting with a digit');
    v.check(!reserved.includes(key), `${property}.${key}`, value, `sets a label the construct sets itself (${reserved.join(', ')})`, 'choose another label name');
  }
}

/** `--label=key="value"`: Thanos parses the value as a quoted string. */
export function labelFlag(key: string, value: string): string {
  return `--label=${key}=${JSON.stringify(value)}`;
}

/** A label name check for single props such as `replicaLabel`. */
export function checkLabelName(v: Validator, property: string, value: string): boolean {
  return v.check(LABEL_NAME.test(value), property, value, 'is not a Prometheus label name', 'use letters, digits and "_", not starting with a digit');
}
