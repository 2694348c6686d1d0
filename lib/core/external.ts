import { IConstruct } from 'constructs';

/**
 * A Kubernetes object the output refers to but does not contain: the user provides it (a Service:
 * runs it). `Pods` are pods the cluster runs itself (CoreDNS), named by the label selector that
 * finds them (`k8s-app=kube-dns`).
 */
export interface ExternalReference {
  readonly kind: 'Secret' | 'ConfigMap' | 'Service' | 'Pods';
  readonly namespace: string;
  readonly name: string;
  /** Who needs it and what it must hold, for the user. */
  readonly purpose: string;
}

const METADATA_TYPE = 'obs-platform:external-reference';

/**
 * Records that `scope` refers to an object the user must create (an htpasswd Secret, S3 keys).
 * Checks over the output and the user's own tooling read these with {@link externalReferences}.
 */
export function declareExternal(scope: IConstruct, ref: ExternalReference): void {
  scope.node.addMetadata(METADATA_TYPE, ref);
}

/** Every external reference declared anywhere below `root`. */
export function externalReferences(root: IConstruct): ExternalReference[] {
  return root.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === METADATA_TYPE).map((m) => m.data as ExternalReference));
}
