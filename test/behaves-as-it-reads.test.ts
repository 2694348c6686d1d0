import { App } from 'cdk8s';
import { parse } from 'yaml';
import {
  Alertmanager,
  AwsStorage,
  CoreDnsMetrics,
  Credentials,
  Grafana,
  LokiCluster,
  Minio,
  ObservabilityPlatform,
  PlatformSpec,
  PrometheusAgent,
  PrometheusServer,
  Promtail,
  S3Storage,
  Tempo,
  ThanosCluster,
  ValidationError,
  VmAgent,
  lokiDatasource,
  srvScrapeTarget,
} from '../lib';
import { allWarnings } from '../lib/core/warnings';
import { jobsSelectedBy } from '../lib/core/promql-jobs';
import { Manifest, argsOf, containersOf, dataOf, get, ofKind, podSpecOf, synth, synthApp, testChart, workloads } from './support/synth';

/**
 * One test (or a few) per defect of "Behaves as it reads": each asserts the property the output
 * lacked, on the output itself, so it fails on the code that had the defect.
 */

const platform = (spec: PlatformSpec = {}) => {
  const chart = new ObservabilityPlatform(new App({ outdir: '/nonexistent' }), 'platform', spec);
  return { chart, manifests: chart.toJson() as Manifest[] };
};
const configMapYaml = (ms: Manifest[], name: string, file: string) => parse(dataOf(get(ms, 'ConfigMap', name))[file]);
const env = (w: Manifest, container: string) => containersOf(podSpecOf(w)).find((c) => c.name === container).env ?? [];
const secretRef = (w: Manifest, container: string, variable: string) => env(w, container).find((e: any) => e.name === variable)?.valueFrom?.secretKeyRef;
const MULTITENANT_LOKI = {
  namespace: 'logs',
  loki: { name: 'logs', tenants: [{ id: 'team-a' }, { id: 'team-b' }], gateway: { basicAuthSecret: 'htpasswd', clientPasswordsSecret: 'passwords' } },
} as const;

