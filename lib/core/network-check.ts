/**
 * Whether the NetworkPolicies of an output admit every path its programs take. The policies are
 * read as the API server would apply them (a pod selected by any policy of a type is isolated for
 * that type and admits only what some rule allows), so a rule removed by a patch, a policy of the
 * user's, or a generator bug all show up as a connection that would be refused.
 */
import {
  CLUSTER_DNS_PEER,
  DNS_PORTS,
  NAMESPACE_NAME_LABEL,
  NetworkPath,
  PathOptions,
  WORKLOAD_KINDS,
  networkPaths,
  objectId,
  usesHostNetwork,
} from './network-plan';

/** A path of the output that its NetworkPolicies refuse. */
export interface NetworkProblem {
  /** `Kind/namespace/name` of the client workload. */
  readonly from: string;
  /** Where the client's program reads the address. */
  readonly source: string;
  readonly address: string;
  /** What refuses it, e.g. `no egress rule of a policy selecting the client admits ...`. */
  readonly problem: string;
}

type Labels = Readonly<Record<string, string>>;
type Selector = {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: readonly string[] }>;
};
type Peer = { readonly podSelector?: Selector; readonly namespaceSelector?: Selector; readonly ipBlock?: { readonly cidr: string } };
type Port = { readonly port?: number | string; readonly endPort?: number; readonly protocol?: string };
type Rule = { readonly from?: readonly Peer[]; readonly to?: readonly Peer[]; readonly ports?: readonly Port[] };
type Policy = {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly podSelector?: Selector;
    readonly policyTypes?: readonly string[];
    readonly ingress?: readonly Rule[];
    readonly egress?: readonly Rule[];
  };
};
type Manifest = {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly labels?: Labels };
  readonly spec?: {
    readonly type?: string;
    readonly selector?: Labels;
    readonly ports?: ReadonlyArray<{ port: number; targetPort?: string | number; protocol?: string }>;
    readonly template?: {
      readonly metadata?: { readonly labels?: Labels };
      readonly spec?: { readonly containers?: ReadonlyArray<{ readonly ports?: ReadonlyArray<{ name?: string; containerPort: number }> }> };
    };
  };
};

/** A pod as the policies see it: its namespace and labels, its named ports, or a node address. */
interface Endpoint {
  readonly namespace: string;
  readonly labels: Labels;
  readonly namedPorts: ReadonlyMap<string, number>;
  /** A host-network pod or anything outside the pod network: only `ipBlock` peers match it. */
  readonly address?: boolean;
  /** Only the namespace is known (a Service the user runs): a peer must admit the whole namespace. */
  readonly anyPodOf?: boolean;
}

/**
 * Every path of `objects` (see {@link networkPaths}) that their NetworkPolicies refuse, every
 * isolated pod that cannot reach the cluster's DNS, and every LoadBalancer Service whose pods
 * admit no address from outside the cluster on its port. `paths`, when the caller has them already,
 * saves reading the configs again.
 */
