import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { ImageRef, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';

/**
 * The identity of one collector: labels of `app`, objects named `name`. Collectors are singletons
 * of their namespace whose objects carry the user's name as is (`node-exporter`, `alertmanager`):
 * that is the name users, dashboards and upstream alert rules expect, and Alertmanager peers name
 * their pods by it.
 */
export function collectorIdentity(app: string, component: string, name: string, namespace: string, image: ImageRef): ComponentIdentity {
  return new ComponentIdentity({ app, instance: name, component, namespace, version: imageVersion(image), namedByInstance: true });
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