describe("1. clients of a basic-auth Loki gateway send their tenant's credentials, by Secret reference", () => {
  const { manifests } = synthApp('loki-multitenant');

  test("Alloy's loki.write sends basic auth, the password from the passwords Secret through the environment", () => {
    const config = dataOf(get(manifests, 'ConfigMap', 'alloy-logs-config'))['config.alloy'];
    expect(config).toContain('    basic_auth {\n      username = "team-a"\n      password = sys.env("LOKI_PASSWORD")\n    }');
    expect(secretRef(get(manifests, 'StatefulSet', 'alloy-logs'), 'alloy', 'LOKI_PASSWORD')).toEqual({ name: 'logs-gateway-passwords', key: 'team-a' });
  });

  test("the OpenTelemetry Collector's Loki exporter authenticates through the basicauth extension", () => {
    const config = configMapYaml(manifests, 'otel-gateway-config', 'config.yaml');
    expect(config.extensions['basicauth/loki']).toEqual({ client_auth: { username: 'team-a', password: '${env:LOKI_PASSWORD}' } });
    expect(config.exporters['otlp_http/loki'].auth).toEqual({ authenticator: 'basicauth/loki' });
    expect(config.service.extensions).toContain('basicauth/loki');
    expect(secretRef(get(manifests, 'Deployment', 'otel-gateway'), 'otel-collector', 'LOKI_PASSWORD')).toEqual({
      name: 'logs-gateway-passwords',
      key: 'team-a',
    });
  });

  test("every Grafana Loki datasource logs in as its tenant, the password read from Grafana's environment", () => {
    const datasources = configMapYaml(manifests, 'grafana-provisioning', 'datasources.yaml').datasources.filter((d: any) => d.type === 'loki');
    expect(datasources.map((d: any) => [d.basicAuth, d.basicAuthUser, d.secureJsonData.basicAuthPassword])).toEqual([
      [true, 'team-a', '$__env{GF_DATASOURCE_LOKI_PASSWORD}'],
      [true, 'team-b', '$__env{GF_DATASOURCE_LOKI_TEAM_B_PASSWORD}'],
      [true, 'audit', '$__env{GF_DATASOURCE_LOKI_AUDIT_PASSWORD}'],
    ]);
    const grafana = get(manifests, 'Deployment', 'grafana-server');
    expect(secretRef(grafana, 'grafana', 'GF_DATASOURCE_LOKI_TEAM_B_PASSWORD')).toEqual({ name: 'logs-gateway-passwords', key: 'team-b' });
  });

  test('grafana-operator gets the password substituted from the Secret, never written', () => {
    const { manifests: ms } = platform({ ...MULTITENANT_LOKI, grafana: { delivery: 'operator', adminSecret: { name: 'admin' } } });
    const ds = get(ms, 'GrafanaDatasource', 'grafana-loki');
    expect(ds.spec.datasource).toMatchObject({ basicAuth: true, basicAuthUser: 'team-a', secureJsonData: { basicAuthPassword: '${team-a}' } });
    expect(ds.spec.valuesFrom).toEqual([{ targetPath: 'secureJsonData.basicAuthPassword', valueFrom: { secretKeyRef: { name: 'passwords', key: 'team-a' } } }]);
  });

  test('promtail reads its password from the mounted Secret key', () => {
    const chart = testChart();
    const loki = new LokiCluster(chart, 'loki', {
      namespace: 'logs',
      storage: new Minio(chart, 'minio', { namespace: 'logs' }),
      tenants: [{ id: 'a' }],
      gateway: { basicAuthSecret: 'h', clientPasswordsSecret: 'p' },
    });
    new Promtail(chart, 'promtail', { namespace: 'logs', loki: loki.clientEndpoint('a') });
    const ms = synth(chart);
    expect(configMapYaml(ms, 'promtail-agent-config', 'promtail.yaml').clients[0].basic_auth).toEqual({
      username: 'a',
      password_file: '/etc/promtail/loki-password/password',
    });
    const volume = podSpecOf(get(ms, 'DaemonSet', 'promtail-agent')).volumes.find((v: any) => v.name === 'loki-password');
    expect(volume.secret).toEqual({ secretName: 'p', items: [{ key: 'a', path: 'password' }] });
  });

  test('a client of an authenticating gateway without credentials is refused at synth, whatever the order of construction', () => {
    const { loki, ...spec } = MULTITENANT_LOKI;
    const { clientPasswordsSecret: _, ...gateway } = loki.gateway;
    expect(() => platform({ ...spec, loki: { ...loki, gateway } })).toThrow(
      '[platform/alloy-logs] loki.pushUrl = "http://logs-gateway.logs.svc.cluster.local/loki/api/v1/push": goes to the Loki gateway, which requires basic auth (platform/loki), and sends no credentials: every request would be refused with 401. ' +
        'Fix: give the gateway clientPasswordsSecret (a Secret with each tenant\'s password under its id) and take the destination from loki.clientEndpoint("<tenant>").',
    );
    // A destination typed by hand, to a gateway made later: still refused, by the client's path.
    const chart = testChart();
    const url = 'http://loki-gateway.obs.svc.cluster.local';
    new Grafana(chart, 'grafana', { namespace: 'obs', datasources: [lokiDatasource({ url, tenant: { header: 'X-Scope-OrgID', id: 'a' } })] });
    new LokiCluster(chart, 'loki', {
      namespace: 'obs',
      storage: new Minio(chart, 'minio', { namespace: 'obs' }),
      tenants: [{ id: 'a' }],
      gateway: { basicAuthSecret: 'h', clientPasswordsSecret: 'p' },
    });
    expect(() => synth(chart)).toThrow('[test/grafana] datasources[loki] = "http://loki-gateway.obs.svc.cluster.local": goes to the Loki gateway');
  });
});

