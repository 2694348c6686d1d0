import { App } from 'cdk8s';
import { parse } from 'yaml';
import { ExternalKafka, ObservabilityPlatform, PlatformSpec } from '../../lib';
import { warningsOf } from '../../lib/core/warnings';
import { Manifest, argsOf, dataOf, get, ofKind, podSpecOf, synthApp } from '../support/synth';

function platform(spec: PlatformSpec = {}) {
  const chart = new ObservabilityPlatform(new App(), 'platform', spec);
  return { chart, manifests: chart.toJson() as Manifest[] };
}
const datasourcesOf = (manifests: Manifest[]) => parse(dataOf(get(manifests, 'ConfigMap', 'grafana-provisioning'))['datasources.yaml']).datasources;
/** The SRV names a Prometheus or vmagent config scrapes, by job. */
function scrapeJobs(manifests: Manifest[]): Map<string, string> {
  const jobs = new Map<string, string>();
  for (const cm of ofKind(manifests, 'ConfigMap')) {
    const text = dataOf(cm)['prometheus.yaml'] ?? dataOf(cm)['scrape.yaml'];
    if (!text) continue;
    for (const sc of parse(text).scrape_configs ?? []) for (const sd of sc.dns_sd_configs ?? []) jobs.set(sc.job_name, sd.names[0]);
  }
  return jobs;
}

