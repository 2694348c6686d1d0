import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { LABELS, MANAGED_BY } from './names';

/** A Namespace whose API server admission refuses any pod below Pod Security "restricted". */
export class RestrictedNamespace extends Construct {
  readonly apiObject: k8s.KubeNamespace;

  constructor(scope: Construct, id: string, name: string) {
    super(scope, id);
    this.apiObject = new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name,
        labels: {
          [LABELS.managedBy]: MANAGED_BY,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
        },
      },
    });
  }
}
