import { StorageUsage } from '../../lib/object-storage/usage';
import { bucketName } from '../../lib/object-storage/bucket-name';
import { ACCESS_KEY_ENV, Credentials, SECRET_KEY_ENV } from '../../lib/object-storage/credentials';
import { Minio } from '../../lib/object-storage/minio';
import { GENERATED_SECRET_ANNOTATION } from '../../lib/core/generated-secret';
import { applyArgsOf, generatorJobOf, runSecretGenerator } from '../support/generated-secrets';
import { S3Storage } from '../../lib/object-storage/object-storage';
import { podSecurityViolations } from '../support/pod-security';
import { argsOf, get, ofKind, synth, testChart } from '../support/synth';

describe('bucket names', () => {
  test.each(['loki-chunks', 'acme.prod.logs', 'abc', 'a'.repeat(63)])('%s is valid', (n) => expect(bucketName(n)).toBeUndefined());
  test.each(['ab', 'a'.repeat(64), 'Loki-Chunks', 'loki_chunks', '-loki', 'loki-', 'a..b', '192.168.1.1', 'xn--loki', 'loki-s3alias', 'sthree-x'])(
    '%s is refused',
    (n) => expect(bucketName(n)).toBeDefined(),
  );
});

describe('credentials', () => {
  test('static keys come from the Secret, never as values', () => {
    const c = Credentials.fromSecret({ name: 's3-keys', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret' });
    expect(c.env()).toEqual([
      { name: ACCESS_KEY_ENV, valueFrom: { secretKeyRef: { name: 's3-keys', key: 'id' } } },
      { name: SECRET_KEY_ENV, valueFrom: { secretKeyRef: { name: 's3-keys', key: 'secret' } } },
    ]);
    expect(c.serviceAccountAnnotations({ namespace: 'obs', name: 'loki' })).toEqual({});
  });
  test('IRSA puts the role on the ServiceAccount and no key in the environment', () => {
    const c = Credentials.fromIrsaRole('arn:aws:iam::111122223333:role/loki');
    expect(c.env()).toEqual([]);
    expect(c.usesStaticKeys).toBe(false);
    expect(c.serviceAccountAnnotations({ namespace: 'obs', name: 'loki' })).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/loki' });
  });
});

describe('S3Storage', () => {
  test('AWS has a regional endpoint host and no explicit endpoint', () => {
    const s3 = new S3Storage({ region: 'eu-west-1', credentials: Credentials.fromPodIdentity() });
    expect(s3.endpoint).toBeUndefined();
    expect(s3.endpointHost).toBe('s3.eu-west-1.amazonaws.com');
  });
  test('an endpoint with a scheme is refused with the fix', () => {
    expect(() => new S3Storage({ region: 'x', endpoint: 'http://minio:9000', credentials: Credentials.fromPodIdentity() })).toThrow(/host\[:port\] only/);
  });
  test('a key Secret in another namespace is reported for clients elsewhere', () => {
    const s3 = new S3Storage({ region: 'x', credentials: Credentials.fromSecret({ name: 'k', namespace: 'a' }) });
    expect(s3.checkClientNamespace('a')).toBeUndefined();
    expect(s3.checkClientNamespace('b')?.problem).toContain('cannot read');
  });
});

describe('Minio', () => {
  function minioChart(buckets: string[], props: Partial<ConstructorParameters<typeof Minio>[2]> = {}) {
    const chart = testChart();
    const minio = new Minio(chart, 'minio', { namespace: 'obs', ...props });
    buckets.forEach((b) => minio.usage.declareBucket(b));
    return { minio, manifests: synth(chart) };
  }

  test('runs one PSS-restricted replica on a retained volume, probed on its health endpoints', () => {
    const { manifests } = minioChart([]);
    const sts = get(manifests, 'StatefulSet', 'minio-server');
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    const c = sts.spec.template.spec.containers[0];
    expect(c.readinessProbe.httpGet.path).toBe('/minio/health/ready');
    expect(c.livenessProbe.httpGet.path).toBe('/minio/health/live');
    expect(argsOf(sts, 'minio').slice(0, 2)).toEqual(['server', '/data']);
    for (const m of manifests) expect(podSecurityViolations(m)).toEqual([]);
  });

  test('the Job creates every declared bucket, and a new list or any other template change makes a new Job name', () => {
    const a = minioChart(['loki-ruler', 'loki-chunks']);
    const bucketJob = (ms: typeof a.manifests) => ofKind(ms, 'Job').filter((j) => j.metadata.name.startsWith('minio-make-buckets'))[0];
    const job = bucketJob(a.manifests);
    const script = job.spec.template.spec.containers[0].args[0] as string;
    expect(script).toContain('mb --ignore-existing local/loki-chunks');
    expect(script).toContain('mb --ignore-existing local/loki-ruler');
    expect(script).toContain('http://minio.obs.svc.cluster.local:9000');
    expect(job.spec.template.spec.restartPolicy).toBe('OnFailure');
    const b = minioChart(['loki-ruler', 'loki-chunks', 'thanos']);
    expect(bucketJob(b.manifests).metadata.name).not.toBe(job.metadata.name);
    expect(bucketJob(minioChart(['loki-chunks', 'loki-ruler']).manifests).metadata.name).toBe(job.metadata.name);
    // A Job's template is immutable: a change that keeps the buckets must still rename the Job.
    const newImage = minioChart(['loki-ruler', 'loki-chunks'], { clientImage: { repository: 'quay.io/minio/mc', tag: 'RELEASE.2025-09-01T00-00-00Z' } });
    expect(bucketJob(newImage.manifests).metadata.name).not.toBe(job.metadata.name);
    const pinned = minioChart(['loki-ruler', 'loki-chunks'], { scheduling: { nodeSelector: { pool: 'infra' } } });
    expect(bucketJob(pinned.manifests).metadata.name).not.toBe(job.metadata.name);
  });

  test('the root keys are made in the cluster, random, and only when missing: the output holds none', () => {
    const { manifests } = minioChart([]);
    expect(ofKind(manifests, 'Secret')).toEqual([]);
    const job = generatorJobOf(manifests, 'minio-credentials');
    expect(applyArgsOf(job)).toEqual(['apply', '--server-side', '--field-manager=obs-platform-secret-generator', '--filename=/out/secret.json']);
    // Its shell step, run here as the pod would run it: random hex of the sizes MinIO accepts...
    const first = runSecretGenerator(job);
    expect(first.manifest.metadata).toMatchObject({
      name: 'minio-credentials',
      namespace: 'obs',
      annotations: { [GENERATED_SECRET_ANNOTATION]: expect.any(String) },
    });
    expect(first.values[ACCESS_KEY_ENV]).toMatch(/^[0-9a-f]{20}$/);
    expect(first.values[SECRET_KEY_ENV]).toMatch(/^[0-9a-f]{48}$/);
    expect(runSecretGenerator(job).values[SECRET_KEY_ENV]).not.toBe(first.values[SECRET_KEY_ENV]);
    // ...and with the Secret in place, what it has is kept, and only a missing key is drawn.
    const kept = runSecretGenerator(job, { [SECRET_KEY_ENV]: "kept 'as is'\n" }).values;
    expect(kept[SECRET_KEY_ENV]).toBe("kept 'as is'\n");
    expect(kept[ACCESS_KEY_ENV]).toMatch(/^[0-9a-f]{20}$/);
    // The same synth twice is the same output: nothing random is in it.
    expect(minioChart([]).manifests).toEqual(manifests);
  });

  test('the generator may touch only its own Secret, and reach only the API server', () => {
    const { manifests } = minioChart([]);
    const role = ofKind(manifests, 'Role').find((r) => r.metadata.name === 'minio-credentials-generator')!;
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['minio-credentials'], verbs: ['get', 'patch'] },
    ]);
    const policy = get(manifests, 'NetworkPolicy', 'minio-credentials-generator');
    expect(policy.spec.ingress).toBeUndefined();
    expect(policy.spec.egress.map((r: any) => r.ports.map((p: any) => `${p.protocol}/${p.port}`).join(' ')).sort()).toEqual([
      'TCP/443 TCP/6443',
      'TCP/53 UDP/53',
    ]);
  });

  test('with an existing Secret nothing secret is emitted', () => {
    const { minio, manifests } = minioChart([], { existingSecret: 'my-minio-keys' });
    expect(ofKind(manifests, 'Secret')).toEqual([]);
    expect(minio.credentials.secret?.name).toBe('my-minio-keys');
  });

  test('clients get an in-cluster, path-style, plain-HTTP endpoint without scheme', () => {
    const { minio } = minioChart([]);
    expect(minio.endpoint).toBe('minio.obs.svc.cluster.local:9000');
    expect(minio.forcePathStyle).toBe(true);
    expect(minio.insecure).toBe(true);
  });

  test('a bad name is stopped before anything is emitted', () => {
    expect(() => minioChart([], { name: 'My_Minio' })).toThrow(/\[test\/minio\] name = "My_Minio": is not a DNS label/);
  });
});

