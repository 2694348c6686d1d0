/**
 * The network paths an output uses, read from the same place as its connection graph: every
 * in-cluster address a workload's programs are configured with. Each path becomes an allow rule on
 * both ends (egress from the client's pods, ingress to the server's), so the policies admit exactly
 * what the configs make the programs do, and cannot disagree with them.
 */
import { CLUSTER_SERVICES } from './address-check';
import { programTexts, selects, servicePort, serviceReferences } from './connections';
import { LABELS } from './names';
import { RING_PORTS_ANNOTATION } from './service';

/** Clients outside the output: pods by namespace and labels, or addresses outside the cluster. */
export interface NetworkPeer {
  /** Namespaces whose pods may connect. @default the namespace of the pods admitted to (with `podLabels`) */
  readonly namespaces?: readonly string[];
  /** Only pods with these labels. @default every pod of `namespaces` */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Address ranges outside the pod network (a load balancer's sources, another region, the office). @default none */
  readonly cidrs?: readonly string[];
}

/** Peers admitted to the pods behind the Service an address names, on its port. */
export interface ClientAdmission {
  /** Construct path of who admitted them, for messages. */
  readonly path: string;
  /** The in-cluster address (`http://loki-gateway.obs.svc.cluster.local:80`) of the entry point. */
  readonly url: string;
  readonly peers: readonly NetworkPeer[];
}

/** A port of a NetworkPolicy rule, as the API takes it. */
export interface PolicyPort {
  readonly port?: number | string;
  readonly protocol: string;
}

/** The other end of a rule, as the API takes it. */
export interface PolicyPeer {
  readonly podSelector?: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly namespaceSelector?: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly ipBlock?: { readonly cidr: string };
}

/** One allow rule: these peers, on these ports (every port when none). */
export interface PolicyRule {
  readonly peers: readonly PolicyPeer[];
  readonly ports?: readonly PolicyPort[];
}

/** What one workload's pods may receive and send. */
export interface PodRules {
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
}

/** One path a program of the output takes: from a workload's pods to a peer, on a port. */
export interface NetworkPath {
  /** `Kind/namespace/name` of the client workload. */
  readonly from: string;
  /** Where its program reads the address. */
  readonly source: string;
  readonly address: string;
  /**
   * The server: a workload's pods, a namespace whose pods the output does not know (a Service the
   * user runs), or an address outside the cluster (an object store, a webhook).
   */
  readonly to: { readonly workload: string } | { readonly namespace: string } | { readonly outside: string };
  /** The port on the server's pods; every port when unknown. */
  readonly port?: number | string;
  readonly protocol: string;
}

/** The namespace label the API server sets on every namespace. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Where every pod resolves names: the cluster's DNS pods (CoreDNS keeps the kube-dns label). */
export const CLUSTER_DNS_PEER: PolicyPeer = {
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
/** The ports of the cluster's DNS. */
export const DNS_PORTS: readonly PolicyPort[] = [
  { port: 53, protocol: 'UDP' },
  { port: 53, protocol: 'TCP' },
];

/** Anywhere: the API server, node addresses and services outside the cluster have no pod labels to select. */
export const ANYWHERE: PolicyPeer = { ipBlock: { cidr: '0.0.0.0/0' } };
/** The ports the API server listens on, in-cluster (`kubernetes.default:443`) and on the control plane (6443). */
export const API_SERVER_PORTS: readonly PolicyPort[] = [
  { port: 443, protocol: 'TCP' },
  { port: 6443, protocol: 'TCP' },
];

type Labels = Readonly<Record<string, string>>;
type ContainerPort = { readonly name?: string; readonly containerPort: number; readonly protocol?: string };
type Container = { readonly ports?: readonly ContainerPort[] };
type Manifest = {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly annotations?: Labels };
  readonly spec?: {
    readonly selector?: Labels | { readonly matchLabels?: Labels };
    readonly ports?: ReadonlyArray<{ name?: string; port: number; targetPort?: string | number; protocol?: string }>;
    readonly type?: string;
    readonly template?: {
      readonly metadata?: { readonly labels?: Labels };
      readonly spec?: {
        readonly containers?: readonly Container[];
        readonly initContainers?: readonly Container[];
        readonly hostNetwork?: boolean;
        readonly automountServiceAccountToken?: boolean;
      };
    };
  };
};

/** The kinds whose pods the paths start and end at. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];

/** `Kind/namespace/name` of an object. */
export function objectId(o: unknown): string {
  const m = o as Manifest;
  return `${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;
}

/**
 * The labels that select a workload's pods: its selector, or for a Job (whose selector the API
 * server makes) the stable labels of its pod template.
 */
export function podSelectorOf(workload: unknown): Labels {
  const w = workload as Manifest;
  const selector = w.spec?.selector as { matchLabels?: Labels } | undefined;
  if (selector?.matchLabels) return selector.matchLabels;
  const labels = w.spec?.template?.metadata?.labels ?? {};
  return Object.fromEntries([LABELS.name, LABELS.instance, LABELS.component].filter((k) => labels[k] !== undefined).map((k) => [k, labels[k]]));
}

/** Whether a workload's pods use the node's network (policies do not apply to them; they are seen as node addresses). */
export function usesHostNetwork(workload: unknown): boolean {
  return (workload as Manifest).spec?.template?.spec?.hostNetwork === true;
}

/** What the path finder reads besides the objects. */
export interface PathOptions {
  /** The domains in-cluster names may end in. */
  readonly clusterDomains: readonly string[];
  /** Services that exist outside the output (the user runs them). @default none */
  readonly provided?: ReadonlyArray<{ readonly namespace: string; readonly name: string }>;
  /** Reads an object by kind, namespace and name. @default a search of the objects given */
  readonly find?: (kind: string, namespace: string | undefined, name: string) => unknown;
}

/**
 * Every path the workloads of `objects` take to a Service: to each pod it selects (a ring member
 * reaching its own Service included), on the port the Service sends to, as a number when the
 * pods name it. A name that reaches nothing is left to the address check.
 */
export function networkPaths(objects: readonly unknown[], options: PathOptions): NetworkPath[] {
  const all = objects as readonly Manifest[];
  const find =
    options.find ??
    ((kind: string, ns: string | undefined, name: string) => all.find((m) => m.kind === kind && m.metadata?.namespace === ns && m.metadata?.name === name));
  const workloads = all.filter((o) => WORKLOAD_KINDS.includes(o.kind ?? ''));
  const outside = [...CLUSTER_SERVICES, ...(options.provided ?? [])];
  const paths = new Map<string, NetworkPath>();
  const add = (p: NetworkPath) =>
    paths.set(JSON.stringify([p.from, p.to, p.port, p.protocol]), paths.get(JSON.stringify([p.from, p.to, p.port, p.protocol])) ?? p);
  for (const w of workloads) {
    for (const { source, text } of programTexts(w, find)) {
      for (const { host, port } of outsideAddresses(text, options.clusterDomains)) {
        add({ from: objectId(w), source, address: host, to: { outside: host }, port, protocol: 'TCP' });
      }
      const refs = options.clusterDomains.flatMap((d) => serviceReferences(text, d));
      for (const ref of refs.filter((r, i) => refs.findIndex((x) => x.text === r.text) === i)) {
        const base = { from: objectId(w), source, address: ref.text };
        const service = find('Service', ref.namespace, ref.service) as Manifest | undefined;
        if (!service) {
          // The cluster's DNS has its own rule; a Service the user runs is reached in its namespace.
          const provided = outside.find((s) => s.namespace === ref.namespace && s.name === ref.service);
          if (provided && !CLUSTER_SERVICES.includes(provided)) add({ ...base, to: { namespace: ref.namespace }, port: ref.port, protocol: 'TCP' });
          continue;
        }
        const ports = service.spec?.ports ?? [];
        const used = servicePort(ports, ref.srvPort, ref.port);
        // A port a Service serves under several protocols (gossip over TCP and UDP) is used under each.
        const candidates = used ? ports.filter((p) => p.port === used.port) : ports;
        const behind = podsBehind(service, workloads);
        if (behind.length === 0) {
          for (const p of candidates) add({ ...base, to: { namespace: ref.namespace }, port: p.port, protocol: p.protocol ?? 'TCP' });
        }
        for (const target of behind) {
          for (const p of candidates) {
            add({ ...base, to: { workload: objectId(target) }, port: podPort(target, p.targetPort ?? p.port), protocol: p.protocol ?? 'TCP' });
          }
        }
        // A member of a gossip ring reaches every member on the ring's ports, by the addresses the ring gives.
        const ringPorts = service.metadata?.annotations?.[RING_PORTS_ANNOTATION]?.split(',') ?? [];
        if (ringPorts.length > 0 && behind.includes(w)) {
          for (const target of behind) {
            for (const name of ringPorts) add({ ...base, to: { workload: objectId(target) }, port: podPort(target, name), protocol: 'TCP' });
          }
        }
      }
    }
  }
  return [...paths.values()];
}

/** A URL's host that is no in-cluster name: `https://hooks.slack.com/...`, `http://10.0.0.5:9000`. */
const OUTSIDE_URL = /\bhttps?:\/\/([a-z0-9][a-z0-9.-]*\.[a-z0-9-]+)(?::(\d+))?/gi;
/** An AWS endpoint written without a scheme (S3 clients take `s3.<region>.amazonaws.com`): HTTPS. */
const AWS_ENDPOINT = /\b([a-z0-9.-]+\.amazonaws\.com(?:\.cn)?)\b/gi;

/** The hosts outside the cluster `text` names, and the port each is reached on. */
function outsideAddresses(text: string, clusterDomains: readonly string[]): Array<{ host: string; port: number }> {
  const inCluster = (host: string) =>
    /^(localhost|127\.|0\.0\.0\.0)/.test(host) || host.endsWith('.svc') || clusterDomains.some((d) => host.endsWith(`.svc.${d}`)) || !host.includes('.');
  const found = new Map<string, { host: string; port: number }>();
  for (const m of text.matchAll(OUTSIDE_URL)) {
    const host = m[1].toLowerCase();
    const port = m[2] ? Number(m[2]) : m[0].toLowerCase().startsWith('https') ? 443 : 80;
    if (!inCluster(host)) found.set(`${host}:${port}`, { host, port });
  }
  for (const m of text.matchAll(AWS_ENDPOINT)) found.set(`${m[1].toLowerCase()}:443`, { host: m[1].toLowerCase(), port: 443 });
  return [...found.values()];
}

/** The workloads whose pods a Service selects, in its namespace. */
function podsBehind(service: Manifest, workloads: readonly Manifest[]): Manifest[] {
  const selector = service.spec?.selector as Labels | undefined;
  return workloads.filter((t) => t.metadata?.namespace === service.metadata?.namespace && selects(selector, t));
}

/** A target port as a number when the pods name it (what every network plugin matches alike). */
function podPort(workload: Manifest, port: string | number): string | number {
  if (typeof port === 'number') return port;
  const spec = workload.spec?.template?.spec;
  const named = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].flatMap((c) => c.ports ?? []).find((p) => p.name === port);
  return named?.containerPort ?? port;
}

/** Where admitted clients reach: the workloads behind the Service `url` names, and the port on their pods. */
export function admissionTargets(
  url: string,
  objects: readonly unknown[],
  options: PathOptions,
): Array<{ readonly workload: string; readonly port: string | number; readonly protocol: string }> {
  const all = objects as readonly Manifest[];
  const workloads = all.filter((o) => WORKLOAD_KINDS.includes(o.kind ?? ''));
  return options.clusterDomains
    .flatMap((d) => serviceReferences(url, d))
    .flatMap((ref) => {
      const service = all.find((m) => m.kind === 'Service' && m.metadata?.namespace === ref.namespace && m.metadata?.name === ref.service);
      const used = service && servicePort(service.spec?.ports ?? [], ref.srvPort, ref.port);
      if (!service || !used) return [];
      return podsBehind(service, workloads).map((t) => ({
        workload: objectId(t),
        port: podPort(t, used.targetPort ?? used.port),
        protocol: used.protocol ?? 'TCP',
      }));
    });
}

/** The peers a {@link NetworkPeer} stands for, as the API takes them, for pods in `namespace`. */
export function policyPeers(peer: NetworkPeer, namespace: string): PolicyPeer[] {
  const podSelector = peer.podLabels ? { matchLabels: { ...peer.podLabels } } : undefined;
  const byNamespace = (peer.namespaces ?? (podSelector ? [namespace] : [])).map((ns) => ({
    ...(podSelector ? { podSelector } : {}),
    ...(ns === namespace && podSelector ? {} : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } } }),
  }));
  return [...byNamespace, ...(peer.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } }))];
}

