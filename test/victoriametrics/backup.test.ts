import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App as KubernetesApp } from 'cdk8s';
import { Minio, ObservabilityPlatform, S3Storage, Credentials, setServingTls } from '../../lib';
import { AwsStorageStack } from '../../lib/aws';
import { PLATFORM_AWS_SPEC } from '../../apps/platform-aws/spec';
import { warningsOf } from '../../lib/core/warnings';
import { agreementProblems } from '../support/agreement';
import { Manifest, get, synth, testChart } from '../support/synth';
import { Testing, policyStatements, resourcesOf } from '../support/terraform';
import { VictoriaMetricsCluster, VmBackupOptions } from '../../lib/victoriametrics';
import { failure, vmFlag } from './support';

/** A cluster backed up to an in-cluster MinIO, synthesized; `tls` turns serving TLS on first. */
function backedUp(backup: Partial<VmBackupOptions> = {}, tls = false): { manifests: Manifest[]; vm: VictoriaMetricsCluster; minio: Minio } {
  const chart = testChart();
  if (tls) setServingTls(chart, { issuer: { name: 'platform-ca' } });
  const minio = new Minio(chart, 'minio', { namespace: 'obs' });
  const vm = new VictoriaMetricsCluster(chart, 'vm', { namespace: 'obs', backup: { storage: minio, ...backup } });
  return { manifests: synth(chart), vm, minio };
}

const podOf = (manifests: Manifest[]) => get(manifests, 'StatefulSet', 'vm-vmstorage').spec.template.spec;
const container = (manifests: Manifest[], name: string) => podOf(manifests).containers.find((c: any) => c.name === name);