describe('2. every series returned once: Query deduplicates along the replica label of every writer', () => {
  test("the platform's agent pair writes through receive, and Query and the compactor take its label", () => {
    const { manifests } = platform();
    const query = argsOf(get(manifests, 'Deployment', 'thanos-query'), 'thanos').filter((a) => a.startsWith('--query.replica-label='));
    expect(query.sort()).toEqual(['--query.replica-label=prometheus_replica', '--query.replica-label=replica', '--query.replica-label=rule_replica']);
    const agent = configMapYaml(manifests, 'prometheus-agent-config', 'prometheus.yaml');
    expect(Object.keys(agent.global.external_labels)).toEqual(['prometheus_replica']);
  });

  test('a writer made after the cluster counts too; one writing to another cluster does not', () => {
    const chart = testChart();
    const minio = new Minio(chart, 'minio', { namespace: 'obs' });
    const thanos = new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: minio, ruler: false });
    const other = new ThanosCluster(chart, 'other', { namespace: 'obs', name: 'other', storage: minio, bucket: 'other-blocks', ruler: false });
    new PrometheusAgent(chart, 'agent', { namespace: 'obs', replicaLabel: 'scraper', remoteWrite: [thanos.remoteWriteTarget()] });
    new PrometheusAgent(chart, 'agent2', { namespace: 'obs', name: 'p2', replicaLabel: 'elsewhere', remoteWrite: [other.remoteWriteTarget()] });
    const ms = synth(chart);
    const labels = (name: string) =>
      argsOf(get(ms, 'Deployment', name), 'thanos')
        .filter((a) => a.startsWith('--query.replica-label='))
        .sort();
    expect(labels('thanos-query')).toEqual(['--query.replica-label=replica', '--query.replica-label=scraper']);
    expect(labels('other-query')).toEqual(['--query.replica-label=elsewhere', '--query.replica-label=replica']);
  });

  test('an HA pair writing to a Prometheus receiver, which cannot deduplicate, is refused', () => {
    const chart = testChart();
    const central = new PrometheusServer(chart, 'central', { namespace: 'obs', name: 'central', remoteWriteReceiver: true });
    expect(() => new PrometheusServer(chart, 'edge', { namespace: 'obs', name: 'edge', replicas: 2, remoteWrite: central.remoteWriteTargets })).toThrow(
      '[test/edge] remoteWrite[0] = "http://central-server-0.central-server-headless.obs.svc.cluster.local:9090/api/v1/write": is a store that cannot deduplicate, and 2 replicas each send it every series: every query would return each series 2 times. ' +
        'Fix: run one replica, or write to a store that deduplicates (Thanos receive, or VictoriaMetrics with dedupInterval).',
    );
    const { manifests } = synthApp('prometheus-receiver');
    expect(get(manifests, 'StatefulSet', 'edge-server').spec.replicas).toBe(1);
  });
});

describe('3. compaction merges independent copies with the penalty algorithm, identical ones one-to-one', () => {
  const flags = (ms: Manifest[]) => argsOf(get(ms, 'StatefulSet', 'thanos-compactor'), 'thanos').filter((a) => a.startsWith('--deduplication.'));

  test('rulers and Prometheus pairs: penalty', () => {
    expect(flags(platform().manifests)).toEqual(
      expect.arrayContaining([
        '--deduplication.replica-label=rule_replica',
        '--deduplication.replica-label=prometheus_replica',
        '--deduplication.func=penalty',
      ]),
    );
    expect(flags(synthApp('thanos-sidecar').manifests).sort()).toEqual([
      '--deduplication.func=penalty',
      '--deduplication.replica-label=prometheus_replica',
      '--deduplication.replica-label=rule_replica',
    ]);
  });

  test('only receive replication (sample-identical copies): the one-to-one merger', () => {
    const chart = testChart();
    new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: new Minio(chart, 'minio', { namespace: 'obs' }), ruler: false });
    expect(flags(synth(chart))).toEqual(['--deduplication.replica-label=replica']);
  });
});

