/**
 * The connection graph of a synthesized output: which workload reaches which Service, on which
 * port, read from what the programs are configured with (args, env, mounted config files). Every
 * connection in the platform is made by an in-cluster DNS name, so the graph is complete by
 * construction and cannot disagree with the configs it is read from.
 */
import { DEFAULT_CLUSTER_DOMAIN, LABELS } from './names';

/** A workload of the output, or a Service that selects none of them (run by the cluster or the user). */
export interface ConnectionNode {
  /** `Kind/namespace/name`. */
  readonly id: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** `app.kubernetes.io/name` of the workload: the diagram groups by it. */
  readonly app?: string;
}

/** One workload reaching one peer through one Service port. */
export interface Connection {
  /** The `id` of the workload that connects. */
  readonly from: string;
  /** The `id` of the workload it reaches, or of the Service when no workload of the output is behind it. */
  readonly to: string;
  /** The Service it names. */
  readonly service: string;
  /** The Service port's name (its purpose: `grpc`, `http-metrics`, `remote-write`, ...), or its number when unnamed. */
  readonly port: string;
  /** The port on the peer's pods the Service sends to (a container port name or number): what a NetworkPolicy admits. Unknown when the Service does not list the port used. */
  readonly targetPort?: string | number;
  /** `TCP`, `UDP` or `SCTP`. */
  readonly protocol: string;
}

/** Nodes and connections, sorted, so that the same output always gives the same graph. */
export interface ConnectionGraph {
  readonly nodes: readonly ConnectionNode[];
  readonly connections: readonly Connection[];
}

type Named = { readonly name: string };
type Container = {
  readonly name?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: ReadonlyArray<{ readonly name?: string; readonly value?: string }>;
  readonly envFrom?: ReadonlyArray<{ readonly configMapRef?: Named; readonly secretRef?: Named }>;
};
type Volume = {
  readonly configMap?: Named;
  readonly secret?: { readonly secretName: string };
  readonly projected?: { readonly sources?: ReadonlyArray<{ readonly configMap?: Named; readonly secret?: Named }> };
};
type PodSpec = { readonly containers?: readonly Container[]; readonly initContainers?: readonly Container[]; readonly volumes?: readonly Volume[] };
/** The parts of a manifest the graph reads. */
type Obj = {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: {
    readonly selector?: Record<string, string>;
    readonly ports?: readonly Port[];
    readonly template?: { readonly metadata?: { readonly labels?: Record<string, string> }; readonly spec?: PodSpec };
  };
  readonly data?: Record<string, string>;
  readonly stringData?: Record<string, string>;
};
type Port = { name?: string; port: number; targetPort?: string | number; protocol?: string };

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];

/** An in-cluster DNS name found in a string, split into its parts. */
export interface ServiceReference {
  readonly text: string;
  /** The port name of an SRV name (`_grpc._tcp.`). */
  readonly srvPort?: string;
  /** The pod of a per-pod name (`<pod>.<headless service>`). */
  readonly pod?: string;
  readonly service: string;
  readonly namespace: string;
  readonly port?: number;
}

/**
 * The in-cluster DNS names in `text`: `[_port._tcp.][pod.]service.namespace.svc[.<domain>][:port]`,
 * and not a name under another domain.
 */
export function serviceReferences(text: string, clusterDomain: string = DEFAULT_CLUSTER_DOMAIN): ServiceReference[] {
  // Most texts (dashboards, rule files) name no Service: a plain search is far cheaper than the pattern.
  if (!text.includes('.svc')) return [];
  return [...text.matchAll(referencePattern(clusterDomain))].map((m) => ({
    text: m[0],
    srvPort: m[1],
    pod: m[2],
    service: m[3],
    namespace: m[4],
    port: m[5] ? Number(m[5]) : undefined,
  }));
}

const patterns = new Map<string, RegExp>();