describe('the default platform wires every component to the others', () => {
  // ServiceMonitors are opt-in; with them, each must select what the platform's own pipeline scrapes.
  const { chart, manifests } = platform({ serviceMonitors: true });

  test("every component has a ServiceMonitor and a scrape job in the platform's own pipeline, for the same Service port", () => {
    const monitors = ofKind(manifests, 'ServiceMonitor');
    const jobs = scrapeJobs(manifests);
    const expected = chart.scrapeTargets.map((t) => t.job).sort();
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(expected);
    expect(expected).toEqual(
      expect.arrayContaining(['loki-write', 'thanos-receive', 'tempo', 'grafana', 'alloy-logs', 'otel-gateway', 'kube-state-metrics', 'node-exporter']),
    );
    for (const m of monitors) {
      // The SRV record the pipeline resolves names the same Service and port the ServiceMonitor selects.
      const [, port, , service, namespace] = /^_([^.]+)\._(tcp)\.([^.]+)\.([^.]+)\.svc/.exec(jobs.get(m.metadata.name)!)!.slice(0) as string[];
      const svc = ofKind(manifests, 'Service').filter((s) => Object.entries(m.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v));
      expect(svc.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toEqual([`${namespace}/${service}`]);
      expect(svc[0].spec.ports.map((p: any) => p.name)).toContain(port);
      expect(m.spec.endpoints[0].port).toBe(port);
      expect(m.spec.endpoints[0].relabelings).toEqual([{ action: 'replace', targetLabel: 'job', replacement: m.metadata.name }]);
    }
  });

  test('Grafana gets Loki through the gateway with the tenant, Thanos query-frontend and Tempo, linked both ways by uid', () => {
    const ds = datasourcesOf(manifests);
    const byUid = Object.fromEntries(ds.map((d: any) => [d.uid, d]));
    expect(Object.keys(byUid).sort()).toEqual(['loki', 'metrics', 'tempo']);
    expect(byUid.loki).toMatchObject({
      type: 'loki',
      url: chart.loki.queryUrl,
      jsonData: { httpHeaderName1: 'X-Scope-OrgID' },
      secureJsonData: { httpHeaderValue1: 'platform' },
    });
    expect(byUid.loki.url).toBe('http://loki-gateway.observability.svc.cluster.local');
    expect(byUid.metrics).toMatchObject({
      type: 'prometheus',
      url: 'http://thanos-query-frontend.observability.svc.cluster.local:10902',
      isDefault: true,
      jsonData: { prometheusType: 'Thanos' },
    });
    expect(byUid.tempo).toMatchObject({ type: 'tempo', url: 'http://tempo.observability.svc.cluster.local:3200' });
    // logs → traces, metrics → traces, traces → logs / metrics / service map.
    expect(byUid.loki.jsonData.derivedFields.map((f: any) => f.datasourceUid)).toEqual(['tempo', 'tempo']);
    expect(byUid.metrics.jsonData.exemplarTraceIdDestinations).toEqual([{ name: 'trace_id', datasourceUid: 'tempo' }]);
    expect(byUid.tempo.jsonData.tracesToLogsV2.datasourceUid).toBe('loki');
    expect(byUid.tempo.jsonData.tracesToMetrics.datasourceUid).toBe('metrics');
    expect(byUid.tempo.jsonData.serviceMap.datasourceUid).toBe('metrics');
  });

  test('the service map and exemplars have data: Tempo remote-writes span metrics to Thanos receive, which keeps exemplars', () => {
    const tempo = parse(dataOf(get(manifests, 'ConfigMap', 'tempo-config'))['tempo.yaml']);
    expect(tempo.metrics_generator.storage.remote_write.map((r: any) => r.url)).toEqual([chart.metrics.remoteWrite.url]);
    expect(tempo.overrides.defaults.metrics_generator.processors).toEqual(['service-graphs', 'span-metrics']);
    expect(argsOf(get(manifests, 'StatefulSet', 'thanos-receive'), 'thanos')).toContain('--tsdb.max-exemplars=100000');
  });

  test('collectors ship to the platform: pod logs and OTLP logs to Loki as the tenant, traces to Tempo, metrics to Thanos', () => {
    const alloy = dataOf(get(manifests, 'ConfigMap', 'alloy-logs-config'))['config.alloy'];
    expect(alloy).toContain(`url = "${chart.loki.pushUrl}"`);
    expect(alloy).toContain('tenant_id = "platform"');
    const otel = parse(dataOf(get(manifests, 'ConfigMap', 'otel-gateway-config'))['config.yaml']);
    expect(otel.exporters['otlp_grpc/tempo'].endpoint).toBe(chart.tempo!.otlpGrpcEndpoint);
    expect(otel.exporters['prometheusremotewrite/metrics'].endpoint).toBe(chart.metrics.remoteWrite.url);
    expect(otel.exporters['otlp_http/loki']).toEqual({ endpoint: `${chart.loki.queryUrl}/otlp`, headers: { 'X-Scope-OrgID': 'platform' } });
  });

  test('the platform dashboards select exactly the scrape jobs of what they show', () => {
    const files = dataOf(get(manifests, 'ConfigMap', 'grafana-dashboards-platform'));
    expect(Object.keys(files).sort()).toEqual(['platform-loki.json', 'platform-overview.json', 'platform-tempo.json', 'platform-thanos.json']);
    const jobsIn = (file: string) => [...new Set([...files[file].matchAll(/job=~\\"([^\\]+)\\"/g)].flatMap((m) => m[1].split('|')))].sort();
    expect(jobsIn('platform-loki.json')).toEqual(chart.loki.scrapeTargets.map((t) => t.job).sort());
    expect(jobsIn('platform-tempo.json')).toEqual(['tempo']);
    expect(jobsIn('platform-overview.json')).toEqual(
      chart.scrapeTargets
        .map((t) => t.job)
        .filter((j) => j !== 'grafana')
        .sort(),
    );
  });

  test("the embedded store makes the Tempo bucket next to Loki's and Thanos's", () => {
    expect(chart.storage.usage.buckets).toEqual(['loki-chunks', 'loki-ruler', 'tempo-traces', 'thanos-blocks']);
  });
});

describe('platform switches', () => {
  test('VictoriaMetrics: Grafana reads vmselect tenant 0, without exemplar links (VictoriaMetrics keeps none)', () => {
    const { manifests } = platform({ metricsBackend: 'victoriametrics' });
    const metrics = datasourcesOf(manifests).find((d: any) => d.uid === 'metrics');
    expect(metrics.url).toBe('http://vm-vmselect.observability.svc.cluster.local:8481/select/0/prometheus');
    expect(metrics.jsonData.prometheusType).toBe('Prometheus');
    expect(metrics.jsonData.exemplarTraceIdDestinations).toBeUndefined();
    expect(Object.keys(dataOf(get(manifests, 'ConfigMap', 'grafana-dashboards-platform')))).toContain('platform-victoriametrics.json');
  });

  test('Tempo off removes its datasource, its links and the OTLP gateway; collectors off emit none', () => {
    const { manifests } = platform({ tempo: false, collectors: { logs: false, kubeStateMetrics: false, nodeExporter: false } });
    const ds = datasourcesOf(manifests);
    expect(ds.map((d: any) => d.uid).sort()).toEqual(['loki', 'metrics']);
    expect(JSON.stringify(ds)).not.toContain('tempo');
    expect(manifests.filter((m) => /tempo|otel|alloy|node-exporter|kube-state/.test(m.metadata.name))).toEqual([]);
  });

  test('several tenants: one Loki datasource each, the collectors write as logsTenant', () => {
    const { manifests } = platform({ tenants: [{ id: 'ops' }, { id: 'apps' }], logsTenant: 'apps' });
    const loki = datasourcesOf(manifests)
      .filter((d: any) => d.type === 'loki')
      .map((d: any) => [d.uid, d.secureJsonData.httpHeaderValue1]);
    expect(loki).toEqual([
      ['loki', 'apps'],
      ['loki-ops', 'ops'],
    ]);
    expect(dataOf(get(manifests, 'ConfigMap', 'alloy-logs-config'))['config.alloy']).toContain('tenant_id = "apps"');
  });

  test('node-exporter with host access runs in a namespace of its own that admits it; the platform namespace stays restricted', () => {
    const { manifests } = platform({ collectors: { nodeExporter: { hostAccess: true } } });
    const levels = ofKind(manifests, 'Namespace').map((n) => [n.metadata.name, n.metadata.labels?.['pod-security.kubernetes.io/enforce']]);
    expect(levels).toEqual([
      ['observability', 'restricted'],
      ['observability-host', 'privileged'],
    ]);
    const ds = get(manifests, 'DaemonSet', 'node-exporter');
    expect(ds.metadata.namespace).toBe('observability-host');
    expect(podSpecOf(ds)).toMatchObject({ hostNetwork: true, hostPID: true });
  });

  test('the default Alertmanager receives from every ruler, every pod of it: Thanos by DNS, Loki by SRV discovery over the v2 API', () => {
    const { manifests, chart } = platform({});
    expect(argsOf(get(manifests, 'StatefulSet', 'thanos-ruler'), 'thanos')).toContain(`--alertmanagers.url=${chart.alertmanager!.peersUrl}`);
    expect(chart.alertmanager!.peersUrl).toBe('dns+http://alertmanager-headless.observability.svc.cluster.local:9093');
    const ruler = parse(dataOf(get(manifests, 'ConfigMap', 'loki-config'))['config.yaml']).ruler;
    expect(ruler).toMatchObject({
      alertmanager_url: 'http://_http._tcp.alertmanager-headless.observability.svc.cluster.local',
      enable_alertmanager_discovery: true,
      enable_alertmanager_v2: true,
    });
    // The SRV record is the headless Service's "http" port: it lists every pod.
    const headless = get(manifests, 'Service', 'alertmanager-headless');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.ports.map((p: any) => p.name)).toContain('http');
  });

  test('alertmanager: false leaves the rulers without one, and the synth warns', () => {
    const { manifests, chart } = platform({ alertmanager: false });
    expect(manifests.filter((m) => m.metadata.name.startsWith('alertmanager'))).toEqual([]);
    expect(argsOf(get(manifests, 'StatefulSet', 'thanos-ruler'), 'thanos').filter((a: string) => a.startsWith('--alertmanagers.url'))).toEqual([]);
    expect(
      warningsOf(chart)
        .map((w) => /warning "([^"]+)"/.exec(w)![1])
        .sort(),
    ).toEqual(['alerts-go-nowhere', 'alerts-go-nowhere']);
  });

  test('ServiceMonitors are opt-in: the default emits none, so it applies to a cluster without prometheus-operator', () => {
    expect(ofKind(platform().manifests, 'ServiceMonitor')).toEqual([]);
    expect(ofKind(platform({ serviceMonitors: false }).manifests, 'ServiceMonitor')).toEqual([]);
    expect(ofKind(platform({ serviceMonitors: true }).manifests, 'ServiceMonitor').length).toBeGreaterThan(10);
  });
});

