import { spawnSync } from 'node:child_process';
import { App } from 'cdk8s';
import { SeaweedFs, SeaweedFsProps } from '../../lib/object-storage/seaweedfs';
import { ObservabilityPlatform, PlatformSpec } from '../../lib/platform';
import { setServingTls } from '../../lib/core/serving-tls';
import { podSecurityViolations } from '../support/pod-security';
import { testWith } from '../support/programs';
import { Manifest, argsOf, get, ofKind, synth, testChart } from '../support/synth';

function store(buckets: string[], props: Partial<SeaweedFsProps> = {}, tls = false) {
  const chart = testChart();
  if (tls) setServingTls(chart, { issuer: { name: 'platform-ca', kind: 'ClusterIssuer' } });
  const s = new SeaweedFs(chart, 'seaweedfs', { namespace: 'obs', ...props });
  buckets.forEach((b) => s.usage.declareBucket(b));
  return { store: s, manifests: synth(chart) };
}
const bucketJob = (manifests: Manifest[]) => ofKind(manifests, 'Job').find((j) => j.metadata.name.startsWith('seaweedfs-buckets-'))!;
const scriptOf = (manifests: Manifest[]) => bucketJob(manifests).spec.template.spec.containers[0].args[0] as string;

describe('SeaweedFs', () => {
  test('runs weed itself (not the root entrypoint) as uid 1000 under "restricted", S3 only, no bucket made on a first write', () => {
    const { manifests } = store([]);
    const sts = get(manifests, 'StatefulSet', 'seaweedfs-server');
    const pod = sts.spec.template.spec;
    const c = pod.containers[0];
    expect(c.command).toEqual(['/usr/bin/weed']);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    const args = argsOf(sts, 'seaweedfs');
    expect(args.slice(0, 3)).toEqual(['-logtostderr=true', 'mini', '-dir=/data']);
    expect(args).toEqual(expect.arrayContaining(['-s3.autoCreateBucket=false', '-master.telemetry=false', '-webdav=false', '-admin.ui=false']));
    expect(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath).sort()).toEqual(['/data', '/tmp']);
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/healthz', port: 's3' });
    expect(c.readinessProbe.httpGet.scheme ?? 'HTTP').toBe('HTTP');
    expect(get(manifests, 'Service', 'seaweedfs').spec.ports).toEqual([expect.objectContaining({ name: 's3', port: 8333 })]);
    for (const m of manifests) expect(podSecurityViolations(m)).toEqual([]);
  });

  test('the Job creates each declared bucket, versioned, with previous versions expiring', () => {
    const { manifests } = store(['loki-chunks', 'thanos-blocks'], { noncurrentVersionDays: 30 });
    const script = scriptOf(manifests);
    for (const b of ['loki-chunks', 'thanos-blocks']) {
      expect(script).toContain(`retry 30 bucket http://seaweedfs.obs.svc.cluster.local:8333/${b}
`);
      expect(script).toContain(
        `retry 30 put "http://seaweedfs.obs.svc.cluster.local:8333/${b}?versioning=" '<VersioningConfiguration><Status>Enabled</Status>`,
      );
      expect(script).toMatch(new RegExp(`${b}\\?lifecycle=" '.*<NoncurrentDays>30</NoncurrentDays>`));
    }
    // The keys come from the Secret, never as values.
    const env = bucketJob(manifests).spec.template.spec.containers[0].env;
    expect(env.every((e: { valueFrom?: unknown }) => e.valueFrom !== undefined)).toBe(true);
  });

  testWith('busybox')("the Job's script is one that busybox's sh (the alpine image's) parses", () => {
    const parsed = spawnSync('busybox', ['sh', '-n', '-c', scriptOf(store(['loki-chunks', 'thanos-blocks']).manifests)], { encoding: 'utf8' });
    expect(parsed.stderr).toBe('');
    expect(parsed.status).toBe(0);
  });

  test('a new bucket is a new Job; versioning off suspends it and sets no expiry', () => {
    const a = bucketJob(store(['loki-chunks']).manifests).metadata.name;
    const b = bucketJob(store(['loki-chunks', 'tempo-traces']).manifests).metadata.name;
    expect(a).not.toBe(b);
    const script = scriptOf(store(['loki-chunks'], { versioning: false }).manifests);
    expect(script).toContain('<Status>Suspended</Status>');
    expect(script).not.toContain('lifecycle');
  });

  test('with serving TLS: HTTPS from its own certificate, and the Job checks it against the CA', () => {
    const { store: s, manifests } = store(['loki-chunks'], {}, true);
    expect(s.insecure).toBe(false);
    expect(s.platformCa).toBe(true);
    const sts = get(manifests, 'StatefulSet', 'seaweedfs-server');
    expect(argsOf(sts, 'seaweedfs')).toEqual(expect.arrayContaining(['-s3.cert.file=/etc/seaweedfs-tls/tls.crt', '-s3.key.file=/etc/seaweedfs-tls/tls.key']));
    expect(sts.spec.template.spec.containers[0].readinessProbe.httpGet.scheme).toBe('HTTPS');
    expect(scriptOf(manifests)).toContain('--cacert /etc/seaweedfs-ca/ca.crt');
    expect(scriptOf(manifests)).toContain('https://seaweedfs.obs.svc.cluster.local:8333/loki-chunks');
  });

  test.each([
    [{ noncurrentVersionDays: 0 }, /noncurrentVersionDays.*0.*whole number of days/s],
    [{ versioning: false, noncurrentVersionDays: 7 }, /noncurrentVersionDays.*versioning is false/s],
    [{ storageSize: '20GB' }, /storageSize/],
  ])('refuses %j with the property and the fix', (props, message) => {
    expect(() => store([], props as Partial<SeaweedFsProps>)).toThrow(message);
  });
});

