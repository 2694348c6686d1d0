import { IConstruct } from 'constructs';
import { clusterDomainOf } from './cluster-domain';
import { serviceReferences } from './connections';
import { Validator } from './errors';

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

/**
 * Declares that the user runs the Service an in-cluster address names (`http://am.monitoring.svc:9093`,
 * `thanos-receive.obs.svc.cluster.local:19291`), so that a component may be pointed at it: the
 * app's check that every address reaches something then accepts it.
 */
export function declareExternalService(scope: IConstruct, address: string, purpose: string): void {
  const refs = serviceReferences(address, clusterDomainOf(scope));
  const v = new Validator(scope);
  v.check(
    refs.length > 0,
    'address',
    address,
    'names no in-cluster Service (<service>.<namespace>.svc[.<domain>])',
    'give the address as the component is configured with it, e.g. "http://alertmanager.monitoring.svc.cluster.local:9093"',
  );
  v.throwIfAny();
  for (const ref of refs) declareExternal(scope, { kind: 'Service', namespace: ref.namespace, name: ref.service, purpose });
}
