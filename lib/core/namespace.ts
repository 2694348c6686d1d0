import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { defaultDenyPolicy, networkPoliciesEnabled } from './network-policy';
import { k8s } from './k8s';
import { guardNameCollisions } from './collisions';
import { LABELS, MANAGED_BY } from './names';

/**
 * A Namespace whose API server admission refuses any pod below Pod Security "restricted", or,
 * only for node agents that need host access, one that admits them (`privileged`) while still
 * warning about and auditing every pod below "restricted".
 */
export class RestrictedNamespace extends Construct {
  readonly apiObject: k8s.KubeNamespace;
  /** The policy that denies every pod of the namespace what no other policy admits, unless policies are off. */
  readonly defaultDeny?: ApiObject;

  constructor(scope: Construct, id: string, name: string, level: 'restricted' | 'privileged' = 'restricted') {
    super(scope, id);
    guardNameCollisions(this);
    this.apiObject = new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name,
        labels: {
          [LABELS.managedBy]: MANAGED_BY,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          // A namespace that must allow host access still reports every pod below "restricted".
          ...(level !== 'restricted' ? { 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' } : {}),
        },
      },
    });
    if (networkPoliciesEnabled(this)) this.defaultDeny = defaultDenyPolicy(this, 'DefaultDeny', name);
  }
}
