import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import {
  Credentials,
  Grafana,
  LokiCluster,
  Minio,
  ObservabilityPlatform,
  PlatformSpec,
  PrometheusServer,
  Promtail,
  RestrictedNamespace,
  S3Storage,
  Tempo,
  ThanosCluster,
  ValidationError,
  VictoriaMetricsCluster,
  VmAgent,
  declareExternalService,
  lokiDatasource,
  metricsDatasource,
} from '../../lib';
import { get, podSpecOf, synth, testChart } from '../support/synth';

/**
 * Every class of bad input the hand trial found accepted, each refused with the construct path,
 * the property, the value and the fix, before anything is written.
 */

/** The message of the ValidationError `build` throws, whether at construction or at synth. */
function refusal(build: () => unknown): string {
  try {
    const built = build();
    if (built instanceof App) built.charts.forEach((c) => c.toJson());
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
  throw new Error('no ValidationError was thrown');
}

const platformApp = (spec: PlatformSpec) => () => {
  const app = new App({ outdir: '/nonexistent' });
  new ObservabilityPlatform(app, 'platform', spec);
  return app;
};
const lokiWith = (props: Record<string, unknown>) => () => {
  const chart = testChart();
  new LokiCluster(chart, 'loki', { namespace: 'obs', storage: new Minio(chart, 'minio', { namespace: 'obs' }), ...props });
  return chart.node.root;
};

describe('name collisions: two constructs emitting one object are refused, naming both', () => {
  test("a Grafana named like Loki's gateway", () => {
    expect(refusal(platformApp({ grafana: { name: 'loki-gateway' } }))).toContain(
      '[platform/grafana/Service] metadata.name = "loki-gateway": names Service observability/loki-gateway, which platform/loki/GatewayService emits too: applied together, one silently replaces the other. ' +
        'Fix: give one of the two constructs another name or instance name, or put it in another namespace.',
    );
  });

  test('a Tempo named like Loki overwrites its ServiceAccount and config', () => {
    const message = refusal(platformApp({ tempo: { name: 'loki' } }));
    expect(message).toContain(
      '[platform/tempo/ServiceAccount] metadata.name = "loki": names ServiceAccount observability/loki, which platform/loki/ServiceAccount emits too',
    );
    expect(message).toContain(
      '[platform/tempo/Config] metadata.name = "loki-config": names ConfigMap observability/loki-config, which platform/loki/Config emits too',
    );
  });
});

describe('sizes: every quantity the API takes is checked', () => {
  test.each([
    ['10GB', 'is not a Kubernetes quantity (sizes are written like "10Gi" or "500M", not "10GB"). Fix: write it as "10Gi".'],
    ['lots', 'is not a Kubernetes quantity (sizes are written like "10Gi" or "500M", not "10GB"). Fix: write it as "10Gi".'],
    ['-5Gi', 'is not a Kubernetes quantity (sizes are written like "10Gi" or "500M", not "10GB"). Fix: write it as "10Gi".'],
    ['0', 'is smaller than 1Mi, which no volume can be. Fix: give a size such as "10Gi".'],
  ])('storageSize %s', (size, message) => {
    expect(refusal(lokiWith({ write: { storageSize: size } }))).toBe(`[test/loki] write.storageSize = "${size}": ${message}`);
  });

  test('a vmagent queue of "0", which would lift the disk limit', () => {
    expect(
      refusal(
        () =>
          new VmAgent(testChart(), 'agent', {
            namespace: 'obs',
            persistentQueue: { size: '0' },
            remoteWrite: [{ url: 'http://vm.obs.svc:8480/insert/0/prometheus/api/v1/write' }],
          }),
      ),
    ).toBe('[test/agent] persistentQueue.size = "0": is smaller than 1Mi, which no volume can be. Fix: give a size such as "10Gi".');
  });

  test('a negative resource request', () => {
    expect(refusal(lokiWith({ read: { resources: { requests: { cpu: '-1' } } } }))).toBe(
      '[test/loki] read.resources.requests.cpu = "-1": is not a Kubernetes quantity. Fix: use a form such as "500m", "2", "512Mi" or "10Gi".',
    );
  });
});

describe('empty strings that would break the program', () => {
  test('a gateway DNS resolver of ""', () => {
    expect(refusal(lokiWith({ gateway: { dnsResolver: '' } }))).toBe(
      '[test/loki] gateway.dnsResolver = "": is not a DNS server address (a host name or IP, with an optional :port). Fix: leave it unset for the cluster DNS ("kube-dns.kube-system.svc.cluster.local"), or give e.g. "10.96.0.10".',
    );
  });

  test('an existing Secret named ""', () => {
    expect(refusal(() => new Minio(testChart(), 'minio', { namespace: 'obs', existingSecret: '' }))).toBe(
      '[test/minio] existingSecret = "": must be a non-empty DNS label. Fix: use lower-case letters, digits and "-".',
    );
  });

  test('a tenant ""', () => {
    expect(refusal(lokiWith({ tenants: [{ id: '' }] }))).toBe(
      '[test/loki] tenants[0].id = "": is not a valid Loki tenant id (up to 150 letters, digits and ! - _ . * \' ( )). Fix: use a tenant id such as "team-a".',
    );
    const chart = testChart();
    const thanos = new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: new Minio(chart, 'minio', { namespace: 'obs' }) });
    expect(refusal(() => thanos.remoteWriteTarget(''))).toBe(
      '[test/thanos/Receive] tenant = "": is not a tenant id (empty, or with spaces or commas), so writes would land in no tenant you can name. Fix: give a tenant id such as "team-a".',
    );
  });

  test('a datasource URL ""', () => {
    expect(refusal(() => new Grafana(testChart(), 'grafana', { namespace: 'obs', datasources: [metricsDatasource({ url: '' })] }))).toBe(
      '[test/grafana] datasources[metrics].url = "": is not an http(s) URL. Fix: give a URL such as "http://loki-gateway.observability.svc.cluster.local".',
    );
  });

  test('an S3 region ""', () => {
    expect(refusal(() => new S3Storage({ region: '', credentials: Credentials.fromSecret({ name: 's3' }) }))).toBe(
      '[S3Storage] region = "": is not a region name (every client signs its requests with it). Fix: give the buckets\' region, e.g. "eu-west-1" (MinIO and most S3-compatible services take "us-east-1").',
    );
  });

  test('a logs URL ""', () => {
    expect(refusal(() => new Promtail(testChart(), 'promtail', { namespace: 'obs', loki: { pushUrl: '' } }))).toBe(
      '[test/promtail] loki.pushUrl = "": is not an http(s) URL. Fix: give a URL such as "http://loki-gateway.observability.svc.cluster.local".',
    );
  });
});

