import { parse } from 'yaml';
import keyTree from '../fixtures/tempo-3.0.3-config-keys.json';
import { Credentials, Minio, S3Storage } from '../../lib/object-storage';
import { TEMPO_S3_ACTIONS, Tempo, TempoProps } from '../../lib/tempo';
import { KeyTree, unknownKeys } from '../support/config-keys';
import { Manifest, argsOf, containersOf, dataOf, get, ofKind, podSpecOf, synth, testChart } from '../support/synth';

const tree = keyTree as KeyTree;
const generator = { remoteWrite: [{ url: 'http://thanos-receive.obs.svc.cluster.local:19291/api/v1/receive', headers: { 'THANOS-TENANT': 'traces' } }] };

function tempoChart(props: Partial<TempoProps> = {}) {
  const chart = testChart('thanos-receive.obs.svc.cluster.local', 'redpanda.streaming.svc.cluster.local');
  const storage = props.storage ?? new Minio(chart, 'minio', { namespace: 'obs' });
  const tempo = new Tempo(chart, 'tempo', { namespace: 'obs', storage, ...props });
  return { chart, tempo, storage, manifests: synth(chart) };
}
const configOf = (manifests: Manifest[]) => parse(dataOf(get(manifests, 'ConfigMap', 'tempo-config'))['tempo.yaml']);
const distributed: Partial<TempoProps> = { mode: 'distributed', kafka: { address: 'redpanda.streaming.svc.cluster.local:9092' }, metricsGenerator: generator };

