import { createHash } from 'node:crypto';
import { Lazy } from 'cdk8s';

/**
 * 8 hex characters of the sha256 of a Job's spec, with lazy values produced. A Job's pod template
 * cannot change once created, so a Job is named by its spec: a changed spec is a new Job, and an
 * upgrade never meets an immutable template.
 */
export function jobSpecHash(spec: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(spec, (_key, value: unknown) => (value instanceof Lazy ? value.produce() : value)))
    .digest('hex')
    .slice(0, 8);
}
