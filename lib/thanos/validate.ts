import { IMAGES } from '../core/images';
import { checkWorkloadOptions } from '../core/check-options';
import { durationAtLeast } from '../core/duration';
import { Validator } from '../core/errors';
import { dnsLabel, namespaceName } from '../core/rules';
import { ThanosComponentProps } from './component';

/** Checks what every Thanos component takes: its instance name, namespace and workload options. */
export function checkThanosComponent(v: Validator, props: ThanosComponentProps, longestSuffix: number, prefix = ''): void {
  const name = props.name ?? 'thanos';
  v.apply(`${prefix}name`, name, dnsLabel(name, 63 - longestSuffix));
  v.apply(`${prefix}namespace`, props.namespace, namespaceName(props.namespace));
  checkWorkloadOptions(v, prefix.replace(/\.$/, ''), props, IMAGES.thanos);
}

/** A duration that Thanos parses and that is at least `minMs` long. */
export function checkDuration(v: Validator, property: string, value: string, minMs: number, why: string): boolean {
  return v.apply(property, value, durationAtLeast(value, minMs, why));
}

/** `--label=key="value"`: Thanos parses the value as a quoted string. */
export function labelFlag(key: string, value: string): string {
  return `--label=${key}=${JSON.stringify(value)}`;
}
