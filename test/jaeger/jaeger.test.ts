import { App } from 'cdk8s';
import { parse } from 'yaml';
import { ExternalKafka, Jaeger, JaegerProps, Kafka, ObservabilityPlatform, setServingTls } from '../../lib';
import { linkProblems } from '../../lib/core/grafana-datasources';
import { warningsOf } from '../../lib/core/warnings';
import { Manifest, containersOf, dataOf, get, podSpecOf, synth, synthApp, testChart } from '../support/synth';

/** A Jaeger on an in-cluster Kafka, synthesized; each role's config. */
function jaegerChart(props: Partial<JaegerProps> = {}, tls = false) {
  const chart = testChart();
  if (tls) setServingTls(chart, { issuer: { name: 'platform-ca' } });
  const kafka = new Kafka(chart, 'kafka', { namespace: 'obs', replicas: 1 });
  const jaeger = new Jaeger(chart, 'jaeger', { namespace: 'obs', broker: kafka, ...props });
  const manifests = synth(chart);
  const config = (role: string) => parse(dataOf(get(manifests, 'ConfigMap', `jaeger-${role}-config`))['config.yaml']);
  return { chart, kafka, jaeger, manifests, config };
}

const servicePorts = (manifests: Manifest[], name: string) => get(manifests, 'Service', name).spec.ports.map((p: any) => p.port);