/**
 * The rules of every workload of `objects`, keyed by `Kind/namespace/name`: ingress from each
 * client the paths name and from the admitted peers; egress to each server, to the cluster's DNS,
 * and to the API server for pods that mount a service account token (they watch or read it).
 */
export function podRules(
  objects: readonly unknown[],
  paths: readonly NetworkPath[],
  admissions: ReadonlyArray<{ readonly workload: string; readonly port: string | number; readonly protocol: string; readonly peers: readonly PolicyPeer[] }>,
): Map<string, PodRules> {
  const workloads = new Map((objects as readonly Manifest[]).filter((o) => WORKLOAD_KINDS.includes(o.kind ?? '')).map((w) => [objectId(w), w]));
  const ingress = new Map<string, RuleSet>();
  const egress = new Map<string, RuleSet>();
  const set = (map: Map<string, RuleSet>, id: string) => map.get(id) ?? map.set(id, new RuleSet()).get(id)!;
  const peerOf = (w: Manifest, seenFrom: string | undefined): PolicyPeer =>
    usesHostNetwork(w)
      ? ANYWHERE
      : {
          podSelector: { matchLabels: { ...podSelectorOf(w) } },
          ...(w.metadata?.namespace === seenFrom ? {} : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: w.metadata?.namespace ?? '' } } }),
        };
  for (const path of paths) {
    const client = workloads.get(path.from)!;
    const port = path.port === undefined ? undefined : { port: path.port, protocol: path.protocol };
    if ('outside' in path.to) {
      set(egress, path.from).add(ANYWHERE, port);
    } else if ('workload' in path.to) {
      const server = workloads.get(path.to.workload)!;
      set(egress, path.from).add(peerOf(server, client.metadata?.namespace), port);
      set(ingress, path.to.workload).add(peerOf(client, server.metadata?.namespace), port);
    } else {
      set(egress, path.from).add({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: path.to.namespace } } }, port);
    }
  }
  for (const a of admissions) for (const peer of a.peers) set(ingress, a.workload).add(peer, { port: a.port, protocol: a.protocol });
  const rules = new Map<string, PodRules>();
  for (const [id, w] of workloads) {
    if (usesHostNetwork(w)) continue;
    const out = set(egress, id);
    for (const port of DNS_PORTS) out.add(CLUSTER_DNS_PEER, port);
    if (w.spec?.template?.spec?.automountServiceAccountToken === true) for (const port of API_SERVER_PORTS) out.add(ANYWHERE, port);
    rules.set(id, { ingress: set(ingress, id).rules(), egress: out.rules() });
  }
  return rules;
}

