import { isDeepStrictEqual } from 'node:util';
import { App, Chart, JsonPatch } from 'cdk8s';
import { APPS } from '../../apps';
import { ObservabilityPlatform, ValidationError, admitClients, connectionGraph, networkPolicyProblems, warningsOf } from '../../lib';
import { networkPaths } from '../../lib/core/network-plan';
import { Manifest, get, ofKind, podLabelsOf, podSpecOf, synthApp, testChart, workloads } from '../support/synth';

const DOMAINS = { clusterDomains: ['cluster.local'] };

/** The problems a synth of `app` is refused with; none when it synthesizes. */
function refusalOf(synth: () => unknown): string[] {
  try {
    synth();
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map((p) => `${p.path} ${p.property} = ${String(p.value)}: ${p.problem}`);
    throw e;
  }
}

function platform(spec: ConstructorParameters<typeof ObservabilityPlatform>[2] = {}) {
  const app = new App({ outdir: '/nonexistent' });
  const chart = new ObservabilityPlatform(app, 'platform', spec);
  return { app, chart };
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const isDefaultDeny = (p: Manifest) =>
  Object.keys(p.spec.podSelector ?? {}).length === 0 && p.spec.policyTypes.join() === 'Ingress,Egress' && !p.spec.ingress && !p.spec.egress;

describe.each(Object.keys(APPS))('app %s is closed by default', (name) => {
  const out = synthApp(name);
  const policies = ofKind(out.manifests, 'NetworkPolicy');
  const provided = out.external.filter((e) => e.kind === 'Service');
  const podWorkloads = workloads(out.manifests).filter((w) => podSpecOf(w)?.hostNetwork !== true);

  test('every namespace it runs pods in denies by default, in each cluster it goes to', () => {
    for (const chart of out.charts) {
      const namespaces = [
        ...new Set(
          workloads(chart.manifests)
            .filter((w) => podSpecOf(w)?.hostNetwork !== true)
            .map((w) => w.metadata.namespace),
        ),
      ];
      const denies = (ns: string | undefined) => ofKind(chart.manifests, 'NetworkPolicy').filter((p) => p.metadata.namespace === ns && isDefaultDeny(p));
      for (const ns of namespaces)
        expect({ chart: chart.id, ns, denies: denies(ns).map((p) => p.metadata.name) }).toEqual({ chart: chart.id, ns, denies: ['default-deny'] });
    }
  });

  // Each chart is one output file, applied to one cluster on its own (the stages of a migration
  // are applied one after another to the same namespace): its policies are judged alone.
  test("every workload's pods have a policy of their own, both ways", () => {
    for (const chart of out.charts) {
      const chartPolicies = ofKind(chart.manifests, 'NetworkPolicy');
      for (const w of workloads(chart.manifests).filter((x) => podSpecOf(x)?.hostNetwork !== true)) {
        const own = chartPolicies.filter(
          (p) => p.metadata.namespace === w.metadata.namespace && !isDefaultDeny(p) && selects(p.spec.podSelector.matchLabels, podLabelsOf(w)),
        );
        expect({ chart: chart.id, workload: w.metadata.name, policies: own.length, types: own[0]?.spec.policyTypes }).toEqual({
          chart: chart.id,
          workload: w.metadata.name,
          policies: 1,
          types: ['Ingress', 'Egress'],
        });
      }
    }
    expect(podWorkloads.length).toBeGreaterThan(0);
    expect(policies.length).toBeGreaterThan(0);
  });

  test('the emitted policies, read as the API server applies them, admit every connection of the graph', () => {
    for (const chart of out.charts) {
      const graph = connectionGraph(chart.manifests);
      const paths = networkPaths(chart.manifests, { ...DOMAINS, provided });
      // Every connection of the graph is a path the policies are checked against...
      for (const c of graph.connections.filter((x) => !x.to.startsWith('Service/'))) {
        expect({ chart: chart.id, connection: c, path: paths.some((p) => p.from === c.from && 'workload' in p.to && p.to.workload === c.to) }).toEqual({
          chart: chart.id,
          connection: c,
          path: true,
        });
      }
      // ...and the policies admit each path on both ends, and DNS for every pod.
      expect({ chart: chart.id, problems: networkPolicyProblems(chart.manifests, { ...DOMAINS, provided }) }).toEqual({ chart: chart.id, problems: [] });
    }
  });
});

describe('network policies follow the wiring', () => {
  const { chart } = platform();
  const manifests = chart.toJson() as Manifest[];
  const paths = networkPaths(manifests, DOMAINS);
  const rulesOf = (name: string) => get(manifests, 'NetworkPolicy', name).spec;

  test('members of a gossip ring reach each other on the ports the ring hands out, not only on the ports their configs name', () => {
    // Queriers find ingesters in the ring, by pod address: no config names loki-write's gRPC port.
    const grpc = paths.filter(
      (p) => p.from === 'Deployment/observability/loki-read' && 'workload' in p.to && p.to.workload === 'StatefulSet/observability/loki-write',
    );
    expect(grpc.map((p) => p.port).sort()).toEqual([7946, 9095]);
    const fromRead = rulesOf('loki-write').ingress.filter((r: any) =>
      r.from.some((p: any) => p.podSelector?.matchLabels['app.kubernetes.io/component'] === 'read'),
    );
    expect(fromRead.flatMap((r: any) => r.ports.map((p: any) => p.port)).sort()).toEqual([7946, 9095]);
  });

  test('a pod reaches the cluster DNS and, only when it mounts a token, the API server', () => {
    const egressPorts = (name: string) =>
      rulesOf(name)
        .egress.filter((r: any) => r.to.some((p: any) => p.ipBlock))
        .flatMap((r: any) => r.ports.map((p: any) => p.port));
    // Alloy tails pod logs through the API server; Thanos store reads only the object store, in-cluster.
    expect(egressPorts('alloy-logs')).toEqual([443, 6443]);
    expect(egressPorts('thanos-store')).toEqual([]);
    for (const p of ofKind(manifests, 'NetworkPolicy').filter((x) => x.spec.egress)) {
      expect(p.spec.egress).toContainEqual({
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { port: 53, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
      });
    }
  });

  test('a pod nobody connects to admits nothing', () => {
    // The bucket Job is a client only.
    expect(rulesOf('seaweedfs-buckets').ingress).toBeUndefined();
  });

  test('removing one rule of an emitted policy fails the synth, naming the connection it refused', () => {
    for (const [policy, path] of [
      ['loki-write', '/spec/ingress/0'],
      ['loki-gateway', '/spec/egress/1'],
    ]) {
      const { chart: patched } = platform();
      const workload = patched.node.findAll().find((c) => (c as any).networkPolicy?.apiObject.name === policy) as any;
      workload.networkPolicy.apiObject.addJsonPatch(JsonPatch.remove(path));
      const problems = refusalOf(() => patched.toJson());
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => /no (ingress|egress) rule of a NetworkPolicy selecting/.test(p))).toBe(true);
    }
    // The same app without the patch synthesizes.
    expect(refusalOf(() => platform().chart.toJson())).toEqual([]);
  });

  test('the evaluator reads policies as the API server does: a pod no policy selects is open, named ports resolve on the server', () => {
    const pod = (name: string, ns: string, ports: Array<{ name: string; containerPort: number }> = [], args: string[] = []) => ({
      kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, ports, args }] } } },
    });
    const server = pod('server', 'a', [{ name: 'http', containerPort: 8080 }]);
    const client = pod('client', 'b', [], ['--url=http://server.a.svc.cluster.local:80']);
    const service = {
      kind: 'Service',
      metadata: { name: 'server', namespace: 'a' },
      spec: { selector: { app: 'server' }, ports: [{ port: 80, targetPort: 'http' }] },
    };
    const ingress = (from: unknown[], port: unknown) => ({
      kind: 'NetworkPolicy',
      metadata: { name: 'server', namespace: 'a' },
      spec: { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'], ingress: [{ from, ports: [{ port, protocol: 'TCP' }] }] },
    });
    const fromB = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } }, podSelector: { matchLabels: { app: 'client' } } }];
    const check = (...extra: unknown[]) => networkPolicyProblems([server, client, service, ...extra], DOMAINS).map((p) => p.problem);
    expect(check()).toEqual([]);
    expect(check(ingress(fromB, 'http'))).toEqual([]);
    expect(check(ingress(fromB, 8080))).toEqual([]);
    expect(check(ingress(fromB, 80))).toEqual(['no ingress rule of a NetworkPolicy selecting the pods of Deployment/a/server admits it on TCP/8080']);
    // Without a namespace selector, a pod selector means pods of the policy's own namespace.
    expect(check(ingress([{ podSelector: { matchLabels: { app: 'client' } } }], 8080))).toHaveLength(1);
  });
});