describe('Tempo config', () => {
  test('every generated key exists in the Tempo 3.0.3 configuration reference, in both modes', () => {
    const all = { receivers: { jaeger: true, zipkin: true }, metricsGenerator: generator };
    expect(unknownKeys(configOf(tempoChart(all).manifests), tree)).toEqual([]);
    expect(unknownKeys(configOf(tempoChart(distributed).manifests), tree)).toEqual([]);
    expect(
      unknownKeys(
        configOf(
          tempoChart({
            storage: new S3Storage({ region: 'eu-west-1', bucketPrefix: 'acme', credentials: Credentials.fromIrsaRole('arn:aws:iam::123456789012:role/t') }),
          }).manifests,
        ),
        tree,
      ),
    ).toEqual([]);
  });

  test('the key check catches 2.x blocks that Tempo 3 refuses', () => {
    expect(unknownKeys({ ingester: { max_block_duration: '5m' }, compactor: {}, metrics_generator: { traces_storage: {} } }, tree)).toEqual([
      'ingester',
      'compactor',
      'metrics_generator.traces_storage',
    ]);
  });

  test('every receiver listens on all interfaces, on a port the container and the Service expose', () => {
    const { manifests } = tempoChart({ receivers: { jaeger: true, zipkin: true } });
    const receivers = configOf(manifests).distributor.receivers;
    const endpoints = [
      receivers.otlp.protocols.grpc.endpoint,
      receivers.otlp.protocols.http.endpoint,
      receivers.jaeger.protocols.grpc.endpoint,
      receivers.jaeger.protocols.thrift_http.endpoint,
      receivers.zipkin.endpoint,
    ];
    expect(endpoints).toEqual(['0.0.0.0:4317', '0.0.0.0:4318', '0.0.0.0:14250', '0.0.0.0:14268', '0.0.0.0:9411']);
    const containerPorts = containersOf(podSpecOf(get(manifests, 'StatefulSet', 'tempo-monolithic')))[0].ports.map((p: any) => p.containerPort);
    const servicePorts = get(manifests, 'Service', 'tempo').spec.ports.map((p: any) => p.port);
    for (const e of endpoints) {
      const port = Number(e.split(':')[1]);
      expect(containerPorts).toContain(port);
      expect(servicePorts).toContain(port);
    }
  });

  test('without extra receivers only OTLP is configured', () => {
    expect(Object.keys(configOf(tempoChart().manifests).distributor.receivers)).toEqual(['otlp']);
  });

  test('MinIO: host:port without scheme, plain HTTP, path style, keys expanded from the environment', () => {
    const { manifests } = tempoChart();
    const s3 = configOf(manifests).storage.trace.s3;
    expect(s3).toEqual({
      bucket: 'tempo-traces',
      endpoint: 'minio.obs.svc.cluster.local:9000',
      region: 'us-east-1',
      insecure: true,
      forcepathstyle: true,
      access_key: '${AWS_ACCESS_KEY_ID}',
      secret_key: '${AWS_SECRET_ACCESS_KEY}',
    });
    const sts = get(manifests, 'StatefulSet', 'tempo-monolithic');
    expect(argsOf(sts, 'tempo')).toContain('-config.expand-env=true');
    const env = containersOf(podSpecOf(sts))[0].env.map((e: any) => [e.name, e.valueFrom.secretKeyRef.name]);
    expect(env).toEqual([
      ['AWS_ACCESS_KEY_ID', 'minio-credentials'],
      ['AWS_SECRET_ACCESS_KEY', 'minio-credentials'],
    ]);
  });

  test('AWS with IRSA: the regional endpoint over TLS, no keys, the role on the ServiceAccount', () => {
    const storage = new S3Storage({ region: 'eu-west-1', bucketPrefix: 'acme', credentials: Credentials.fromIrsaRole('arn:aws:iam::123456789012:role/tempo') });
    const { manifests } = tempoChart({ storage });
    expect(configOf(manifests).storage.trace.s3).toEqual({
      bucket: 'acme-tempo-traces',
      endpoint: 's3.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      insecure: false,
      forcepathstyle: false,
    });
    expect(get(manifests, 'ServiceAccount', 'tempo').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/tempo' });
  });

  test('the metrics generator runs (storage path set), remote-writes with exemplars, with both processors on', () => {
    const config = configOf(tempoChart({ metricsGenerator: generator }).manifests);
    expect(config.metrics_generator.storage.path).toBe('/var/tempo/generator/wal');
    expect(config.metrics_generator.storage.remote_write).toEqual([
      { url: generator.remoteWrite[0].url, send_exemplars: true, headers: { 'THANOS-TENANT': 'traces' } },
    ]);
    expect(config.overrides.defaults.metrics_generator.processors).toEqual(['service-graphs', 'span-metrics']);
    expect(configOf(tempoChart().manifests).metrics_generator).toBeUndefined();
  });

  test('retention goes to the backend worker that applies it, and to the scheduler like upstream examples', () => {
    const config = configOf(tempoChart({ retention: '720h' }).manifests);
    expect(config.backend_worker.compaction.block_retention).toBe('720h');
    expect(config.backend_scheduler.provider.compaction.compaction.block_retention).toBe('720h');
  });

  test('streaming search is on (Grafana streams), usage reporting off', () => {
    const config = configOf(tempoChart().manifests);
    expect(config.stream_over_http_enabled).toBe(true);
    expect(config.usage_report.reporting_enabled).toBe(false);
  });
});

describe('Tempo monolithic workload', () => {
  const { manifests, tempo, storage } = tempoChart({ metricsGenerator: generator });
  const sts = get(manifests, 'StatefulSet', 'tempo-monolithic');

  test('one -target=all pod of the pinned 3.x image, stopped before its replacement starts', () => {
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
    expect(argsOf(sts, 'tempo')).toEqual(['-config.file=/conf/tempo.yaml', '-target=all', '-config.expand-env=true']);
    expect(containersOf(podSpecOf(sts))[0].image).toBe('docker.io/grafana/tempo:3.0.3');
    expect(ofKind(manifests, 'PodDisruptionBudget').filter((p) => p.metadata.name.startsWith('tempo'))).toEqual([]);
  });

  test('every path Tempo writes is on the kept volume at /var/tempo', () => {
    const config = configOf(manifests);
    const paths = [config.storage.trace.wal.path, config.live_store.wal.path, config.backend_scheduler.local_work_path, config.metrics_generator.storage.path];
    for (const p of paths) expect(p.startsWith('/var/tempo')).toBe(true);
    const mount = containersOf(podSpecOf(sts))[0].volumeMounts.find((m: any) => m.mountPath === '/var/tempo');
    expect(mount.name).toBe('data');
    expect(sts.spec.volumeClaimTemplates.map((c: any) => [c.metadata.name, c.spec.resources.requests.storage])).toEqual([['data', '10Gi']]);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  test('the pod runs as the image uid 10001 and has time to flush the live-store', () => {
    const spec = podSpecOf(sts);
    expect(spec.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, runAsNonRoot: true });
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(600);
    expect(containersOf(spec)[0].readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http-metrics' });
  });

  test('endpoints name the client Service, which carries the API and the receivers', () => {
    expect(tempo.otlpGrpcEndpoint).toBe('tempo.obs.svc.cluster.local:4317');
    expect(tempo.otlpHttpUrl).toBe('http://tempo.obs.svc.cluster.local:4318');
    expect(tempo.queryUrl).toBe('http://tempo.obs.svc.cluster.local:3200');
    expect(get(manifests, 'Service', 'tempo').spec.selector).toEqual(podSpecOf(sts) && sts.spec.selector.matchLabels);
  });

  test('the ServiceAccount is a storage client with the S3 actions Tempo documents, and the bucket keeps 14 days + 1h', () => {
    expect(storage.usage.clients).toContainEqual({
      component: 'tempo',
      serviceAccount: { namespace: 'obs', name: 'tempo' },
      buckets: ['tempo-traces'],
      actions: TEMPO_S3_ACTIONS,
    });
    expect(TEMPO_S3_ACTIONS).toEqual(expect.arrayContaining(['s3:GetObjectTagging', 's3:PutObjectTagging']));
    expect(storage.usage.claimsOf('tempo-traces').map((c) => [c.prefix, c.keptForMs! / 3600_000])).toEqual([['', 337]]);
  });

  test('MinIO creates the Tempo bucket', () => {
    const job = ofKind(manifests, 'Job').find((j) => j.metadata.name.startsWith('minio-make-buckets'))!;
    expect(JSON.stringify(job)).toContain('tempo-traces');
  });
});

describe('Tempo distributed', () => {
  const { manifests } = tempoChart(distributed);
  const config = configOf(manifests);

  test('one workload per Tempo 3 component, each with its -target', () => {
    const targets = [...ofKind(manifests, 'Deployment'), ...ofKind(manifests, 'StatefulSet')]
      .filter((w) => w.metadata.name.startsWith('tempo-'))
      .map((w) => `${w.kind}/${argsOf(w, 'tempo').find((a) => a.startsWith('-target='))}`)
      .sort();
    expect(targets).toEqual(
      [
        'Deployment/-target=distributor',
        'Deployment/-target=backend-worker',
        'Deployment/-target=querier',
        'Deployment/-target=query-frontend',
        'StatefulSet/-target=backend-scheduler',
        'StatefulSet/-target=block-builder',
        'StatefulSet/-target=live-store',
        'StatefulSet/-target=metrics-generator',
      ].sort(),
    );
  });

  test('every component reads the broker; block builders cover every live-store partition', () => {
    // At a bare address Tempo makes the topic itself: with one partition per live-store, not its default 1000.
    expect(config.ingest.kafka).toEqual({
      address: 'redpanda.streaming.svc.cluster.local:9092',
      topic: 'tempo-ingest',
      auto_create_topic_default_partitions: get(manifests, 'StatefulSet', 'tempo-live-store').spec.replicas,
    });
    expect(config.block_builder.partitions_per_instance * 1).toBeGreaterThanOrEqual(get(manifests, 'StatefulSet', 'tempo-live-store').spec.replicas);
  });

  test('the gossip ring Service selects every component pod, and peers are addressed through Services of the output', () => {
    expect(config.memberlist.join_members).toEqual(['dns+tempo-gossip-ring.obs.svc.cluster.local:7946']);
    const ring = get(manifests, 'Service', 'tempo-gossip-ring');
    for (const w of [...ofKind(manifests, 'Deployment'), ...ofKind(manifests, 'StatefulSet')].filter((x) => x.metadata.name.startsWith('tempo-'))) {
      for (const [k, v] of Object.entries(ring.spec.selector)) expect(w.spec.template.metadata.labels[k]).toBe(v);
    }
    expect(config.querier.frontend_worker.frontend_address).toBe('tempo-query-frontend-discovery.obs.svc.cluster.local:9095');
    expect(get(manifests, 'Service', 'tempo-query-frontend-discovery').spec.publishNotReadyAddresses).toBe(true);
    expect(config.backend_worker.backend_scheduler_addr).toBe('tempo-backend-scheduler.obs.svc.cluster.local:9095');
  });

  test('a live-store catching up on the broker is never restarted for being not ready', () => {
    const live = containersOf(podSpecOf(get(manifests, 'StatefulSet', 'tempo-live-store')))[0];
    expect(live.readinessProbe.httpGet.path).toBe('/ready');
    // Liveness and start-up ask only whether the HTTP server answers, which it does while not ready.
    expect(live.livenessProbe.httpGet.path).toBe('/api/status/buildinfo');
    expect(live.startupProbe.httpGet.path).toBe('/api/status/buildinfo');
    expect(podSpecOf(get(manifests, 'StatefulSet', 'tempo-live-store')).terminationGracePeriodSeconds).toBe(1200);
  });

  test('clients send to the distributor and Grafana queries the frontend', () => {
    const { tempo } = tempoChart(distributed);
    expect(tempo.otlpGrpcEndpoint).toBe('tempo-distributor.obs.svc.cluster.local:4317');
    expect(tempo.queryUrl).toBe('http://tempo-query-frontend.obs.svc.cluster.local:3200');
  });
});

describe('Tempo validation', () => {
  test('distributed without a broker says that Tempo 3 needs one and how to give it', () => {
    expect(() => tempoChart({ mode: 'distributed' })).toThrow(
      '[test/tempo] kafka.address = (unset): is missing: distributed Tempo 3 writes every span through a Kafka-compatible broker and cannot start without one. ' +
        'Fix: give kafka: { broker } (a Kafka of the library, or an ExternalKafka) or kafka: { address: "<broker-host>:9092" } (Kafka, Redpanda or WarpStream), or use mode: "monolithic", which needs no broker.',
    );
  });

  test('a broker address with a scheme, a broker on monolithic Tempo, and a short retention are refused together', () => {
    expect(() => tempoChart({ mode: 'distributed', kafka: { address: 'kafka://k:9092' }, retention: '30m' })).toThrow(
      /retention = "30m": is not a duration of at least 1h[\s\S]*kafka.address = "kafka:\/\/k:9092": is not host:port/,
    );
    expect(() => tempoChart({ kafka: { address: 'k:9092' } })).toThrow(
      '[test/tempo] kafka = "k:9092": is set but monolithic Tempo pushes in-process and never reads it. Fix: remove kafka, or set mode: "distributed".',
    );
  });

  test('a metrics generator with nowhere to write is refused', () => {
    expect(() => tempoChart({ metricsGenerator: { remoteWrite: [] } })).toThrow(/metricsGenerator.remoteWrite = "\[\]": is empty/);
  });
});
