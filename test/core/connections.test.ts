import { connectionGraph, mermaidDiagram } from '../../lib';
import { synthApp } from '../support/synth';

const labels = (app: string, component: string) => ({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/component': component });
const workload = (kind: string, name: string, app: string, pod: object) => ({
  kind,
  metadata: { name, namespace: 'obs', labels: labels(app, name) },
  spec: { template: { metadata: { labels: labels(app, name) }, spec: pod } },
});
const service = (name: string, selector: object | undefined, ports: object[]) => ({
  kind: 'Service',
  metadata: { name, namespace: 'obs' },
  spec: { selector, ports },
});

describe('connectionGraph', () => {
  const manifests = [
    workload('Deployment', 'writer', 'agent', {
      containers: [
        { name: 'w', args: ['--url=http://store.obs.svc.cluster.local:9090/write'], env: [{ name: 'X', value: 'store-0.store-headless.obs.svc:7946' }] },
      ],
      volumes: [
        { name: 'c', configMap: { name: 'writer-config' } },
        { name: 's', secret: { secretName: 'writer-secret' } },
      ],
    }),
    workload('StatefulSet', 'store', 'db', { containers: [{ name: 's', args: ['--peer=store-headless.obs.svc.cluster.local:7946'] }] }),
    service('store', labels('db', 'store'), [{ name: 'http', port: 9090 }]),
    service('store-headless', labels('db', 'store'), [
      { name: 'gossip', port: 7946 },
      { name: 'http-metrics', port: 8080 },
    ]),
    service('dns', undefined, [{ name: 'dns', port: 53 }]),
    {
      kind: 'ConfigMap',
      metadata: { name: 'writer-config', namespace: 'obs' },
      data: { 'c.yaml': 'scrape: _http-metrics._tcp.store-headless.obs.svc.cluster.local' },
    },
    { kind: 'Secret', metadata: { name: 'writer-secret', namespace: 'obs' }, data: { url: Buffer.from('dns.obs.svc.cluster.local').toString('base64') } },
    { kind: 'ConfigMap', metadata: { name: 'unmounted', namespace: 'obs' }, data: { x: 'http://store.obs.svc.cluster.local:9090' } },
  ];
  const graph = connectionGraph(manifests);

  test('reads args, env, mounted ConfigMaps and Secrets; names each port; a peer of its own ring is no connection', () => {
    expect(graph.connections.map((c) => `${c.from} -> ${c.to} (${c.service}:${c.port})`)).toEqual([
      'Deployment/obs/writer -> Service/obs/dns (dns:dns)',
      'Deployment/obs/writer -> StatefulSet/obs/store (store-headless:gossip)',
      'Deployment/obs/writer -> StatefulSet/obs/store (store:http)',
      'Deployment/obs/writer -> StatefulSet/obs/store (store-headless:http-metrics)',
    ]);
    expect(graph.nodes.map((n) => `${n.id} ${n.app ?? '-'}`)).toEqual(['Deployment/obs/writer agent', 'Service/obs/dns -', 'StatefulSet/obs/store db']);
  });

  test('each connection names the port on the peer and its protocol, what a network policy admits', () => {
    expect(graph.connections.map((c) => `${c.service}:${c.port} -> ${c.targetPort}/${c.protocol}`)).toEqual([
      'dns:dns -> 53/TCP',
      'store-headless:gossip -> 7946/TCP',
      'store:http -> 9090/TCP',
      'store-headless:http-metrics -> 8080/TCP',
    ]);
    const platform = connectionGraph(synthApp('platform').manifests);
    const receive = platform.connections.find((c) => c.service === 'thanos-receive' && c.port === 'remote-write')!;
    // Services of the library name their target ports, so a policy survives a port-number change.
    expect(receive).toMatchObject({ targetPort: 'remote-write', protocol: 'TCP' });
    expect(platform.connections.filter((c) => c.targetPort === undefined)).toEqual([]);
  });

  test('another cluster domain is read only when given', () => {
    const other = [
      workload('Deployment', 'a', 'a', { containers: [{ name: 'a', args: ['http://store.obs.svc.corp.example:9091'] }] }),
      manifests[1],
      service('store', labels('db', 'store'), [
        { name: 'http', port: 9090 },
        { name: 'grpc', port: 9091 },
      ]),
    ];
    expect(connectionGraph(other).connections.map((c) => c.port)).toEqual([]);
    expect(connectionGraph(other, 'corp.example').connections.map((c) => c.port)).toEqual(['grpc']);
  });

  test('draws one labelled arrow per pair, workloads grouped by application', () => {
    const diagram = mermaidDiagram(graph);
    expect(diagram).toContain('subgraph g1["db"]');
    expect(diagram).toContain('subgraph g2["outside the output"]');
    expect(diagram.match(/-->/g)).toHaveLength(2);
    expect(diagram).toContain('|gossip, http, http-metrics|');
  });

  test('the default platform: every workload is connected, and the backbone is there', () => {
    const g = connectionGraph(synthApp('platform').manifests);
    const linked = new Set(g.connections.flatMap((c) => [c.from, c.to]));
    // The Jobs that make Secrets in the cluster talk to the API server only, which no config names.
    expect(g.nodes.filter((n) => !linked.has(n.id) && !/-generator-[0-9a-f]{8}$/.test(n.name)).map((n) => n.id)).toEqual([]);
    const edges = g.connections.map((c) => `${c.from.split('/')[2]} -> ${c.to.split('/')[2]} ${c.port}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        'prometheus-agent -> thanos-receive remote-write',
        'thanos-query-frontend -> thanos-query http',
        'thanos-query -> thanos-store grpc',
        'alloy-logs -> loki-gateway http',
        'otel-gateway -> tempo-monolithic otlp-grpc',
        'thanos-ruler -> alertmanager http',
        'loki-write -> seaweedfs-server s3',
        'grafana-server -> thanos-query-frontend http',
      ]),
    );
  });
});