describe('4. alerts reach an Alertmanager, and built-in rules select jobs the app scrapes', () => {
  test('the default platform runs an HA Alertmanager that both rulers send to, every pod of it', () => {
    const { manifests } = platform();
    expect(get(manifests, 'StatefulSet', 'alertmanager').spec.replicas).toBe(2);
    expect(argsOf(get(manifests, 'StatefulSet', 'thanos-ruler'), 'thanos')).toContain(
      '--alertmanagers.url=dns+http://alertmanager-headless.observability.svc.cluster.local:9093',
    );
    expect(configMapYaml(manifests, 'loki-config', 'config.yaml').ruler).toMatchObject({
      alertmanager_url: 'http://_http._tcp.alertmanager-headless.observability.svc.cluster.local',
      enable_alertmanager_discovery: true,
      enable_alertmanager_v2: true,
    });
  });

  test('a Prometheus pair sends to every pod and drops its replica label, so Alertmanager sees one alert', () => {
    const alerting = configMapYaml(synthApp('thanos-sidecar').manifests, 'prometheus-server-config', 'prometheus.yaml').alerting;
    expect(alerting).toEqual({
      alert_relabel_configs: [{ action: 'labeldrop', regex: 'prometheus_replica' }],
      alertmanagers: [{ api_version: 'v2', dns_sd_configs: [{ names: ['_http._tcp.alertmanager-headless.monitoring.svc.cluster.local'], type: 'SRV' }] }],
    });
  });

  test('rulers without an Alertmanager, and an Alertmanager whose receivers deliver nowhere, warn', () => {
    const { chart } = platform({ alertmanager: false });
    expect(
      allWarnings(chart)
        .map((w) => `${w.path} ${w.id}`)
        .sort(),
    ).toEqual(['platform/loki alerts-go-nowhere', 'platform/thanos/Ruler alerts-go-nowhere']);
    const chart2 = testChart();
    new Alertmanager(chart2, 'am', { namespace: 'obs' });
    expect(allWarnings(chart2).map((w) => w.message)).toEqual([
      '[test/am] config.receivers = ["default"]: is a receiver that routes send alerts to, with no integration: Alertmanager drops every alert that reaches it. ' +
        'Fix: give each an integration (webhook_configs, slack_configs, pagerduty_configs, ...), with its keys in the Secret of secretFiles; acknowledge the warning while there is none yet. (warning "alerts-delivered-nowhere")',
    ]);
    const chart3 = testChart();
    new Alertmanager(chart3, 'am', {
      namespace: 'obs',
      config: { route: { receiver: 'pager' }, receivers: [{ name: 'pager', webhook_configs: [{ url: 'https://pager.example.com/hook' }] }] },
    });
    expect(allWarnings(chart3)).toEqual([]);
  });

  test("the built-in Thanos rules select the jobs of a split receive, and every app's rules select jobs it scrapes into their store", () => {
    const { manifests } = synthApp('thanos-agent');
    const rules = parse(dataOf(get(manifests, 'ConfigMap', 'thanos-ruler-rules'))['rules.yaml']).groups.flatMap((g: any) => g.rules);
    const selected = new Set<string>(rules.flatMap((r: any) => jobsSelectedBy(r.expr)));
    expect([...selected].sort()).toEqual(['thanos-compactor', 'thanos-query', 'thanos-receive-router', 'thanos-receive-shared', 'thanos-receive-team-a']);
    const scraped = new Set(
      parse(dataOf(get(manifests, 'ConfigMap', 'prometheus-team-a-agent-config'))['prometheus.yaml']).scrape_configs.map((s: any) => s.job_name),
    );
    for (const job of selected) expect(scraped).toContain(job);
  });

  test('rules over jobs nothing scrapes into their store are refused', () => {
    const chart = testChart();
    const minio = new Minio(chart, 'minio', { namespace: 'obs' });
    const thanos = new ThanosCluster(chart, 'thanos', {
      namespace: 'obs',
      storage: minio,
      ruler: { alertmanagerUrls: ['dns+http://am.obs.svc.cluster.local:9093'] },
    });
    new PrometheusAgent(chart, 'agent', { namespace: 'obs', remoteWrite: [thanos.remoteWriteTarget()] });
    expect(() => synth(chart)).toThrow(
      '[test/thanos/Ruler] ruleGroups = ["thanos-receive","thanos-compactor","thanos-query"]: are jobs selected by its rules, but nothing scrapes them into dnssrv+_http._tcp.thanos-query.obs.svc.cluster.local (the jobs that reach it: prometheus-agent): ' +
        'they would never find data, and their alerts never fire. Fix: have the collector that feeds this store scrape those components (pass their scrapeTargets), or read from a store that has them.',
    );
  });
});