describe('bad platform input is stopped at synth with the construct, property, value and fix', () => {
  test('a datasource pointing at a backend that is not in the platform', () => {
    expect(() => platform({ grafana: { datasources: ['loki', 'victoriametrics'] } })).toThrow(
      '[platform] grafana.datasources[1] = "victoriametrics": points at a backend that is not in the platform (the metrics backend is thanos), so the datasource would only ever show errors. Fix: use one of "loki", "thanos", "tempo", or run that backend.',
    );
    expect(() => platform({ tempo: false, grafana: { datasources: ['tempo'] } })).toThrow(
      '[platform] grafana.datasources[0] = "tempo": points at a backend that is not in the platform (tempo is false), so the datasource would only ever show errors. Fix: use one of "loki", "thanos", or run that backend.',
    );
  });

  test('a tenant that Loki does not know', () => {
    expect(() => platform({ tenants: [{ id: 'ops' }, { id: 'apps' }], logsTenant: 'billing' })).toThrow(
      '[platform] logsTenant = "billing": is not a tenant Loki knows (ops, apps), so every log the platform ships would be refused or unreadable. Fix: use one of "ops", "apps", or add { id: "billing" } to tenants.',
    );
  });

  test('Tempo distributed on an external broker that lacks its topic, reported at the Tempo construct with the topic to create', () => {
    expect(() =>
      platform({ tempo: { mode: 'distributed', kafka: { broker: new ExternalKafka({ bootstrapServers: ['b-1.msk.example.com:9092'] }) } } }),
    ).toThrow(
      '[platform/tempo] kafka.broker.topics["tempo-ingest"] = (unset): is not listed, and Tempo "tempo" (one partition per live-store, 2) needs it with 2 partitions or more. Fix: create the topic "tempo-ingest" with 2 partitions on the broker, then list it in topics.',
    );
  });

  test('a Grafana link to a datasource that is not provisioned', () => {
    expect(() =>
      platform({
        grafana: {
          datasources: ['loki', 'thanos'],
          extraDatasources: [
            {
              name: 'Extra',
              type: 'prometheus',
              uid: 'extra',
              url: 'http://x.example:9090',
              jsonData: { exemplarTraceIdDestinations: [{ name: 'trace_id', datasourceUid: 'tempo' }] },
            },
          ],
        },
      }),
    ).toThrow(
      '[platform/grafana] datasources = "Extra → tempo": links to a datasource uid that is not provisioned, so the link would open an error. Fix: provision a datasource with that uid, or drop the link (provisioned: metrics, loki, extra).',
    );
  });

  test('tenants given twice, and an OTLP gateway without Tempo', () => {
    expect(() => platform({ tenants: [{ id: 'a' }], loki: { tenants: [{ id: 'b' }] }, tempo: false, collectors: { otlp: {} } })).toThrow(
      /tenants = "a": and loki.tenants are both set[\s\S]*collectors.otlp = "\(set\)": is an OTLP gateway whose traces would have nowhere to go/,
    );
  });
});