describe('StorageUsage', () => {
  test('one ServiceAccount registered twice is one client with the union of buckets and actions', () => {
    const usage = new StorageUsage();
    const sa = { namespace: 'obs', name: 'prometheus' };
    usage.registerClient({ component: 'prometheus', serviceAccount: sa, buckets: ['blocks'], actions: ['s3:GetObject'] });
    usage.registerClient({ component: 'prometheus', serviceAccount: sa, buckets: ['blocks', 'rules'], actions: ['s3:PutObject'] });
    usage.registerClient({ component: 'other', serviceAccount: { namespace: 'other', name: 'prometheus' }, buckets: ['blocks'], actions: ['s3:GetObject'] });
    expect(usage.clients).toEqual([
      { component: 'prometheus', serviceAccount: sa, buckets: ['blocks', 'rules'], actions: ['s3:GetObject', 's3:PutObject'] },
      { component: 'other', serviceAccount: { namespace: 'other', name: 'prometheus' }, buckets: ['blocks'], actions: ['s3:GetObject'] },
    ]);
    expect(usage.buckets).toEqual(['blocks', 'rules']);
  });

  test('retention claims accumulate per bucket; a bucket declared without one has none', () => {
    const usage = new StorageUsage();
    usage.declareBucket('chunks', { prefix: 'a/', keptForMs: 1, reason: 'a' });
    usage.declareBucket('chunks', { prefix: 'b/', keptForMs: undefined, reason: 'b' });
    usage.declareBucket('ruler');
    expect(usage.claimsOf('chunks').map((c) => c.prefix)).toEqual(['a/', 'b/']);
    expect(usage.claimsOf('ruler')).toEqual([]);
  });
});