describe('values the program refuses at start', () => {
  test('a scrape job that repeats a generated one', () => {
    expect(
      refusal(
        () =>
          new VmAgent(testChart(), 'agent', {
            namespace: 'obs',
            extraScrapeConfigs: [{ job_name: 'vm-vmagent', static_configs: [{ targets: ['x:1'] }] }],
            remoteWrite: [{ url: 'http://vm.obs.svc:8480/insert/0/prometheus/api/v1/write' }],
          }),
      ),
    ).toBe(
      '[test/agent] scrapeTargets = "vm-vmagent": is the job name of two scrape configs (the construct scrapes itself under its own name), which the scraper refuses at start. Fix: give every scrape target and extra scrape config its own job_name.',
    );
  });

  test('a memcached item size of "2g", read as 2 bytes', () => {
    expect(refusal(lokiWith({ chunksCache: { maxItemSize: '2g' } }))).toBe(
      '[test/loki] chunksCache.maxItemSize = "2g": is not a size memcached reads (a whole number with k or m; "2g" would be read as 2 bytes and refused at start). Fix: write it as "5m" or "512k".',
    );
    expect(refusal(lokiWith({ chunksCache: { memoryMb: 64, maxItemSize: '64m' } }))).toBe(
      '[test/loki] chunksCache.maxItemSize = "64m": is outside what memcached accepts with 64 MiB of memory (1k to half the memory, at most 1g); it would refuse to start. Fix: give a size from 1k to 32m.',
    );
  });

  test('a compactor delete delay of "0s", and one the store gateway outlives', () => {
    const chart = testChart();
    expect(
      refusal(
        () =>
          new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: new Minio(chart, 'minio', { namespace: 'obs' }), compactor: { deleteDelay: '0s' } }),
      ),
    ).toBe(
      '[test/thanos/Compactor] deleteDelay = "0s": deletes compacted-away blocks at once, while store gateways and queries still read them: queries fail on missing objects. Fix: keep the default "48h", or at least twice the store gateways\' ignoreDeletionMarksDelay.',
    );
    const chart2 = testChart();
    new ThanosCluster(chart2, 'thanos', { namespace: 'obs', storage: new Minio(chart2, 'minio', { namespace: 'obs' }), compactor: { deleteDelay: '12h' } });
    expect(refusal(() => chart2.node.root)).toBe(
      '[test/thanos/Compactor] deleteDelay = "12h": is not longer than the ignoreDeletionMarksDelay of test/thanos/Store (24h): blocks would be deleted while that gateway still serves them, and its queries fail. Fix: set deleteDelay to at least twice the gateway\'s delay ("48h"), or lower the gateway\'s ignoreDeletionMarksDelay.',
    );
  });

  test('a load balancer in front of vminsert with no sources its NetworkPolicy admits', () => {
    expect(
      refusal(
        () =>
          new VictoriaMetricsCluster(testChart(), 'vm', {
            namespace: 'obs',
            vminsert: { exposure: { externalUrl: 'http://vminsert.example.com:8480', loadBalancerAnnotations: { 'x/scheme': 'internal' } } },
          }),
      ),
    ).toBe(
      '[test/vm] vminsert.exposure.allowedSources = (unset): is empty, so vminsert\'s NetworkPolicy would refuse every agent the load balancer sends. Fix: list the address ranges the agents (or the load balancer, when it does not keep client addresses) reach vminsert from, e.g. ["10.0.0.0/16"].',
    );
  });

  test('an https URL for a load balancer that forwards plain HTTP', () => {
    expect(
      refusal(
        () =>
          new VictoriaMetricsCluster(testChart(), 'vm', {
            namespace: 'obs',
            vminsert: {
              exposure: {
                externalUrl: 'https://vminsert.example.com',
                loadBalancerAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' },
                allowedSources: ['10.0.0.0/16'],
              },
            },
          }),
      ),
    ).toBe(
      [
        '[test/vm] vminsert.exposure.externalUrl = "https://vminsert.example.com": is https, but the load balancer forwards plain TCP to vminsert, which serves plain HTTP on 8480: agents would fail the TLS handshake. Fix: use "http://vminsert.example.com:8480", or terminate TLS at the load balancer with its certificate annotation.',
        '[test/vm] vminsert.exposure.externalUrl = "https://vminsert.example.com": names port 443, but the load balancer listens on the Service port 8480. Fix: use "http://vminsert.example.com:8480".',
      ].join('\n'),
    );
  });
});