describe('5. db-cluster: its dashboards read what its Prometheus pair scrapes, exemplars included', () => {
  const { manifests } = synthApp('db-cluster');

  test('every job a dashboard selects is scraped by the pair Grafana reads through Thanos Query', () => {
    const scraped = new Set(configMapYaml(manifests, 'prometheus-server-config', 'prometheus.yaml').scrape_configs.map((s: any) => s.job_name));
    const dashboards = ofKind(manifests, 'ConfigMap').filter((m) => m.metadata.name.startsWith('grafana-dashboards-'));
    const exprs = dashboards.flatMap((m) =>
      Object.values(dataOf(m)).flatMap((json) => JSON.parse(json).panels.flatMap((p: any) => p.targets.map((t: any) => t.expr))),
    );
    const selected = new Set(exprs.flatMap(jobsSelectedBy));
    expect(selected.size).toBeGreaterThan(10);
    for (const job of selected) expect({ job, scraped: scraped.has(job) }).toEqual({ job, scraped: true });
  });

  test('Tempo sends exemplars to a Prometheus that stores them', () => {
    expect(argsOf(get(manifests, 'StatefulSet', 'prometheus-server'), 'prometheus')).toContain('--enable-feature=exemplar-storage');
    const writes = configMapYaml(manifests, 'tempo-config', 'tempo.yaml').metrics_generator.storage.remote_write;
    expect(writes.map((w: any) => w.send_exemplars)).toEqual([true, true]);
  });

  test('a store that keeps no exemplars is sent none (VictoriaMetrics)', () => {
    const writes = configMapYaml(synthApp('platform-vm').manifests, 'tempo-config', 'tempo.yaml').metrics_generator.storage.remote_write;
    expect(writes.map((w: any) => w.send_exemplars)).toEqual([false]);
  });
});

describe('6. kube-state-metrics keeps the namespace and pod labels of what it reports', () => {
  test("its ServiceMonitor and the platform's own scrape honour its labels; its self-metrics job does not", () => {
    const { manifests } = platform({ serviceMonitors: true });
    expect(get(manifests, 'ServiceMonitor', 'kube-state-metrics').spec.endpoints[0].honorLabels).toBe(true);
    expect(get(manifests, 'ServiceMonitor', 'kube-state-metrics-self').spec.endpoints[0].honorLabels).toBeUndefined();
    const jobs = configMapYaml(manifests, 'prometheus-agent-config', 'prometheus.yaml').scrape_configs;
    expect(jobs.find((j: any) => j.job_name === 'kube-state-metrics').honor_labels).toBe(true);
  });
});

describe('7. CoreDNS is scraped pod by pod', () => {
  test('vm-multi-region scrapes a headless Service over the CoreDNS pods', () => {
    const { manifests } = synthApp('vm-multi-region');
    const svc = manifests.find((m) => m.kind === 'Service' && m.metadata.name === 'coredns-metrics')!;
    expect(svc.metadata.namespace).toBe('kube-system');
    expect(svc.spec).toMatchObject({ clusterIP: 'None', selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'metrics', port: 9153, targetPort: 9153 }] });
    const scrape = parse(dataOf(manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'us-east-1-vmagent-config')!)['scrape.yaml']);
    expect(scrape.scrape_configs.find((j: any) => j.job_name === 'coredns-metrics').dns_sd_configs).toEqual([
      { names: ['_metrics._tcp.coredns-metrics.kube-system.svc.cluster.local'], type: 'SRV' },
    ]);
  });

  test('a ClusterIP Service as an SRV scrape target is refused', () => {
    const chart = testChart();
    new VmAgent(chart, 'agent', {
      namespace: 'obs',
      scrapeTargets: [srvScrapeTarget('coredns', 'metrics', 'kube-dns.kube-system.svc.cluster.local')],
      remoteWrite: [{ url: 'http://vm.obs.svc:8480/insert/0/prometheus/api/v1/write' }],
    });
    new CoreDnsMetrics(chart, 'dns');
    expect(() => synth(chart)).toThrow(
      '[test/agent] scrapeTargets = "_metrics._tcp.kube-dns.kube-system.svc.cluster.local": is the cluster DNS\'s ClusterIP Service, whose SRV record is one virtual address: each scrape of job "coredns" lands on a random pod, and its counters jump between pods. ' +
        'Fix: scrape CoreDNS through new CoreDnsMetrics(chart, ...).scrapeTarget, a headless Service that lists every CoreDNS pod.',
    );
  });
});