export function networkPolicyProblems(objects: readonly unknown[], options: PathOptions, paths?: readonly NetworkPath[]): NetworkProblem[] {
  const all = objects as readonly Manifest[];
  const policies = all.filter((o) => o.kind === 'NetworkPolicy') as readonly Policy[];
  if (policies.length === 0) return [];
  const namespaceLabels = new Map(all.filter((o) => o.kind === 'Namespace').map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
  const view = new PolicyView(policies, namespaceLabels);
  const workloads = new Map(all.filter((o) => WORKLOAD_KINDS.includes(o.kind ?? '')).map((w) => [objectId(w), w]));
  const problems: NetworkProblem[] = [];
  for (const path of paths ?? networkPaths(objects, options)) {
    const client = endpointOf(workloads.get(path.from)!);
    const server = serverOf(path, workloads);
    const port = path.port === undefined ? undefined : { port: path.port, protocol: path.protocol };
    const said = `${path.protocol}/${path.port ?? 'any'}`;
    if (!view.allows('egress', client, server, port))
      problems.push({ ...at(path), problem: `no egress rule of a NetworkPolicy selecting its pods admits ${describe(path)} on ${said}` });
    if (!server.address && !server.anyPodOf && !view.allows('ingress', server, client, port))
      problems.push({ ...at(path), problem: `no ingress rule of a NetworkPolicy selecting the pods of ${describe(path)} admits it on ${said}` });
  }
  const dns: Endpoint = { namespace: 'kube-system', labels: CLUSTER_DNS_PEER.podSelector!.matchLabels, namedPorts: new Map() };
  for (const [id, w] of workloads) {
    if (usesHostNetwork(w)) continue;
    const pod = endpointOf(w);
    if (!DNS_PORTS.every((p) => view.allows('egress', pod, dns, p)))
      problems.push({
        from: id,
        source: 'pod',
        address: 'kube-dns.kube-system',
        problem: 'cannot reach the cluster DNS on 53/UDP and 53/TCP: every name lookup fails',
      });
  }
  for (const service of all.filter((o) => o.kind === 'Service' && o.spec?.type === 'LoadBalancer')) {
    const outside: Endpoint = { namespace: '', labels: {}, namedPorts: new Map(), address: true };
    for (const [id, w] of workloads) {
      if (
        w.metadata?.namespace !== service.metadata?.namespace ||
        !selectorMatches({ matchLabels: service.spec?.selector ?? {} }, w.spec?.template?.metadata?.labels ?? {})
      )
        continue;
      for (const p of service.spec?.ports ?? []) {
        if (view.allows('ingress', endpointOf(w), outside, { port: p.targetPort ?? p.port, protocol: p.protocol ?? 'TCP' })) continue;
        problems.push({
          from: `Service/${service.metadata?.namespace}/${service.metadata?.name}`,
          source: 'spec.type',
          address: `LoadBalancer port ${p.port}`,
          problem: `sends clients from outside the cluster to ${id}, whose NetworkPolicies admit no address block on port ${p.targetPort ?? p.port}: every one is refused`,
        });
      }
    }
  }
  return problems;
}

function at(path: NetworkPath) {
  return { from: path.from, source: path.source, address: path.address };
}

function describe(path: NetworkPath): string {
  const to = path.to;
  return 'workload' in to ? to.workload : 'namespace' in to ? `namespace ${to.namespace}` : to.outside;
}

function endpointOf(w: Manifest): Endpoint {
  const containers = w.spec?.template?.spec?.containers ?? [];
  const namedPorts = new Map(containers.flatMap((c) => c.ports ?? []).flatMap((p) => (p.name ? [[p.name, p.containerPort] as const] : [])));
  return { namespace: w.metadata?.namespace ?? '', labels: w.spec?.template?.metadata?.labels ?? {}, namedPorts, address: usesHostNetwork(w) };
}

function serverOf(path: NetworkPath, workloads: ReadonlyMap<string, Manifest>): Endpoint {
  const to = path.to;
  if ('workload' in to) return endpointOf(workloads.get(to.workload)!);
  if ('namespace' in to) return { namespace: to.namespace, labels: {}, namedPorts: new Map(), anyPodOf: true };
  return { namespace: '', labels: {}, namedPorts: new Map(), address: true };
}

/** The policies of an output, read as the API server applies them. */
class PolicyView {
  constructor(
    private readonly policies: readonly Policy[],
    private readonly namespaceLabels: ReadonlyMap<string, Labels>,
  ) {}

  /**
   * Whether `pod` may send (`egress`) to or receive (`ingress`) from `peer` on `port`: it is not
   * isolated for that direction, or a rule of a policy selecting it admits the peer and port.
   */
  allows(direction: 'ingress' | 'egress', pod: Endpoint, peer: Endpoint, port: Port | undefined): boolean {
    if (pod.address) return true;
    const selecting = this.policies.filter((p) => p.metadata?.namespace === pod.namespace && selectorMatches(p.spec?.podSelector ?? {}, pod.labels));
    const isolating = selecting.filter((p) => typesOf(p).includes(direction === 'ingress' ? 'Ingress' : 'Egress'));
    if (isolating.length === 0) return true;
    // The port is on the server's pods: the peer's on egress, this pod's on ingress.
    const named = direction === 'egress' ? peer.namedPorts : pod.namedPorts;
    return isolating.some((p) =>
      (p.spec?.[direction] ?? []).some(
        (rule) => this.peersMatch(direction === 'ingress' ? rule.from : rule.to, p, peer) && portsMatch(rule.ports, port, named),
      ),
    );
  }

  private peersMatch(peers: readonly Peer[] | undefined, policy: Policy, peer: Endpoint): boolean {
    if (!peers || peers.length === 0) return true;
    return peers.some((x) => {
      // Addresses are not known at synth: an address block is taken to hold the one used.
      if (x.ipBlock) return peer.address === true;
      if (peer.address) return false;
      const inNamespace = x.namespaceSelector
        ? selectorMatches(x.namespaceSelector, { [NAMESPACE_NAME_LABEL]: peer.namespace, ...(this.namespaceLabels.get(peer.namespace) ?? {}) })
        : peer.namespace === policy.metadata?.namespace;
      if (!inNamespace) return false;
      if (!x.podSelector) return true;
      // Only the namespace of the peer is known: a selector of some of its pods may miss the one used.
      return peer.anyPodOf ? selectorEmpty(x.podSelector) : selectorMatches(x.podSelector, peer.labels);
    });
  }
}

/** `policyTypes` as the API server defaults it: Ingress always, Egress when there are egress rules. */
function typesOf(p: Policy): readonly string[] {
  return p.spec?.policyTypes ?? (p.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

function portsMatch(ports: readonly Port[] | undefined, port: Port | undefined, named: ReadonlyMap<string, number>): boolean {
  if (!ports || ports.length === 0) return true;
  if (port === undefined) return false;
  const number = typeof port.port === 'number' ? port.port : named.get(String(port.port));
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== (port.protocol ?? 'TCP')) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return p.port === port.port || (number !== undefined && named.get(p.port) === number);
    return number !== undefined && (p.endPort !== undefined ? number >= p.port && number <= p.endPort : number === p.port);
  });
}

function selectorEmpty(s: Selector): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

/** Whether a label selector selects `labels` (an empty selector selects everything). */
function selectorMatches(s: Selector, labels: Labels): boolean {
  const byLabels = Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabels &&
    (s.matchExpressions ?? []).every((e) => {
      const has = e.key in labels;
      if (e.operator === 'In') return has && (e.values ?? []).includes(labels[e.key]);
      if (e.operator === 'NotIn') return !has || !(e.values ?? []).includes(labels[e.key]);
      if (e.operator === 'Exists') return has;
      if (e.operator === 'DoesNotExist') return !has;
      return false;
    })
  );
}