/** Rules being gathered: the ports of each peer, then peers with the same ports in one rule. */
class RuleSet {
  private readonly byPeer = new Map<string, { peer: PolicyPeer; ports: Map<string, PolicyPort> | 'all' }>();

  add(peer: PolicyPeer, port: PolicyPort | undefined): void {
    const key = canonical(peer);
    const entry = this.byPeer.get(key) ?? this.byPeer.set(key, { peer, ports: new Map() }).get(key)!;
    if (port === undefined) entry.ports = 'all';
    else if (entry.ports !== 'all') entry.ports.set(`${port.protocol}/${port.port}`, port);
  }

  /** One rule per set of ports, its peers and ports sorted: the same paths always give the same policy. */
  rules(): PolicyRule[] {
    const byPorts = new Map<string, { peers: PolicyPeer[]; ports?: PolicyPort[] }>();
    for (const key of [...this.byPeer.keys()].sort()) {
      const { peer, ports } = this.byPeer.get(key)!;
      const list = ports === 'all' ? undefined : [...ports.keys()].sort().map((k) => ports.get(k)!);
      const portsKey = JSON.stringify(list ?? 'all');
      const rule = byPorts.get(portsKey) ?? byPorts.set(portsKey, { peers: [], ports: list }).get(portsKey)!;
      rule.peers.push(peer);
    }
    return [...byPorts.values()];
  }
}

/** JSON with sorted keys, to compare peers. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}