describe('the platform embedded store', () => {
  const platform = (spec: PlatformSpec) => {
    const app = new App({ outdir: '/nonexistent' });
    const p = new ObservabilityPlatform(app, 'platform', spec);
    return { platform: p, manifests: p.toJson() as Manifest[] };
  };
  const apps = (ms: Manifest[]) => [...new Set(ms.map((m) => m.metadata.labels?.['app.kubernetes.io/name']).filter((n) => n === 'seaweedfs' || n === 'minio'))];

  test('is SeaweedFS by default, with every bucket the components declared', () => {
    const { platform: p, manifests } = platform({});
    expect(apps(manifests)).toEqual(['seaweedfs']);
    expect(p.storage).toBe(p.seaweedfs);
    expect([...p.seaweedfs!.buckets].sort()).toEqual(['loki-chunks', 'loki-ruler', 'tempo-traces', 'thanos-blocks']);
  });

  test('stays MinIO for a spec that chose it, or that has MinIO settings (its data is there)', () => {
    expect(apps(platform({ embeddedStore: 'minio' }).manifests)).toEqual(['minio']);
    expect(apps(platform({ minio: { storageSize: '50Gi' } }).manifests)).toEqual(['minio']);
    expect(apps(platform({ profile: 'dev', embeddedStore: 'minio' }).manifests)).toEqual(['minio']);
  });

  test('the dev profile sizes the store it runs', () => {
    const { manifests } = platform({ profile: 'dev' });
    expect(get(manifests, 'StatefulSet', 'seaweedfs-server').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('8Gi');
  });

  test.each([
    [{ embeddedStore: 'seaweedfs', minio: {} }, /minio.*embeddedStore is "seaweedfs".*set embeddedStore: "minio"/s],
    [{ embeddedStore: 'minio', seaweedfs: {} }, /seaweedfs.*the embedded store is MinIO/s],
    [{ seaweedfs: {}, minio: {} }, /seaweedfs.*is MinIO \(because minio settings are given\)/s],
    [{ embeddedStore: 'ceph' }, /embeddedStore.*ceph.*"seaweedfs" \(the default\) or "minio"/s],
  ])('refuses %j', (spec, message) => {
    expect(() => platform(spec as PlatformSpec)).toThrow(message);
  });
});