describe('8. pod logs of every node are shipped once, and a replaced log agent resumes where it stopped', () => {
  const { manifests } = platform();

  test("the Alloy agent tails every node's pods from a StatefulSet whose positions are on kept volumes", () => {
    const agent = get(manifests, 'StatefulSet', 'alloy-logs');
    expect(agent.spec.volumeClaimTemplates.map((c: any) => c.metadata.name)).toEqual(['storage']);
    expect(agent.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(dataOf(get(manifests, 'ConfigMap', 'alloy-logs-config'))['config.alloy']).not.toContain('spec.nodeName');
  });

  test('every pod runs on Linux nodes; promtail tolerates every taint', () => {
    for (const w of workloads(manifests))
      expect({ w: w.metadata.name, os: podSpecOf(w).nodeSelector?.['kubernetes.io/os'] }).toEqual({ w: w.metadata.name, os: 'linux' });
    const promtail = podSpecOf(get(synthApp('db-cluster').manifests, 'DaemonSet', 'promtail-agent'));
    expect(promtail.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(promtail.tolerations).toEqual([{ operator: 'Exists' }]);
  });
});

describe('9. gossip rings are labelled, so two rings never merge', () => {
  test('Loki and Tempo, and two Loki instances, carry different cluster labels', () => {
    const { manifests } = platform();
    const loki = configMapYaml(manifests, 'loki-config', 'config.yaml').memberlist.cluster_label;
    const tempo = configMapYaml(manifests, 'tempo-config', 'tempo.yaml').memberlist.cluster_label;
    expect([loki, tempo]).toEqual(['loki.observability.loki', 'tempo.observability.tempo']);
    const other = configMapYaml(synthApp('loki-multitenant').manifests, 'logs-config', 'config.yaml').memberlist.cluster_label;
    expect(other).toBe('loki.logs.logs');
  });
});

describe('10. a long WAL replay is not restarted', () => {
  test('Tempo and promtail are live while not ready, with a start-up probe', () => {
    const { manifests } = platform();
    const tempo = containersOf(podSpecOf(get(manifests, 'StatefulSet', 'tempo-monolithic')))[0];
    expect(tempo.readinessProbe.httpGet.path).toBe('/ready');
    expect(tempo.livenessProbe.httpGet.path).not.toBe('/ready');
    expect(tempo.startupProbe.httpGet.path).toBe(tempo.livenessProbe.httpGet.path);
    const promtail = containersOf(podSpecOf(get(synthApp('db-cluster').manifests, 'DaemonSet', 'promtail-agent')))[0];
    expect(promtail.livenessProbe.httpGet.path).not.toBe('/ready');
    expect(promtail.startupProbe).toBeDefined();
  });
});

describe('11. on AWS, every bucket name the library chooses carries a prefix', () => {
  test("loki-aws names the Thanos bucket with its prefix; the AWS platform prefixes Tempo's", () => {
    const objstore = (ms: Manifest[]) => parse(get(ms, 'ConfigMap', 'thanos-objstore').data['objstore.yaml']).config.bucket;
    expect(objstore(synthApp('loki-aws').manifests)).toBe('acme-prod-thanos-blocks');
    const { chart } = platform({
      aws: { accountId: '111122223333', region: 'eu-west-1', namePrefix: 'acme-prod', identity: { type: 'pod-identity', clusterName: 'prod' } },
    });
    expect(chart.tempo!.bucket).toBe('acme-prod-tempo-traces');
    expect(chart.aws!.usage.buckets).toEqual(['acme-prod-loki-chunks', 'acme-prod-loki-ruler', 'acme-prod-tempo-traces', 'acme-prod-thanos-blocks']);
  });

  test('an unprefixed default on AWS S3 is refused', () => {
    const chart = testChart();
    const storage = new S3Storage({ region: 'eu-west-1', credentials: Credentials.fromIrsaRole('arn:aws:iam::111122223333:role/r') });
    expect(() => new Tempo(chart, 'tempo', { namespace: 'obs', storage })).toThrow(
      '[test/tempo] bucket = (unset): is left to the library, but S3 bucket names are global to every AWS account: an unprefixed "tempo-traces" may already be someone else\'s. Fix: name the bucket yourself (e.g. "<your-prefix>-tempo-traces"), or give the S3Storage a bucketPrefix.',
    );
  });
});

describe('12. each Thanos component may do only what its upstream does with the bucket', () => {
  test('store reads; receive and ruler read and write; only the compactor deletes', () => {
    const aws = new AwsStorage({ accountId: '111122223333', region: 'eu-west-1', namePrefix: 'acme', identity: { type: 'pod-identity', clusterName: 'c' } });
    const chart = testChart();
    new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: aws });
    const actions = Object.fromEntries(aws.usage.clients.map((c) => [c.component, [...c.actions].sort()]));
    expect(actions).toEqual({
      'thanos-receive': ['s3:GetObject', 's3:ListBucket', 's3:PutObject'],
      'thanos-store': ['s3:GetObject', 's3:ListBucket'],
      'thanos-ruler': ['s3:GetObject', 's3:ListBucket', 's3:PutObject'],
      'thanos-compactor': ['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject'],
    });
    // The store gateway's admin API would mark blocks (a write): it is off.
    expect(argsOf(get(synth(chart), 'StatefulSet', 'thanos-store'), 'thanos')).toContain('--disable-admin-operations');
  });
});

