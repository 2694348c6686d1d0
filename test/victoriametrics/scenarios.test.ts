import { parse } from 'yaml';
import { App } from 'cdk8s';
import { vmMultiRegion } from '../../apps/vm-multi-region/main';
import { allWarnings, warningsOf } from '../../lib/core/warnings';
import { argsOf, get, ofKind, synthApp, workloads } from '../support/synth';
import { vmContainers, vmFlagValues } from '../support/victoriametrics';

describe('scenario: multi-region vmagents into one VictoriaMetrics cluster', () => {
  const { charts } = synthApp('vm-multi-region');
  const central = charts.find((c) => c.id === 'central')!.manifests;
  const regional = charts.filter((c) => c.id.startsWith('region-'));

  test('the central cluster is 2 vminsert → 2 vmstorage, read by 2 vmselect', () => {
    expect(get(central, 'Deployment', 'vm-vminsert').spec.replicas).toBe(2);
    expect(get(central, 'StatefulSet', 'vm-vmstorage').spec.replicas).toBe(2);
    expect(get(central, 'HorizontalPodAutoscaler', 'vm-vmselect').spec.minReplicas).toBe(2);
  });

  test('four regional charts, each an agent pair stamping region, cluster, environment and datacenter', () => {
    expect(regional.map((c) => c.id).sort()).toEqual(['region-ap-southeast-1', 'region-eu-west-1', 'region-sa-east-1', 'region-us-east-1']);
    for (const { id, manifests } of regional) {
      const [agent] = vmContainers(manifests);
      expect(agent.workload.spec.replicas).toBe(2);
      const labels = Object.fromEntries(vmFlagValues(agent.c.args ?? [], '-remoteWrite.label').map((l) => l.split('=')));
      expect(Object.keys(labels).sort()).toEqual(['cluster', 'datacenter', 'environment', 'region']);
      expect(labels.region).toBe(id.replace('region-', ''));
    }
    const clusters = regional.map(({ manifests }) =>
      vmFlagValues(vmContainers(manifests)[0].c.args ?? [], '-remoteWrite.label').find((l) => l.startsWith('cluster=')),
    );
    expect(new Set(clusters).size).toBe(4);
  });

  test('every regional agent writes to the central vminsert through its load balancer, per tenant', () => {
    const lb = get(central, 'Service', 'vm-vminsert');
    expect(lb.spec.type).toBe('LoadBalancer');
    for (const { manifests } of regional) {
      const urls = vmFlagValues(vmContainers(manifests)[0].c.args ?? [], '-remoteWrite.url');
      expect(urls).toHaveLength(2);
      for (const url of urls) {
        const u = new URL(url);
        expect(Number(u.port)).toBe(lb.spec.ports[0].port);
        expect(u.pathname).toMatch(/^\/insert\/\d+\/prometheus\/api\/v1\/write$/);
      }
    }
  });

  test('the library warns that two storage nodes cannot keep two copies through a node failure, and the app acknowledges it', () => {
    const app = new App({ outdir: '/nonexistent' });
    vmMultiRegion(app);
    expect(warningsOf(app)).toEqual([]);
    expect(allWarnings(app).map((w) => w.message)).toEqual([
      expect.stringMatching(/^\[central\/vm\] vmstorage\.replicas = 2: is below 2×replicationFactor−1 = 3/),
    ]);
  });
});

describe('scenario: plain Prometheus remote-writing to a Prometheus receiver', () => {
  const { manifests } = synthApp('prometheus-receiver');

  test('the central pair runs the receiver, and each edge pod writes to every central pod', () => {
    const central = get(manifests, 'StatefulSet', 'central-server');
    expect(argsOf(central, 'prometheus')).toContain('--web.enable-remote-write-receiver');
    const edgeConfig = parse(get(manifests, 'ConfigMap', 'edge-server-config').data['prometheus.yaml']);
    const hosts = edgeConfig.remote_write.map((rw: any) => new URL(rw.url));
    expect(hosts.map((u: URL) => u.pathname)).toEqual(Array(central.spec.replicas).fill('/api/v1/write'));
    expect(hosts.map((u: URL) => u.hostname.split('.')[0])).toEqual(Array.from({ length: central.spec.replicas }, (_, i) => `central-server-${i}`));
    expect(argsOf(get(manifests, 'StatefulSet', 'edge-server'), 'prometheus')).not.toContain('--web.enable-remote-write-receiver');
  });
});

describe('the platform switches its metrics backend with one prop', () => {
  const thanos = synthApp('platform').manifests;
  const vm = synthApp('platform-vm').manifests;
  const names = (ms: typeof vm) =>
    workloads(ms)
      .map((w) => `${w.kind}/${w.metadata.name}`)
      .sort();

  test('VictoriaMetrics and vmagent replace Thanos and the Prometheus agent; logs stay as they are', () => {
    expect(names(vm).filter((n) => /thanos|prometheus/.test(n))).toEqual([]);
    expect(names(vm)).toEqual(
      expect.arrayContaining(['Deployment/vm-vminsert', 'Deployment/vm-vmselect', 'StatefulSet/vm-vmstorage', 'StatefulSet/self-monitoring-vmagent']),
    );
    // Loki's NetworkPolicies differ in who scrapes it (vmagent rather than the Prometheus agent); the rest is the same.
    const loki = (ms: typeof vm) => ms.filter((m) => m.metadata.name.startsWith('loki') && m.kind !== 'NetworkPolicy');
    expect(loki(vm)).toEqual(loki(thanos));
  });

  test('the collector scrapes Loki and VictoriaMetrics and writes to vminsert, deduplicated at its scrape interval', () => {
    const agent = vmContainers(vm).find((x) => x.program === 'vmagent')!;
    expect(vmFlagValues(agent.c.args ?? [], '-remoteWrite.url')).toEqual([
      'http://vm-vminsert.observability.svc.cluster.local:8480/insert/0/prometheus/api/v1/write',
    ]);
    const scrape = parse(get(vm, 'ConfigMap', 'self-monitoring-vmagent-config').data['scrape.yaml']);
    const jobs = scrape.scrape_configs.map((c: any) => c.job_name);
    expect(jobs).toEqual(expect.arrayContaining(['loki-write', 'vm-vmstorage', 'vm-vminsert', 'vm-vmselect']));
    for (const program of ['vmstorage', 'vmselect']) {
      const c = vmContainers(vm).find((x) => x.program === program)!;
      expect(vmFlagValues(c.c.args ?? [], '-dedup.minScrapeInterval')).toEqual([scrape.global.scrape_interval]);
    }
    expect(
      ofKind(vm, 'Secret')
        .map((s) => s.metadata.name)
        .filter((n) => n.startsWith('thanos')),
    ).toEqual([]);
  });
});
