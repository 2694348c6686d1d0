import { LokiCluster, LokiClusterProps } from '../../lib/loki';
import { ValidationError } from '../../lib/core/errors';
import { Credentials, S3Storage } from '../../lib/object-storage';
import { Minio } from '../../lib/object-storage/minio';
import { testChart } from '../support/synth';

/** Builds a LokiCluster and returns the ValidationError it throws (failing the test if none). */
function problemsOf(props: Partial<LokiClusterProps>): ValidationError {
  const chart = testChart();
  const minio = new Minio(chart, 'minio', { namespace: 'obs' });
  try {
    new LokiCluster(chart, 'loki', { namespace: 'obs', storage: minio, ...props } as LokiClusterProps);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('LokiCluster bad input', () => {
  test.each<[string, Partial<LokiClusterProps>, string]>([
    [
      'replication factor above write replicas',
      { write: { replicas: 2 }, replicationFactor: 3 },
      '[test/loki] replicationFactor = 3: is larger than write.replicas (2): every push would fail with "too many unhealthy instances in the ring". Fix: lower replicationFactor to 2 or raise write.replicas to 3.',
    ],
    [
      'zero write replicas',
      { write: { replicas: 0 }, replicationFactor: 1 },
      '[test/loki] write.replicas = 0: must be a whole number of at least 1. Fix: set it to 1 or more.',
    ],
    ['negative read replicas', { read: { replicas: -1 } }, '[test/loki] read.replicas = -1: must be a whole number of at least 1. Fix: set it to 1 or more.'],
    ['fractional backend replicas', { backend: { replicas: 1.5 } }, '[test/loki] backend.replicas = 1.5: must be a whole number of at least 1.'],
    [
      'malformed retention',
      { retention: '31 days' },
      '[test/loki] retention = "31 days": is not a duration. Fix: write it as a number with a unit, such as "744h", "30d" or "2w".',
    ],
    [
      'too-short retention',
      { retention: '12h' },
      '[test/loki] retention = "12h": is shorter than the minimum of 24h (Loki retention works on daily index tables). Fix: set it to "24h" or longer.',
    ],
    ['too-short tenant retention', { tenants: [{ id: 'a', retention: '1h' }] }, '[test/loki] tenants[0].retention = "1h": is shorter than the minimum of 24h'],
    [
      'invalid chunks bucket',
      { buckets: { chunks: 'Loki_Chunks' } },
      '[test/loki] buckets.chunks = "Loki_Chunks": may hold only lower-case letters, digits, "." and "-"',
    ],
    ['too-short ruler bucket', { buckets: { ruler: 'ab' } }, '[test/loki] buckets.ruler = "ab": must be 3 to 63 characters long.'],
    [
      'name that is not a DNS label',
      { name: 'Loki_Prod' },
      '[test/loki] name = "Loki_Prod": is not a DNS label (lower-case letters, digits and "-", starting with a letter and ending with a letter or digit). Fix: use something like "loki-prod".',
    ],
    ['name too long for its longest object name', { name: 'a'.repeat(47) }, 'is 47 characters long, more than the 46 allowed'],
    ['namespace that is not a DNS label', { namespace: 'Observability' }, '[test/loki] namespace = "Observability": is not a DNS label'],
    [
      'duplicate tenants',
      { tenants: [{ id: 'team-a' }, { id: 'team-b' }, { id: 'team-a' }] },
      '[test/loki] tenants[2].id = "team-a": is listed twice. Fix: list each tenant once; merge their settings.',
    ],
    ['invalid tenant id', { tenants: [{ id: 'team a' }] }, '[test/loki] tenants[0].id = "team a": is not a valid Loki tenant id'],
    ['tenants with auth off', { authEnabled: false, tenants: [{ id: 'a' }] }, '[test/loki] tenants = ["a"]: are listed but authEnabled is false'],
    [
      'basic auth without tenants',
      { gateway: { basicAuthSecret: 'htpasswd' } },
      '[test/loki] tenants = []: is empty, but gateway basic auth maps each htpasswd user to a tenant',
    ],
    [
      'storage left unset',
      { storage: undefined },
      '[test/loki] storage = (unset): is required: Loki keeps chunks, index and rules only in object storage. Fix: pass `storage: minio`',
    ],
    [
      'a latest image',
      { image: { repository: 'grafana/loki', tag: 'latest' } as any, read: { image: { repository: 'grafana/loki', tag: 'latest' } } },
      '[test/loki] read.image = {"repository":"grafana/loki","tag":"latest"}: is not a pinned tag',
    ],
    [
      'a bad quantity',
      { write: { resources: { requests: { memory: '4 GB' } } } },
      '[test/loki] write.resources.requests.memory = "4 GB": is not a Kubernetes quantity',
    ],
    ['a bad cache size', { chunksCache: { memoryMb: 0 } }, '[test/loki] chunksCache.memoryMb = 0: must be a whole number greater than 0'],
    ['a bad schema date', { schemaFrom: '01/04/2024' }, '[test/loki] schemaFrom = "01/04/2024": is not a date in the form YYYY-MM-DD'],
  ])('%s', (_label, props, message) => {
    expect(problemsOf(props).message).toContain(message);
  });

  test('a key Secret in another namespace is refused', () => {
    const storage = new S3Storage({ region: 'x', endpoint: 's3.local:9000', credentials: Credentials.fromSecret({ name: 'keys', namespace: 'other' }) });
    expect(problemsOf({ storage }).message).toContain(
      '[test/loki] storage = "s3": uses the key Secret "keys" in namespace "other", which pods in "obs" cannot read',
    );
  });

  test('every problem is reported at once, and nothing is emitted', () => {
    const chart = testChart();
    const minio = new Minio(chart, 'minio', { namespace: 'obs' });
    const before = chart.node.findAll().length;
    let error: ValidationError | undefined;
    try {
      new LokiCluster(chart, 'loki', { namespace: 'obs', storage: minio, write: { replicas: 1 }, retention: '1h', buckets: { chunks: 'X' } });
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error?.problems.map((p) => p.property).sort()).toEqual(['buckets.chunks', 'replicationFactor', 'retention']);
    // Only the empty LokiCluster scope itself was added: no workload, no config.
    expect(chart.node.findAll().length).toBe(before + 1);
    expect(minio.buckets).toEqual([]);
  });

  test('tenantHeaderFor refuses a tenant Loki does not know', () => {
    const chart = testChart();
    const loki = new LokiCluster(chart, 'loki', { namespace: 'obs', storage: new Minio(chart, 'minio', { namespace: 'obs' }), tenants: [{ id: 'team-a' }] });
    expect(loki.tenantHeaderFor('team-a')).toEqual({ name: 'X-Scope-OrgID', value: 'team-a' });
    expect(() => loki.tenantHeaderFor('team-x')).toThrow('tenant "team-x" is not one of Loki\'s tenants (team-a)');
  });
});