/** The pattern of in-cluster DNS names under `clusterDomain`, compiled once per domain (matchAll copies it, so sharing is safe). */
function referencePattern(clusterDomain: string): RegExp {
  let pattern = patterns.get(clusterDomain);
  if (!pattern) {
    const d = clusterDomain.replace(/\./g, '\\.');
    pattern = new RegExp(
      `(?:_([a-z0-9-]+)\\._tcp\\.)?(?:([a-z0-9-]+)\\.)?([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc(?:\\.${d})?\\.?(?![a-z0-9-]|\\.[a-z0-9])(?::(\\d+))?`,
      'g',
    );
    patterns.set(clusterDomain, pattern);
  }
  return pattern;
}

/** The graph of `manifests` (the objects of one chart, as synthesized). */
export function connectionGraph(manifests: readonly unknown[], clusterDomain: string = DEFAULT_CLUSTER_DOMAIN): ConnectionGraph {
  const objects = manifests as readonly Obj[];
  const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind ?? ''));
  const services = objects.filter((o) => o.kind === 'Service');
  const nodes = new Map<string, ConnectionNode>();
  const nodeOf = (o: Obj): ConnectionNode => {
    const node = {
      id: `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`,
      kind: o.kind!,
      namespace: o.metadata?.namespace ?? '',
      name: o.metadata?.name ?? '',
      app: o.metadata?.labels?.[LABELS.name],
    };
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    return node;
  };
  const edges = new Map<string, Connection>();
  for (const w of workloads) {
    const from = nodeOf(w);
    for (const { text } of programTexts(w, objects)) {
      for (const { srvPort, service: serviceName, namespace, port: portNumber } of serviceReferences(text, clusterDomain)) {
        const service = services.find((s) => s.metadata?.name === serviceName && s.metadata?.namespace === namespace);
        if (!service) continue;
        const used = servicePort(service.spec?.ports ?? [], srvPort, portNumber);
        const port = used?.name ?? srvPort ?? (portNumber !== undefined ? String(portNumber) : 'http');
        const wire = { targetPort: used ? (used.targetPort ?? used.port) : undefined, protocol: used?.protocol ?? 'TCP' };
        const behind = workloads.filter((t) => t.metadata?.namespace === namespace && selects(service.spec?.selector, t));
        for (const target of behind.length > 0 ? behind : [service]) {
          const to = nodeOf(target);
          if (to.id === from.id) continue; // a member of a ring reaching its peers: one node here
          const edge = { from: from.id, to: to.id, service: serviceName, port, ...wire };
          edges.set(`${edge.from}>${edge.to}>${edge.port}`, edge);
        }
      }
    }
  }
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const key = (e: Connection) => `${e.from}>${e.to}>${e.port}`;
  return { nodes: [...nodes.values()].sort(byId), connections: [...edges.values()].sort((a, b) => (key(a) < key(b) ? -1 : 1)) };
}

/**
 * The Service port a reference uses: by its SRV name, by its number, else the only port or port 80 (an http:// URL without one).
 * @internal
 */
export function servicePort(ports: readonly Port[], srvPort?: string, number?: number): (Port & { name: string }) | undefined {
  const named = (p: Port | undefined) => (p ? { ...p, name: p.name ?? String(p.port) } : undefined);
  if (srvPort) return named(ports.find((p) => p.name === srvPort));
  if (number !== undefined) return named(ports.find((p) => p.port === number));
  return named(ports.length === 1 ? ports[0] : ports.find((p) => p.port === 80));
}

/**
 * Whether a Service's selector selects the pods of a workload.
 * @internal
 */