describe('invariants are checked on what is emitted, not only on the props', () => {
  test('a replication factor of 5 on 3 Loki writers, through configOverrides or extraArgs', () => {
    expect(refusal(lokiWith({ configOverrides: { common: { replication_factor: 5 } } }))).toBe(
      '[test/loki] configOverrides.common.replication_factor = 5: sets the replication factor the ingesters use to more than write.replicas (3) or to no whole number: every push would fail with "too many unhealthy instances in the ring". Fix: set replicationFactor instead of overriding it, at most 3, or raise write.replicas.',
    );
    expect(refusal(lokiWith({ write: { extraArgs: ['-distributor.replication-factor=5'] } }))).toContain(
      '[test/loki] write.extraArgs = 5: sets the replication factor',
    );
  });

  test('a receive replication factor above its ring through extraArgs; front ends that disagree', () => {
    const chart = testChart();
    expect(
      refusal(
        () =>
          new ThanosCluster(chart, 'thanos', {
            namespace: 'obs',
            storage: new Minio(chart, 'minio', { namespace: 'obs' }),
            receive: { extraArgs: ['--receive.replication-factor=5'] },
          }),
      ),
    ).toBe(
      '[test/thanos/Receive] extraArgs = "--receive.replication-factor=5": sets a replication factor above the 3 ingestors of the smallest ring (or no whole number): ketama refuses the ring and every write fails. Fix: set replicationFactor instead, at most 3.',
    );
    expect(refusal(() => new VictoriaMetricsCluster(testChart(), 'vm', { namespace: 'obs', vmselect: { extraArgs: ['-replicationFactor=1'] } }))).toBe(
      '[test/vm] vmselect.extraArgs = "-replicationFactor=1": differs from the replicationFactor (2) the other front end uses: vmselect would return duplicated copies or report partial results. Fix: set replicationFactor on the cluster, which both front ends share.',
    );
  });
});

