import { argsOf, get, ofKind, podSpecOf } from '../support/synth';
import { lokiChart } from './support';

describe('LokiCluster workloads', () => {
  const { manifests, loki } = lokiChart();

  test('write and backend are StatefulSets with a retained data volume and a 300 s grace; read is a Deployment', () => {
    for (const role of ['write', 'backend']) {
      const sts = get(manifests, 'StatefulSet', `loki-${role}`);
      expect(sts.spec.serviceName).toBe(`loki-${role}-headless`);
      expect(sts.spec.volumeClaimTemplates.map((c: any) => [c.metadata.name, c.spec.resources.requests.storage])).toEqual([['data', '10Gi']]);
      expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
      expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(300);
    }
    const read = get(manifests, 'Deployment', 'loki-read');
    expect(read.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: {} });
    expect(read.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('each role runs its own target from the shared config, advertising its pod IP to memberlist', () => {
    for (const [kind, role] of [
      ['StatefulSet', 'write'],
      ['Deployment', 'read'],
      ['StatefulSet', 'backend'],
    ]) {
      const args = argsOf(get(manifests, kind, `loki-${role}`), 'loki');
      expect(args).toContain(`-target=${role}`);
      expect(args).toContain('-config.file=/etc/loki/config/config.yaml');
      expect(args).toContain('-config.expand-env=true');
      expect(args).toContain('-memberlist.advertise-addr=$(POD_IP)');
      const env = podSpecOf(get(manifests, kind, `loki-${role}`)).containers[0].env;
      expect(env).toContainEqual({ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
    }
  });

  test('every role has a Service and a headless twin on 3100 and 9095; memberlist spans all roles', () => {
    for (const role of ['write', 'read', 'backend']) {
      for (const name of [`loki-${role}`, `loki-${role}-headless`]) {
        expect(get(manifests, 'Service', name).spec.ports.map((p: any) => [p.name, p.port])).toEqual([
          ['http-metrics', 3100],
          ['grpc', 9095],
        ]);
      }
      expect(get(manifests, 'Service', `loki-${role}-headless`).spec.clusterIP).toBe('None');
    }
    const memberlist = get(manifests, 'Service', 'loki-memberlist');
    expect(memberlist.spec.clusterIP).toBe('None');
    expect(memberlist.spec.ports[0].port).toBe(7946);
    const members = ofKind(manifests, 'StatefulSet')
      .concat(ofKind(manifests, 'Deployment'))
      .filter((w) => Object.entries(memberlist.spec.selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v))
      .map((w) => w.metadata.name)
      .sort();
    expect(members).toEqual(['loki-backend', 'loki-read', 'loki-write']);
  });

  test('replicas and PDBs follow the props', () => {
    const { manifests: m } = lokiChart({ write: { replicas: 5 }, read: { replicas: 2 }, backend: { replicas: 1 }, replicationFactor: 3 });
    expect(get(m, 'StatefulSet', 'loki-write').spec.replicas).toBe(5);
    expect(get(m, 'Deployment', 'loki-read').spec.replicas).toBe(2);
    expect(get(m, 'StatefulSet', 'loki-backend').spec.replicas).toBe(1);
    expect(
      ofKind(m, 'PodDisruptionBudget')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['loki-gateway', 'loki-read', 'loki-write']);
  });

  test('storage sizes, classes and resources are props', () => {
    const { manifests: m } = lokiChart({ write: { storageSize: '50Gi', storageClass: 'gp3', resources: { requests: { cpu: '2', memory: '4Gi' } } } });
    const sts = get(m, 'StatefulSet', 'loki-write');
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'gp3', resources: { requests: { storage: '50Gi' } } });
    expect(sts.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '2', memory: '4Gi' } });
  });

  test('endpoints name the gateway Service', () => {
    expect(loki.queryUrl).toBe('http://loki-gateway.obs.svc.cluster.local');
    expect(loki.pushUrl).toBe('http://loki-gateway.obs.svc.cluster.local/loki/api/v1/push');
    expect(get(manifests, 'Service', 'loki-gateway').spec.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }]);
  });

  test('the buckets Loki uses are declared to MinIO, which creates them', () => {
    const job = ofKind(manifests, 'Job').find((j) => j.metadata.name.startsWith('minio-make-buckets'))!;
    expect(job.spec.template.spec.containers[0].args[0]).toMatch(/local\/loki-chunks[\s\S]*local\/loki-ruler/);
  });

  test('extra args override generated flags and extra env is added', () => {
    const { manifests: m } = lokiChart({ read: { extraArgs: ['-target=read', '-log.level=debug'], extraEnv: [{ name: 'GOMAXPROCS', value: '2' }] } });
    const args = argsOf(get(m, 'Deployment', 'loki-read'), 'loki');
    expect(args.filter((a) => a.startsWith('-target='))).toEqual(['-target=read']);
    expect(args).toContain('-log.level=debug');
    expect(podSpecOf(get(m, 'Deployment', 'loki-read')).containers[0].env).toContainEqual({ name: 'GOMAXPROCS', value: '2' });
  });

  test('memcached caches are StatefulSets sized from memoryMb, found by SRV on their client port', () => {
    const { manifests: m } = lokiChart({ chunksCache: { memoryMb: 2048, replicas: 2 }, resultsCache: {} });
    const chunks = get(m, 'StatefulSet', 'loki-chunks-cache');
    expect(chunks.spec.replicas).toBe(2);
    expect(argsOf(chunks, 'memcached')).toContain('--memory-limit=2048');
    expect(chunks.spec.template.spec.containers[0].resources.limits.memory).toBe(`${Math.ceil(2048 * 1.2)}Mi`);
    expect(get(m, 'Service', 'loki-chunks-cache').spec.clusterIP).toBe('None');
    expect(argsOf(get(m, 'StatefulSet', 'loki-results-cache'), 'memcached')).toContain('--memory-limit=1024');
  });
});