describe("13. Loki images: a role's own applies, and every image is pinned", () => {
  test('write.image runs on the write pods only', () => {
    const chart = testChart();
    new LokiCluster(chart, 'loki', {
      namespace: 'obs',
      storage: new Minio(chart, 'minio', { namespace: 'obs' }),
      write: { image: { repository: 'docker.io/grafana/loki', tag: '3.7.7' } },
    });
    const ms = synth(chart);
    expect(containersOf(podSpecOf(get(ms, 'StatefulSet', 'loki-write')))[0].image).toBe('docker.io/grafana/loki:3.7.7');
    expect(get(ms, 'StatefulSet', 'loki-write').metadata.labels?.['app.kubernetes.io/version']).toBe('3.7.7');
    expect(containersOf(podSpecOf(get(ms, 'Deployment', 'loki-read')))[0].image).toBe('docker.io/grafana/loki:3.7.6');
  });

  test('"latest" is refused for the cluster image and the cache image, with each component\'s own pin as the hint', () => {
    const chart = testChart();
    const storage = new Minio(chart, 'minio', { namespace: 'obs' });
    let error: ValidationError | undefined;
    try {
      new LokiCluster(chart, 'loki', {
        namespace: 'obs',
        storage,
        image: { repository: 'docker.io/grafana/loki', tag: 'latest' },
        chunksCache: { image: { repository: 'docker.io/library/memcached', tag: 'latest' } },
      });
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error?.problems.map((p) => `${p.property}: ${p.fix}`)).toEqual([
      'image: give a fixed release tag such as "3.7.6" (the one the library pins), never "latest"',
      'chunksCache.image: give a fixed release tag such as "1.6.39-alpine" (the one the library pins), never "latest"',
    ]);
    expect(
      () => new ThanosCluster(testChart(), 't', { namespace: 'obs', storage, query: { image: { repository: 'quay.io/thanos/thanos', tag: 'latest' } } }),
    ).toThrow('such as "v0.42.4"');
  });
});