export function selects(selector: Readonly<Record<string, string>> | undefined, workload: unknown): boolean {
  const w = workload as Obj;
  const labels: Record<string, string> = w.spec?.template?.metadata?.labels ?? {};
  return !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A string a workload's programs read, and where it is. */
export interface ProgramText {
  /** e.g. `container thanos args`, `ConfigMap loki-config key config.yaml`. */
  readonly source: string;
  readonly text: string;
}

/** Finds an object of the output by kind, namespace and name, as synthesized. */
export type ObjectFinder = (kind: string, namespace: string | undefined, name: string) => unknown;

/**
 * What a workload's programs read: container command, args and env values, and the ConfigMaps and
 * Secrets it mounts or takes env from (those the output holds).
 * @internal
 */
export function programTexts(workload: unknown, objects: readonly unknown[] | ObjectFinder): ProgramText[] {
  const find: ObjectFinder =
    typeof objects === 'function'
      ? objects
      : (kind, namespace, name) => (objects as readonly Obj[]).find((x) => x.kind === kind && x.metadata?.name === name && x.metadata?.namespace === namespace);
  const w = workload as Obj;
  const pod: PodSpec = w.spec?.template?.spec ?? {};
  const ns = w.metadata?.namespace;
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
  const texts: ProgramText[] = containers.flatMap((c) => [
    ...[...(c.command ?? []), ...(c.args ?? [])].map((text) => ({ source: `container ${c.name} args`, text })),
    ...(c.env ?? []).map((e) => ({ source: `container ${c.name} env ${e.name}`, text: e.value ?? '' })),
  ]);
  const refs: Array<[string, string]> = [];
  for (const v of pod.volumes ?? []) {
    if (v.configMap) refs.push(['ConfigMap', v.configMap.name]);
    if (v.secret) refs.push(['Secret', v.secret.secretName]);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap) refs.push(['ConfigMap', s.configMap.name]);
      if (s.secret) refs.push(['Secret', s.secret.name]);
    }
  }
  for (const c of containers) {
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef) refs.push(['ConfigMap', e.configMapRef.name]);
      if (e.secretRef) refs.push(['Secret', e.secretRef.name]);
    }
  }
  const seen = new Set<string>();
  for (const [kind, name] of refs) {
    if (seen.has(`${kind}/${name}`)) continue;
    seen.add(`${kind}/${name}`);
    const o = find(kind, ns, name) as Obj | undefined;
    if (!o) continue;
    const decode = (value: string) => (kind === 'Secret' ? Buffer.from(value, 'base64').toString('utf8') : value);
    for (const [key, value] of Object.entries(o.data ?? {})) texts.push({ source: `${kind} ${name} key ${key}`, text: decode(value) });
    for (const [key, value] of Object.entries(o.stringData ?? {})) texts.push({ source: `${kind} ${name} key ${key}`, text: value });
  }
  return texts;
}

/** A Mermaid flowchart of the graph: workloads grouped by application, each connection labelled with its port. */
export function mermaidDiagram(graph: ConnectionGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ['flowchart LR'];
  const groups = new Map<string, ConnectionNode[]>();
  for (const n of graph.nodes) {
    const group = n.kind === 'Service' ? 'outside the output' : (n.app ?? n.name);
    groups.set(group, [...(groups.get(group) ?? []), n]);
  }
  [...groups.keys()].sort().forEach((group, i) => {
    lines.push(`  subgraph g${i}["${group}"]`);
    for (const n of groups.get(group)!) lines.push(`    ${ids.get(n.id)}["${n.name}<br/><small>${n.kind}</small>"]`);
    lines.push('  end');
  });
  // One arrow per pair of nodes, with every port between them.
  const pairs = new Map<string, Set<string>>();
  for (const c of graph.connections) {
    const k = `${ids.get(c.from)} ${ids.get(c.to)}`;
    pairs.set(k, (pairs.get(k) ?? new Set()).add(c.port));
  }
  for (const [k, ports] of pairs) {
    const [a, b] = k.split(' ');
    lines.push(`  ${a} -->|${[...ports].sort().join(', ')}| ${b}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A chart's connections as a Markdown page with a Mermaid diagram, which code hosts render. */
export function connectionsMarkdown(chartId: string, graph: ConnectionGraph): string {
  return [
    `# Connections of ${chartId}`,
    '',
    'Each arrow is a connection the output configures: a program of the first workload names a Service',
    'that selects the second, in its args, env or a config file it mounts. The label is the Service port.',
    'Written by `obs-platform synth --diagram`.',
    '',
    '```mermaid',
    mermaidDiagram(graph).trimEnd(),
    '```',
    '',
  ].join('\n');
}
