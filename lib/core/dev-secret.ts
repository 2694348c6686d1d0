import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { k8s } from './k8s';
import { ComponentIdentity, OWN_PREFIX } from './names';

/** Annotation on a Secret whose values the library generated for a development cluster. */
export const DEV_ONLY_ANNOTATION = `${OWN_PREFIX}/dev-only`;

/**
 * A hex value derived from what it is for and a seed. Derived, not random: re-synthesizing must
 * not rotate a credential under the running programs that use it.
 */
export function derivedHex(purpose: string, seed: string): string {
  return createHash('sha256').update(`${purpose}\0${seed}`).digest('hex');
}

/** A Secret of generated values, marked dev-only with a note that says what to use instead. */
export function devOnlySecret(
  scope: Construct,
  id: string,
  identity: ComponentIdentity,
  name: string,
  values: Readonly<Record<string, string>>,
  note: string,
): k8s.KubeSecret {
  return new k8s.KubeSecret(scope, id, {
    metadata: { name, namespace: identity.namespace, labels: identity.labels, annotations: { [DEV_ONLY_ANNOTATION]: note } },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  });
}
