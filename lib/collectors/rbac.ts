import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { ImageRef, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';

/**
 * Who a collector is and what it may read of the cluster.
 *
 * Collectors are singletons of their namespace whose objects carry the user's name as is
 * (`node-exporter`, `alertmanager`), not `<instance>-<component>`: that is the name users,
 * dashboards and upstream alert rules expect, and Alertmanager peers name their pods by it.
 */
class CollectorIdentity extends ComponentIdentity {
  /** The instance name itself: the workload, its Service and its ServiceAccount share it. */
  override get name(): string {
    return this.instance;
  }
}

/** The identity of one collector: labels of `app`, objects named `name`. */
export function collectorIdentity(app: string, component: string, name: string, namespace: string, image: ImageRef): ComponentIdentity {
  return new CollectorIdentity({ app, instance: name, component, namespace, version: imageVersion(image) });
}

/** The ServiceAccount `name` of the identity's namespace, as an RBAC subject. */
export function serviceAccountSubject(identity: ComponentIdentity, name: string): k8s.Subject {
  return { kind: 'ServiceAccount', name, namespace: identity.namespace };
}

/** A reference to a ClusterRole (ours or a built-in one such as `system:auth-delegator`). */
export function clusterRoleRef(name: string): k8s.RoleRef {
  return { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name };
}

/** A ClusterRole and the binding that grants it. */
export interface ClusterAccess {
  readonly role: k8s.KubeClusterRole;
  readonly binding: k8s.KubeClusterRoleBinding;
}

/**
 * Emits a ClusterRole with `rules` and a ClusterRoleBinding of the same name that grants it to the
 * ServiceAccount `name` in the identity's namespace. Both are cluster-scoped, so `roleName`
 * must be unique in the cluster (two instances in two namespaces need two names).
 */
export function clusterRoleFor(
  scope: Construct,
  id: string,
  identity: ComponentIdentity,
  name: string,
  rules: readonly k8s.PolicyRule[],
  roleName: string = name,
): ClusterAccess {
  const metadata = { name: roleName, labels: identity.labels };
  const role = new k8s.KubeClusterRole(scope, id, { metadata, rules: [...rules] });
  const binding = new k8s.KubeClusterRoleBinding(scope, `${id}Binding`, {
    metadata,
    roleRef: clusterRoleRef(roleName),
    subjects: [serviceAccountSubject(identity, name)],
  });
  return { role, binding };
}