describe('scenario apps', () => {
  test('(a) db-cluster: promtail with host access in its own namespace, Prometheus + sidecar on S3, OTel → Tempo, Grafana', () => {
    const { manifests } = synthApp('db-cluster');
    expect(get(manifests, 'DaemonSet', 'promtail-agent').metadata.namespace).toBe('db-monitoring-host');
    expect(get(manifests, 'StatefulSet', 'prometheus-server').spec.template.spec.containers.map((c: any) => c.name)).toEqual(['prometheus', 'thanos-sidecar']);
    expect(
      ofKind(manifests, 'ServiceAccount')
        .filter((s) => s.metadata.annotations?.['eks.amazonaws.com/role-arn'])
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(['loki', 'prometheus-server', 'tempo', 'thanos-compactor', 'thanos-ruler', 'thanos-store']);
    const otel = parse(dataOf(get(manifests, 'ConfigMap', 'otel-gateway-config'))['config.yaml']);
    expect(otel.exporters['otlp_grpc/tempo'].endpoint).toBe('tempo.db-monitoring.svc.cluster.local:4317');
  });

  test('(b) umbrella: Alloy agent and gateway, metrics-server, grafana-operator resources, Alertmanager', () => {
    const { manifests } = synthApp('umbrella');
    const kinds = new Set(manifests.map((m) => m.kind));
    for (const k of ['APIService', 'Grafana', 'GrafanaDatasource', 'GrafanaDashboard', 'GrafanaFolder', 'ServiceMonitor']) expect(kinds).toContain(k);
    expect(workloadNames(manifests)).toEqual(
      expect.arrayContaining([
        'StatefulSet/alloy-logs',
        'Deployment/alloy-gateway',
        'Deployment/metrics-server',
        'Deployment/kube-state-metrics',
        'DaemonSet/node-exporter',
        'StatefulSet/alertmanager',
        'StatefulSet/thanos-receive',
      ]),
    );
    // With the operator, Grafana mounts no provisioning files: the operator pushes them.
    expect(manifests.filter((m) => m.metadata.name === 'grafana-provisioning')).toEqual([]);
  });

  test("(c) loki-standalone: Prometheus scrapes Loki, Grafana shows a dashboard of Loki's own metrics over it", () => {
    const { manifests } = synthApp('loki-standalone');
    const jobs = scrapeJobs(manifests);
    expect([...jobs.keys()]).toEqual(expect.arrayContaining(['loki-write', 'loki-read', 'loki-backend']));
    const ds = datasourcesOf(manifests);
    expect(ds.find((d: any) => d.uid === 'metrics').url).toBe('http://prometheus-server.logging.svc.cluster.local:9090');
    const dashboard = JSON.parse(dataOf(get(manifests, 'ConfigMap', 'grafana-dashboards-platform'))['platform-loki.json']);
    expect(dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)).join(' ')).toContain('loki_distributor_bytes_received_total');
  });
});

function workloadNames(manifests: Manifest[]): string[] {
  return manifests.filter((m) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(m.kind)).map((m) => `${m.kind}/${m.metadata.name}`);
}
