import { Construct } from 'constructs';
import { k8s } from './k8s';
import { ComponentIdentity } from './names';

/** What each Kubernetes service-discovery role lists and watches (Prometheus `kubernetes_sd_configs`, also vmagent's). */
const ROLE_RESOURCES: Readonly<Record<string, ReadonlyArray<{ readonly group: string; readonly resource: string }>>> = {
  pod: [{ group: '', resource: 'pods' }],
  service: [{ group: '', resource: 'services' }],
  endpoints: [
    { group: '', resource: 'endpoints' },
    { group: '', resource: 'services' },
    { group: '', resource: 'pods' },
  ],
  endpointslice: [
    { group: 'discovery.k8s.io', resource: 'endpointslices' },
    { group: '', resource: 'services' },
    { group: '', resource: 'pods' },
  ],
  node: [{ group: '', resource: 'nodes' }],
  ingress: [{ group: 'networking.k8s.io', resource: 'ingresses' }],
};

/** The parts of a `kubernetes_sd_configs` entry that decide the access it needs. */
interface KubernetesSdConfig {
  readonly role: string;
  readonly namespaces?: { readonly names?: readonly string[]; readonly own_namespace?: boolean };
  readonly attach_metadata?: { readonly node?: boolean; readonly namespace?: boolean };
}

/** The API access a scrape config's Kubernetes discovery needs, read from the config itself. */
export interface DiscoveryAccess {
  readonly rules: k8s.PolicyRule[];
  /** The namespaces it is limited to, or undefined when it watches the whole cluster (or nodes). */
  readonly namespaces?: readonly string[];
}

/**
 * What the `kubernetes_sd_configs` of these scrape configs need from the API server, least
 * privilege: get, list and watch on exactly the resources of their roles (and nodes or namespaces
 * when `attach_metadata` asks for them), in the namespaces they name. Undefined when none discovers.
 */
export function discoveryAccess(scrapeConfigs: ReadonlyArray<Record<string, unknown>>, ownNamespace: string): DiscoveryAccess | undefined {
  const sds = scrapeConfigs.flatMap((c) => (Array.isArray(c.kubernetes_sd_configs) ? (c.kubernetes_sd_configs as KubernetesSdConfig[]) : []));
  if (sds.length === 0) return undefined;
  const wanted = new Map<string, Set<string>>();
  const add = (group: string, resource: string) => wanted.set(group, (wanted.get(group) ?? new Set()).add(resource));
  let clusterWide = false;
  const namespaces = new Set<string>();
  for (const sd of sds) {
    for (const r of ROLE_RESOURCES[String(sd.role)] ?? []) add(r.group, r.resource);
    if (sd.attach_metadata?.node) add('', 'nodes');
    if (sd.attach_metadata?.namespace) add('', 'namespaces');
    const names: string[] = [...(sd.namespaces?.names ?? [])];
    if (sd.namespaces?.own_namespace) names.push(ownNamespace);
    if (names.length === 0 || sd.role === 'node') clusterWide = true;
    names.forEach((n) => namespaces.add(n));
  }
  if (wanted.get('')?.has('nodes') || wanted.get('')?.has('namespaces')) clusterWide = true;
  const rules = [...wanted]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs: ['get', 'list', 'watch'] }));
  return { rules, namespaces: clusterWide ? undefined : [...namespaces].sort() };
}

/**
 * Grants a scraper's ServiceAccount the discovery access it needs: a ClusterRole when it watches
 * the whole cluster, else a Role in each namespace it names. Cluster-scoped names carry the
 * namespace, so two installs never share one.
 */
export function grantDiscoveryAccess(scope: Construct, identity: ComponentIdentity, serviceAccount: string, access: DiscoveryAccess): void {
  const name = `${identity.namespace}-${identity.name}-discovery`;
  const subjects = [{ kind: 'ServiceAccount', name: serviceAccount, namespace: identity.namespace }];
  const labels = identity.labels;
  if (!access.namespaces) {
    new k8s.KubeClusterRole(scope, 'DiscoveryRole', { metadata: { name, labels }, rules: access.rules });
    new k8s.KubeClusterRoleBinding(scope, 'DiscoveryRoleBinding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects,
    });
    return;
  }
  for (const namespace of access.namespaces) {
    const roleName = `${identity.name}-discovery`;
    new k8s.KubeRole(scope, `DiscoveryRole-${namespace}`, { metadata: { name: roleName, namespace, labels }, rules: access.rules });
    new k8s.KubeRoleBinding(scope, `DiscoveryRoleBinding-${namespace}`, {
      metadata: { name: roleName, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
      subjects,
    });
  }
}