describe('admitting clients from outside the platform', () => {
  test('writers reach the write entry points, readers the query entry points and Grafana, scrapers every metrics port', () => {
    const { chart } = platform({
      network: {
        writers: [{ namespaces: ['apps'] }],
        readers: [{ namespaces: ['ingress'], podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } }],
        scrapers: [{ cidrs: ['10.9.0.0/16'] }],
      },
    });
    const manifests = chart.toJson() as Manifest[];
    const admitted = (name: string, peer: object) =>
      get(manifests, 'NetworkPolicy', name)
        .spec.ingress.filter((r: any) => r.from.some((p: any) => isDeepStrictEqual(p, peer)))
        .flatMap((r: any) => r.ports.map((p: any) => p.port))
        .sort();
    const apps = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } } };
    const nginx = {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } },
    };
    expect(admitted('loki-gateway', apps)).toEqual([8080]);
    expect(admitted('thanos-receive', apps)).toEqual([19291]);
    expect(admitted('otel-gateway', apps)).toEqual([4317, 4318]);
    expect(admitted('thanos-query', apps)).toEqual([]);
    expect(admitted('grafana-server', nginx)).toEqual([3000]);
    expect(admitted('thanos-query-frontend', nginx)).toEqual([10902]);
    expect(admitted('loki-write', { ipBlock: { cidr: '10.9.0.0/16' } })).toEqual([3100]);
  });

  test('an address that names no entry point of the app, or a peer that admits nobody, is refused', () => {
    const chart = testChart();
    admitClients(chart, 'http://nothing.obs.svc.cluster.local:80', [{ namespaces: ['apps'] }]);
    new ObservabilityPlatform(chart.node.scope as App, 'platform');
    expect(refusalOf(() => (chart.node.scope as App).synthYaml())).toEqual([
      'test admitClients = http://nothing.obs.svc.cluster.local:80: names no Service of the app with pods behind it: the clients would be admitted nowhere',
    ]);
    expect(refusalOf(() => admitClients(testChart(), 'http://x.obs.svc.cluster.local', [{}, { cidrs: ['10.0.0.0/33'] }]))).toEqual([
      'test peers[0] = [object Object]: admits nobody',
      'test peers[1].cidrs = 10.0.0.0/33: is not an address block',
    ]);
  });

  test('ServiceMonitors for a Prometheus outside, with no scraper admitted, warn that its targets would stay down', () => {
    expect(warningsOf(platform({ serviceMonitors: true }).chart).join('\n')).toContain('network.scrapers');
    expect(warningsOf(platform({ serviceMonitors: true, network: { scrapers: [{ namespaces: ['monitoring'] }] } }).chart).join('\n')).not.toContain(
      'network.scrapers',
    );
  });

  test('policies off: no NetworkPolicy at all, and the rest of the output unchanged', () => {
    const on = platform().chart.toJson() as Manifest[];
    const off = platform({ network: { policies: false } }).chart.toJson() as Manifest[];
    expect(ofKind(off, 'NetworkPolicy')).toEqual([]);
    expect(off).toEqual(on.filter((m) => m.kind !== 'NetworkPolicy'));
  });
});

// A chart of the user's own, with the library's constructs in it, gets the same policies.
test('a construct in a chart of the user gets its policy too; the chart can turn them off', () => {
  const app = new App({ outdir: '/nonexistent' });
  const off = new Chart(app, 'off');
  off.node.setContext('obs-platform/network-policies', false);
  new ObservabilityPlatform(off, 'p', { namespace: 'x' });
  expect(ofKind(off.toJson() as Manifest[], 'NetworkPolicy')).toEqual([]);
});