describe('Jaeger v2 with Kafka', () => {
  const { manifests, config, kafka, jaeger } = jaegerChart();
  const collector = config('collector');
  const ingester = config('ingester');
  const query = config('query');
  const storage = config('storage');

  test('the collector takes OTLP, Jaeger and Zipkin on every interface and writes spans to the broker', () => {
    expect(collector.service.pipelines.traces).toEqual({
      receivers: ['otlp', 'jaeger', 'zipkin'],
      processors: ['memory_limiter', 'batch'],
      exporters: ['kafka'],
    });
    expect(collector.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(collector.receivers.zipkin.endpoint).toBe('0.0.0.0:9411');
    expect(collector.exporters.kafka.brokers).toEqual(kafka.bootstrapServers);
    expect(servicePorts(manifests, 'jaeger-collector')).toEqual(expect.arrayContaining([4317, 4318, 14250, 14268, 9411]));
    expect(jaeger.otlpGrpcEndpoint).toBe('jaeger-collector.obs.svc.cluster.local:4317');
  });

  test('the ingester reads the very topic and encoding the collector writes, from the oldest unread, as one consumer group', () => {
    expect(ingester.receivers.kafka.traces).toEqual(collector.exporters.kafka.traces);
    expect(ingester.receivers.kafka).toMatchObject({ brokers: kafka.bootstrapServers, group_id: 'jaeger-ingester', initial_offset: 'earliest' });
    expect(ingester.service.pipelines.traces.exporters).toEqual(['jaeger_storage_exporter']);
  });

  test('while the storage is down, spans wait in the topic: a record is marked read only once written, and writes are retried', () => {
    expect(ingester.receivers.kafka.message_marking).toEqual({ after: true, on_error: false, on_permanent_error: true });
    expect(ingester.exporters.jaeger_storage_exporter.retry_on_failure).toEqual({ enabled: true, max_elapsed_time: '0s' });
    // No asynchronous step between the receiver and the write, which would answer before the write.
    expect(ingester.service.pipelines.traces.processors).not.toContain('batch');
    expect(ingester.exporters.jaeger_storage_exporter.queue).toBeUndefined();
  });

  test('the broker makes the topic with more partitions than ingesters', () => {
    const [topic] = kafka.topics;
    expect(topic).toMatchObject({ name: 'jaeger-spans', partitions: 6 });
    expect(get(manifests, 'Deployment', 'jaeger-ingester').spec.replicas).toBeLessThanOrEqual(topic.partitions);
    expect(() => jaegerChart({ partitions: 1, replicas: { ingester: 2 } })).toThrow(/partitions = 1.*fewer than the 2 ingesters/s);
  });

  test('the ingester writes and the query reads the in-cluster storage at the ports it serves: OTLP in, the remote storage API out', () => {
    const backend = (c: any) => c.extensions.jaeger_storage.backends.traces.grpc;
    for (const c of [ingester, query]) {
      expect(backend(c).endpoint).toBe('jaeger-storage.obs.svc.cluster.local:17271');
      expect(backend(c).writer.endpoint).toBe('jaeger-storage.obs.svc.cluster.local:4317');
    }
    expect(storage.extensions.remote_storage).toEqual({ endpoint: '0.0.0.0:17271', storage: 'traces' });
    expect(storage.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(servicePorts(manifests, 'jaeger-storage')).toEqual(expect.arrayContaining([17271, 4317]));
  });

  test('the storage keeps Badger on its volume, for the retention', () => {
    const badger = storage.extensions.jaeger_storage.backends.traces.badger;
    expect(badger).toMatchObject({ ephemeral: false, ttl: { spans: '72h' } });
    const sts = get(manifests, 'StatefulSet', 'jaeger-storage');
    const mount = containersOf(podSpecOf(sts))[0].volumeMounts.find((m: any) => badger.directories.keys.startsWith(`${m.mountPath}/`));
    expect(mount.name).toBe(sts.spec.volumeClaimTemplates[0].metadata.name);
    expect(sts.spec.replicas).toBe(1);
  });

  test('every role serves its health on 13133 and its metrics on 8888, which its probes and scrape target use', () => {
    for (const role of ['collector', 'ingester', 'query', 'storage']) {
      const c = config(role);
      expect(c.extensions.healthcheckv2).toEqual({ use_v2: true, http: { endpoint: '0.0.0.0:13133' } });
      expect(c.service.telemetry.metrics.readers[0].pull.exporter.prometheus.port).toBe(8888);
      const w = get(manifests, role === 'storage' ? 'StatefulSet' : 'Deployment', `jaeger-${role}`);
      expect(containersOf(podSpecOf(w))[0].readinessProbe.httpGet).toEqual({ path: '/status', port: 'health' });
    }
    expect(jaeger.scrapeTargets.map((t) => t.srvRecord)).toContain('_metrics._tcp.jaeger-query-headless.obs.svc.cluster.local');
    expect(jaeger.queryUrl).toBe('http://jaeger-query.obs.svc.cluster.local:16686');
  });

  test("Elasticsearch storage: the login's password is a file from your Secret, never in the config, and no in-cluster storage runs", () => {
    const es = jaegerChart({
      storage: {
        kind: 'elasticsearch',
        serverUrls: ['https://es.example.com:9200'],
        indexPrefix: 'prod',
        login: { username: 'jaeger', passwordSecret: { name: 'es-jaeger', key: 'password' } },
      },
    });
    const backend = es.config('query').extensions.jaeger_storage.backends.traces.elasticsearch;
    expect(backend).toEqual({
      server_urls: ['https://es.example.com:9200'],
      indices: { index_prefix: 'prod' },
      auth: { basic: { username: 'jaeger', password_file: '/etc/jaeger/storage-login/password' } },
    });
    const pod = podSpecOf(get(es.manifests, 'Deployment', 'jaeger-query'));
    expect(pod.volumes.find((v: any) => v.name === 'storage-login').secret.secretName).toBe('es-jaeger');
    expect(es.manifests.filter((m) => m.metadata.name === 'jaeger-storage')).toEqual([]);
  });

  test('an external broker must have the topic, or the synth says what to create', () => {
    const chart = testChart();
    const broker = new ExternalKafka({ bootstrapServers: ['b-1.msk.example.com:9092'], topics: { 'jaeger-spans': { partitions: 3 } } });
    expect(() => new Jaeger(chart, 'jaeger', { namespace: 'obs', broker })).toThrow(
      /broker\.topics\["jaeger-spans"\] = 3: has 3 partitions, and Jaeger "jaeger".*needs 6/s,
    );
  });

  test('under serving TLS, the synth warns that Jaeger serves plain text', () => {
    expect(warningsOf(jaegerChart({}, true).chart).join('\n')).toMatch(/jaeger-plain-http/);
  });
});

describe("Jaeger as the platform's traces backend", () => {
  const { manifests } = synthApp('jaeger-kafka');

  test('the OTLP gateway sends traces to the Jaeger collector; no Tempo runs', () => {
    const gateway = parse(dataOf(get(manifests, 'ConfigMap', 'otel-gateway-config'))['config.yaml']);
    expect(JSON.stringify(gateway.exporters)).toContain('jaeger-collector.observability.svc.cluster.local:4317');
    expect(manifests.filter((m) => m.metadata.labels?.['app.kubernetes.io/name'] === 'tempo')).toEqual([]);
  });

  test('Grafana has a Jaeger datasource at the query, linked to the logs and metrics datasources it provisions', () => {
    const file = parse(dataOf(get(manifests, 'ConfigMap', 'grafana-provisioning'))['datasources.yaml']);
    const jaeger = file.datasources.find((d: any) => d.type === 'jaeger');
    expect(jaeger.url).toBe('http://jaeger-query.observability.svc.cluster.local:16686');
    expect(jaeger.jsonData.tracesToLogsV2.datasourceUid).toBe(file.datasources.find((d: any) => d.type === 'loki').uid);
    expect(jaeger.jsonData.tracesToMetrics.datasourceUid).toBe(file.datasources.find((d: any) => d.type === 'prometheus').uid);
    expect(linkProblems(file.datasources)).toEqual([]);
  });

  test('Tempo settings beside Jaeger are refused, as is a Jaeger datasource without Jaeger', () => {
    const platform = (spec: ConstructorParameters<typeof ObservabilityPlatform>[2]) => () =>
      new ObservabilityPlatform(new App({ outdir: '/nonexistent' }), 'p', spec);
    expect(platform({ tracesBackend: 'jaeger', tempo: { retention: '48h' } })).toThrow(/tempo = "\(set\)".*traces backend is Jaeger/s);
    expect(platform({ grafana: { datasources: ['loki', 'thanos', 'jaeger'] } })).toThrow(/grafana\.datasources\[2\] = "jaeger".*traces backend is tempo/s);
  });
});
