import { createHash } from 'node:crypto';
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from './k8s';
import { ComponentIdentity } from './names';
import { podNetworkPolicy } from './network-policy';

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

/**
 * A Job of `identity` named `<identity.name>-<hash of its spec>`, and the NetworkPolicy of its pods.
 * The name is resolved at synth, so a spec holding lazy values (a bucket or topic list that
 * components extend after the Job is made) is hashed as it ends up.
 */
export function jobNamedBySpec(scope: Construct, id: string, identity: ComponentIdentity, spec: k8s.JobSpec): k8s.KubeJob {
  podNetworkPolicy(scope, `${id}NetworkPolicy`, {
    name: identity.name,
    namespace: identity.namespace,
    podSelector: identity.selector,
    labels: identity.labels,
  });
  return new k8s.KubeJob(scope, id, {
    metadata: {
      name: Lazy.any({ produce: () => `${identity.name}-${jobSpecHash(spec)}` }) as unknown as string,
      namespace: identity.namespace,
      labels: identity.labels,
    },
    spec,
  });
}
