import { parse } from 'yaml';
import keyTree from '../fixtures/loki-3.7.6-config-keys.json';
import lokiFlags from '../fixtures/loki-3.7.6-flags.json';
import { Credentials, S3Storage } from '../../lib/object-storage';
import { LokiCluster } from '../../lib/loki';
import { KeyTree, unknownKeys } from '../support/config-keys';
import { argsOf, dataOf, get, synth, testChart, workloads } from '../support/synth';
import { lokiChart, lokiConfig } from './support';

const tree = keyTree as KeyTree;

describe('Loki config', () => {
  test('every key of the generated config exists in the Loki 3.7.6 configuration reference', () => {
    const full = lokiChart(
      {
        chunksCache: {},
        resultsCache: {},
        alertmanagerUrl: 'http://alertmanager.obs.svc.cluster.local:9093',
        tenants: [{ id: 'a', retention: '48h' }],
      },
      'alertmanager.obs.svc.cluster.local',
    );
    expect(unknownKeys(lokiConfig(full.manifests), tree)).toEqual([]);
    expect(unknownKeys(lokiConfig(lokiChart().manifests), tree)).toEqual([]);
  });

  test('every flag of every Loki pod is one Loki 3.7.6 documents', () => {
    const { manifests } = lokiChart({ chunksCache: {}, write: { extraArgs: ['-ingester.concurrent-flushes=32'] } });
    const lokiPods = workloads(manifests).filter((w) => w.spec.template.spec.containers.some((c: any) => c.name === 'loki'));
    expect(lokiPods.length).toBe(3);
    const flags = lokiPods.flatMap((w) => argsOf(w, 'loki')).map((a) => a.replace(/^-+/, '').split('=')[0]);
    expect(flags).toEqual(expect.arrayContaining(['config.file', 'target', 'ingester.concurrent-flushes']));
    expect(flags.filter((f) => !lokiFlags.flags.includes(f))).toEqual([]);
    // The list is not everything: a misspelt flag is not on it.
    expect(lokiFlags.flags).not.toContain('ingester.concurrent-flush');
  });

  test('the key check catches a misspelt key', () => {
    expect(unknownKeys({ common: { storage: { s3: { bucketname: 'x' } } }, limits_config: { retention: '1h' } }, tree)).toEqual([
      'common.storage.s3.bucketname',
      'limits_config.retention',
    ]);
  });

  test('per-tenant overrides in the runtime config are limits_config keys', () => {
    const { manifests } = lokiChart({ tenants: [{ id: 'team-a', retention: '2160h' }, { id: 'team-b' }] });
    const runtime = parse(dataOf(get(manifests, 'ConfigMap', 'loki-runtime-config'))['runtime-config.yaml']);
    expect(runtime).toEqual({ overrides: { 'team-a': { retention_period: '2160h' } } });
    for (const limits of Object.values(runtime.overrides)) expect(unknownKeys(limits, tree.limits_config as KeyTree)).toEqual([]);
  });

  const config = lokiConfig(lokiChart().manifests);

  test('schema v13 on TSDB with a 24h index, as structured metadata and retention need', () => {
    expect(config.schema_config.configs).toEqual([
      { from: '2024-04-01', store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'index_', period: '24h' } },
    ]);
  });

  test('rings join through the memberlist Service; compactor and index gateway are the backend', () => {
    expect(config.memberlist.join_members).toEqual(['loki-memberlist.obs.svc.cluster.local:7946']);
    expect(config.common.compactor_grpc_address).toBe('loki-backend.obs.svc.cluster.local:9095');
    expect(config.storage_config.tsdb_shipper.index_gateway_client.server_address).toBe('dns+loki-backend-headless.obs.svc.cluster.local:9095');
  });

  test('retention is on, with the delete-request store it needs at startup', () => {
    expect(config.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 's3' });
    expect(config.limits_config.retention_period).toBe('744h');
  });

  test('the storage client is the Thanos-objstore form Loki 4 keeps: MinIO path-style over plain HTTP, keys by env reference only', () => {
    expect(config.storage_config.use_thanos_objstore).toBe(true);
    const s3 = config.storage_config.object_store.s3;
    expect(s3).toEqual({
      bucket_name: 'loki-chunks',
      region: 'us-east-1',
      endpoint: 'minio.obs.svc.cluster.local:9000',
      bucket_lookup_type: 'path',
      insecure: true,
      access_key_id: '${AWS_ACCESS_KEY_ID}',
      secret_access_key: '${AWS_SECRET_ACCESS_KEY}',
    });
    // The ruler's bucket in ruler_storage: Loki ignores ruler.storage once the Thanos clients are on.
    expect(config.ruler_storage).toEqual({ backend: 's3', s3: { ...s3, bucket_name: 'loki-ruler' } });
    expect(config.ruler.storage).toBeUndefined();
    // No legacy client left beside it: Loki would refuse two storage configs in common.
    expect(config.common.storage).toBeUndefined();
    expect(Object.keys(config.storage_config).filter((k) => ['aws', 's3'].includes(k))).toEqual([]);
  });

  test('AWS with IRSA: the regional endpoint (the Thanos client needs one), no keys, and the role on the ServiceAccount', () => {
    const chart = testChart();
    const storage = new S3Storage({ region: 'eu-west-1', credentials: Credentials.fromIrsaRole('arn:aws:iam::111122223333:role/loki') });
    new LokiCluster(chart, 'loki', { namespace: 'obs', storage, buckets: { chunks: 'acme-chunks', ruler: 'acme-ruler' } });
    const manifests = synth(chart);
    const s3 = lokiConfig(manifests).storage_config.object_store.s3;
    expect(s3).toEqual({
      bucket_name: 'acme-chunks',
      endpoint: 's3.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      bucket_lookup_type: 'auto',
      insecure: false,
    });
    expect(get(manifests, 'ServiceAccount', 'loki').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/loki' });
    expect(JSON.stringify(manifests)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
  });

  test('memcached caches are addressed by SRV on their client port', () => {
    const c = lokiConfig(lokiChart({ chunksCache: {}, resultsCache: {} }).manifests);
    expect(c.chunk_store_config.chunk_cache_config.memcached_client.addresses).toBe('dnssrvnoa+_client._tcp.loki-chunks-cache.obs.svc.cluster.local');
    expect(c.query_range.results_cache.cache.memcached_client.addresses).toBe('dnssrvnoa+_client._tcp.loki-results-cache.obs.svc.cluster.local');
    expect(c.query_range.cache_results).toBe(true);
  });

  test('config overrides are deep-merged over the generated config', () => {
    const c = lokiConfig(lokiChart({ configOverrides: { limits_config: { ingestion_rate_mb: 32 }, server: { log_level: 'debug' } } }).manifests);
    expect(c.limits_config).toMatchObject({ ingestion_rate_mb: 32, retention_period: '744h' });
    expect(c.server).toMatchObject({ log_level: 'debug', http_listen_port: 3100 });
  });

  test('a config change rolls every role', () => {
    const sum = (retention: string) =>
      ['StatefulSet/loki-write', 'Deployment/loki-read', 'StatefulSet/loki-backend'].map((ref) => {
        const [kind, name] = ref.split('/');
        return get(lokiChart({ retention }).manifests, kind, name).spec.template.metadata.annotations['obs-platform.io/config-checksum'];
      });
    const a = sum('744h');
    const b = sum('768h');
    a.forEach((x, i) => expect(x).not.toBe(b[i]));
  });
});