describe('Kubernetes discovery gets the access it needs', () => {
  test('a Prometheus with kubernetes_sd_configs gets its token and get/list/watch on exactly what its roles read', () => {
    const chart = testChart();
    new PrometheusServer(chart, 'prometheus', {
      namespace: 'obs',
      replicas: 1,
      extraScrapeConfigs: [{ job_name: 'pods', kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: ['apps'] } }] }],
    });
    const ms = synth(chart);
    expect(podSpecOf(get(ms, 'StatefulSet', 'prometheus-server')).automountServiceAccountToken).toBe(true);
    const role = ms.find((m) => m.kind === 'Role' && m.metadata.namespace === 'apps')!;
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    ]);
    const binding = ms.find((m) => m.kind === 'RoleBinding' && m.metadata.namespace === 'apps')!;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'prometheus-server', namespace: 'obs' }]);
    expect(ms.filter((m) => m.kind === 'ClusterRole')).toEqual([]);
  });

  test('node discovery is cluster-wide: a ClusterRole on nodes', () => {
    const chart = testChart('vm.obs.svc:8480');
    new VmAgent(chart, 'agent', {
      namespace: 'obs',
      extraScrapeConfigs: [{ job_name: 'nodes', kubernetes_sd_configs: [{ role: 'node' }] }],
      remoteWrite: [{ url: 'http://vm.obs.svc:8480/insert/0/prometheus/api/v1/write' }],
    });
    const ms = synth(chart);
    expect(ms.find((m) => m.kind === 'ClusterRole')!.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]);
    expect(podSpecOf(get(ms, 'StatefulSet', 'vm-vmagent')).automountServiceAccountToken).toBe(true);
  });
});

describe('admission', () => {
  test('promtail (root, host paths) in a namespace the same chart labels restricted', () => {
    const chart = testChart();
    declareExternalService(chart, 'loki-gateway.obs.svc.cluster.local', 'Loki');
    new RestrictedNamespace(chart, 'ns', 'obs');
    new Promtail(chart, 'promtail', { namespace: 'obs', loki: { pushUrl: 'http://loki-gateway.obs.svc.cluster.local/loki/api/v1/push' } });
    expect(refusal(() => chart.node.root)).toBe(
      '[test/promtail] namespace = "obs": is labelled Pod Security "restricted" by test/ns, which refuses the host access these pods need (promtail reads every pod\'s log files under /var/log/pods, which only root may read, and keeps its read positions on the node): admission would reject every pod. ' +
        'Fix: run it in a namespace of its own, made with new RestrictedNamespace(chart, id, name, "privileged") (which still warns and audits at "restricted").',
    );
  });
});

describe('messages that named the wrong thing or crashed', () => {
  test('vmstorage.replicas: 0 names vmstorage.replicas', () => {
    expect(refusal(() => new VictoriaMetricsCluster(testChart(), 'vm', { namespace: 'obs', vmstorage: { replicas: 0 } }))).toBe(
      '[test/vm] vmstorage.replicas = 0: must be a whole number of at least 1. Fix: set it to 1 or more.',
    );
  });

  test('an unsupported Grafana database is named', () => {
    expect(refusal(() => new Grafana(testChart(), 'grafana', { namespace: 'obs', datasources: [], ini: { database: { type: 'mssql' } } }))).toBe(
      '[test/grafana] ini.database.type = "mssql": is not a database Grafana supports, and Grafana would not start. Fix: use "sqlite3" (one replica), "mysql" or "postgres".',
    );
  });

  test('a non-ASCII namespace gets a suggestion that keeps its letters', () => {
    expect(
      refusal(
        () => new Tempo(testChart(), 'tempo', { namespace: 'Überwachung', storage: new Minio(testChart(), 'minio', { namespace: 'obs' }), bucket: 'traces' }),
      ),
    ).toContain(
      'namespace = "Überwachung": is not a DNS label (lower-case letters, digits and "-", starting with a letter or digit and ending with a letter or digit). Fix: use something like "uberwachung".',
    );
  });
});

test('a refused app writes no file', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'refused-'));
  const app = new App({ outdir });
  new ObservabilityPlatform(app, 'platform', { grafana: { name: 'loki-gateway' } });
  expect(() => app.synth()).toThrow(ValidationError);
  expect(readdirSync(outdir)).toEqual([]);
});

test("a datasource with credentials must be able to read them: its Secret in Grafana's namespace", () => {
  const chart = testChart();
  const loki = new LokiCluster(chart, 'loki', {
    namespace: 'logs',
    storage: new Minio(chart, 'minio', { namespace: 'logs' }),
    tenants: [{ id: 'a' }],
    gateway: { basicAuthSecret: 'h', clientPasswordsSecret: 'p' },
  });
  expect(
    refusal(
      () =>
        new Grafana(chart, 'grafana', {
          namespace: 'obs',
          datasources: [lokiDatasource({ url: loki.queryUrl, basicAuth: loki.clientEndpoint('a').basicAuth })],
        }),
    ),
  ).toBe(
    '[test/grafana] datasources[loki].basicAuth = "p": takes its password from Secret "p" in namespace "logs", which pods in "obs" cannot read. Fix: run the client in "logs", or copy the Secret into "obs" and point the credential at the copy.',
  );
});