describe('vmstorage backups', () => {
  const { manifests, minio } = backedUp();
  const sidecar = container(manifests, 'vmbackup');
  const flags: string[] = sidecar.args;

  test("a vmbackup sidecar snapshots its own node on loopback and uploads it to that node's own prefix", () => {
    expect(flags[0]).toBe('/vmbackup-prod');
    expect(vmFlag(flags, '-snapshot.createURL')).toBe('http://localhost:8482/snapshot/create');
    expect(vmFlag(flags, '-dst')).toBe('s3://vm-backups/vm/$(POD_NAME)/latest');
    expect(sidecar.env.find((e: any) => e.name === 'POD_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    // It reads the same directory vmstorage writes, without write access.
    const storage = container(manifests, 'vmstorage');
    const dataMount = sidecar.volumeMounts.find((m: any) => m.mountPath === vmFlag(storage.args, '-storageDataPath'));
    expect(dataMount).toMatchObject({ name: 'storage', readOnly: true });
    expect(vmFlag(flags, '-storageDataPath')).toBe(vmFlag(storage.args, '-storageDataPath'));
    // Its metrics listener stays on loopback: it would clash with nothing, and serves nobody outside.
    expect(vmFlag(flags, '-httpListenAddr')).toBe('127.0.0.1:8420');
  });

  test('reaches the store at its in-cluster address with the keys from its Secret, never a key in the output', () => {
    expect(vmFlag(flags, '-customS3Endpoint')).toBe('http://minio.obs.svc.cluster.local:9000');
    expect(vmFlag(flags, '-s3ForcePathStyle')).toBe('true');
    const keys = sidecar.env.filter((e: any) => e.name.startsWith('AWS_') && e.name !== 'AWS_REGION');
    expect(keys.map((e: any) => e.valueFrom?.secretKeyRef?.name)).toEqual(['minio-credentials', 'minio-credentials']);
  });

  test('the store makes the bucket, and the ServiceAccount is registered as its client with the actions vmbackup needs', () => {
    expect(minio.usage.buckets).toContain('vm-backups');
    const client = minio.usage.clients.find((c) => c.serviceAccount.name === 'vm-vmstorage');
    expect(client?.buckets).toEqual(['vm-backups']);
    expect([...client!.actions].sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
  });

  test('the network policy lets vmstorage reach the store, and only its port', () => {
    const policy = get(manifests, 'NetworkPolicy', 'vm-vmstorage');
    const toMinio = policy.spec.egress.filter((r: any) => r.to?.some((p: any) => p.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'minio'));
    expect(toMinio.map((r: any) => r.ports)).toEqual([[{ port: 9000, protocol: 'TCP' }]]);
  });

  test('without a restore there is no init container and no warning', () => {
    expect(podOf(manifests).initContainers ?? []).toEqual([]);
  });

  test('the schedule is the interval in seconds, the first backup a minute after the pod starts', () => {
    const env = (m: Manifest[]) =>
      Object.fromEntries(
        container(m, 'vmbackup')
          .env.filter((e: any) => e.value !== undefined)
          .map((e: any) => [e.name, e.value]),
      );
    expect(env(manifests)).toMatchObject({ INTERVAL_SECONDS: '21600', FIRST_BACKUP_SECONDS: '60' });
    expect(env(backedUp({ interval: '30m' }).manifests).INTERVAL_SECONDS).toBe('1800');
  });
});

describe('vmstorage restore', () => {
  const id = 'after-disk-loss';
  const chart = testChart();
  const minio = new Minio(chart, 'minio', { namespace: 'obs' });
  new VictoriaMetricsCluster(chart, 'vm', { namespace: 'obs', backup: { storage: minio, restore: { id } } });
  const manifests = synth(chart);
  const [restore] = podOf(manifests).initContainers;

  test('an init container restores the node from the very location its sidecar backs up to, before vmstorage opens the volume', () => {
    expect(restore.args[0]).toBe('/vmrestore-prod');
    expect(vmFlag(restore.args, '-src')).toBe(vmFlag(container(manifests, 'vmbackup').args, '-dst'));
    expect(vmFlag(restore.args, '-storageDataPath')).toBe(vmFlag(container(manifests, 'vmstorage').args, '-storageDataPath'));
    expect(restore.volumeMounts.find((m: any) => m.name === 'storage').readOnly).toBeUndefined();
  });

  test('restores every node unless told which', () => {
    const nodesOf = (m: Manifest[]) => podOf(m).initContainers[0].env.find((e: any) => e.name === 'RESTORE_NODES').value;
    expect(nodesOf(manifests)).toBe('');
    expect(nodesOf(backedUp({ restore: { id, nodes: [1, 2] } }).manifests)).toBe(' 1 2 ');
  });

  test('warns that a restore drops what was written after the backup', () => {
    expect(warningsOf(chart).join('\n')).toMatch(/backup\.restore\.id.*"after-disk-loss".*samples written after that backup are lost/s);
  });

  test('the restore step runs the program once per id and volume, so a restarted pod keeps what it wrote since', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmrestore-once-'));
    try {
      const log = join(dir, 'runs.log');
      const [shell, flag, script, name] = restore.command;
      expect([shell, flag]).toEqual(['/bin/sh', '-c']);
      // The program stands in as a shell that appends to a log: it counts the restores.
      const run = (restoreId: string, pod = 'vm-vmstorage-0', nodes = '', volume = dir) =>
        spawnSync('sh', [flag, script, name, 'sh', '-c', `echo restored ${pod} >> ${log}`], {
          env: { PATH: process.env.PATH, DATA_DIR: volume, RESTORE_ID: restoreId, POD_NAME: pod, RESTORE_NODES: nodes },
          encoding: 'utf8',
        });
      expect(run(id).status).toBe(0);
      expect(run(id).status).toBe(0);
      expect(readFileSync(log, 'utf8')).toBe('restored vm-vmstorage-0\n');
      expect(run('a-new-one').status).toBe(0);
      expect(readFileSync(log, 'utf8')).toBe('restored vm-vmstorage-0\nrestored vm-vmstorage-0\n');
      // A restore of some nodes passes the others by (ordinals 1 and 12: not 2, nor 0 of "10"); each has its own volume.
      rmSync(log);
      const volumeOf = (pod: string) => mkdtempSync(join(dir, `${pod}-`));
      for (const pod of ['vm-vmstorage-0', 'vm-vmstorage-1', 'vm-vmstorage-2', 'vm-vmstorage-12'])
        expect(run('some-nodes', pod, ' 1 12 ', volumeOf(pod)).status).toBe(0);
      expect(readFileSync(log, 'utf8')).toBe('restored vm-vmstorage-1\nrestored vm-vmstorage-12\n');
      // A failed restore leaves no marker: the pod does not start, and the next start tries again.
      const failed = spawnSync('sh', [flag, script, name, 'false'], { env: { PATH: process.env.PATH, DATA_DIR: dir, RESTORE_ID: 'fails' } });
      expect(failed.status).not.toBe(0);
      expect(existsSync(join(dir, '.vmrestore-done-fails'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('vmstorage backups under serving TLS', () => {
  const { manifests } = backedUp({}, true);
  const sidecar = container(manifests, 'vmbackup');

  test("asks its node for snapshots over HTTPS, checking a name the node's certificate carries", () => {
    expect(vmFlag(sidecar.args, '-snapshot.createURL')).toBe('https://localhost:8482/snapshot/create');
    const serverName = vmFlag(sidecar.args, '-snapshot.tlsServerName');
    const certificate = get(manifests, 'Certificate', 'vm-vmstorage-tls');
    expect(certificate.spec.dnsNames).toContain(serverName);
    const caFile = vmFlag(sidecar.args, '-snapshot.tlsCAFile')!;
    const mount = sidecar.volumeMounts.find((m: any) => caFile.startsWith(`${m.mountPath}/`));
    expect(podOf(manifests).volumes.find((v: any) => v.name === mount.name).secret.secretName).toBe('vm-vmstorage-tls');
  });

  test("trusts the platform's CA for the store, which serves HTTPS then", () => {
    expect(vmFlag(sidecar.args, '-customS3Endpoint')).toMatch(/^https:\/\/minio\./);
    const bundle = sidecar.env.find((e: any) => e.name === 'AWS_CA_BUNDLE').value;
    expect(sidecar.volumeMounts.some((m: any) => bundle.startsWith(`${m.mountPath}/`))).toBe(true);
  });
});

describe('vmstorage backup validation', () => {
  const build = (backup: Partial<VmBackupOptions>, storage = new S3Storage({ region: 'eu-west-1', credentials: Credentials.fromPodIdentity() })) =>
    failure(() => new VictoriaMetricsCluster(testChart(), 'vm', { namespace: 'obs', backup: { storage, ...backup } }));

  test.each([
    [{ interval: '1m' }, /backup\.interval.*"1m".*at least 5m/s],
    [{ interval: 'daily' }, /backup\.interval.*"daily"/s],
    [{ prefix: '/vm/' }, /backup\.prefix.*"\/vm\/"/s],
    [{ restore: { id: 'Not An Id' } }, /backup\.restore\.id.*"Not An Id"/s],
    [{ restore: { id: 'r1', nodes: [0, 3] } }, /backup\.restore\.nodes\[1\] = 3.*0 to 2/s],
  ])('refuses %j, naming the property and the value', (backup, message) => {
    expect(build({ bucket: 'acme-vm-backups', ...backup })).toMatch(message);
  });

  test('on AWS without a bucket prefix, asks for a bucket name rather than guess a global one', () => {
    expect(build({})).toMatch(/backup\.bucket.*global to every AWS account/s);
    const storage = new S3Storage({ region: 'eu-west-1', credentials: Credentials.fromPodIdentity() });
    expect(() => new VictoriaMetricsCluster(testChart(), 'vm', { namespace: 'obs', backup: { storage, bucket: 'acme-vm-backups' } })).not.toThrow();
  });
});

describe('platform backups', () => {
  const platform = (spec: ConstructorParameters<typeof ObservabilityPlatform>[2]) =>
    new ObservabilityPlatform(new KubernetesApp({ outdir: '/nonexistent' }), 'p', spec).toJson() as Manifest[];

  test('a VictoriaMetrics platform backs vmstorage up to its own store by default, and not when told', () => {
    const names = (m: Manifest[]) => podOf(m).containers.map((c: any) => c.name);
    expect(names(platform({ metricsBackend: 'victoriametrics' }))).toEqual(['vmstorage', 'vmbackup']);
    expect(names(platform({ metricsBackend: 'victoriametrics', victoriaMetrics: { backup: false } }))).toEqual(['vmstorage']);
  });

  test('on AWS the backup bucket, its versioning and the role of vmstorage are made by the same spec, and agree', () => {
    const { 'acme-prod-thanos': _thanos, ...buckets } = PLATFORM_AWS_SPEC.aws!.buckets!;
    const spec = { ...PLATFORM_AWS_SPEC, aws: { ...PLATFORM_AWS_SPEC.aws!, buckets }, metricsBackend: 'victoriametrics' as const, thanos: undefined };
    const k8s = new ObservabilityPlatform(new KubernetesApp({ outdir: '/nonexistent' }), 'platform', spec);
    const tf = JSON.parse(Testing.synth(new AwsStorageStack(Testing.app(), 'storage', { storage: k8s.aws! })));
    const manifests = k8s.toJson() as Manifest[];
    expect(agreementProblems(manifests, tf)).toEqual([]);
    const bucket = resourcesOf(tf, 'aws_s3_bucket').find((b) => /vm-backups$/.test(b.bucket));
    expect(bucket).toBeDefined();
    expect(resourcesOf(tf, 'aws_s3_bucket_versioning').some((v) => JSON.stringify(v).includes('Enabled'))).toBe(true);
    const role = get(manifests, 'ServiceAccount', 'vm-vmstorage').metadata.annotations?.['eks.amazonaws.com/role-arn'];
    expect(role).toMatch(/:role\/.*vm-vmstorage$/);
    const policy = resourcesOf(tf, 'aws_iam_policy').find((p) => role!.endsWith(`/${p.name}`));
    const resources = policyStatements(tf, policy.policy).flatMap((s: any) => s.resources);
    expect(resources.filter((r: string) => r.startsWith('arn:aws:s3'))).toEqual([`arn:aws:s3:::${bucket.bucket}`, `arn:aws:s3:::${bucket.bucket}/*`]);
  });
});
