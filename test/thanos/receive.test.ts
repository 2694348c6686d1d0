import { parse } from 'yaml';
import { dataOf, get, podSpecOf } from '../support/synth';
import { hashringProblems } from '../support/thanos';
import { flagValues, thanosArgs, thanosChart } from './support';

describe('Thanos receive, combined routing (the default)', () => {
  const { thanos, manifests } = thanosChart();
  const args = thanosArgs(manifests, 'StatefulSet', 'thanos-receive');
  const rings = JSON.parse(dataOf(get(manifests, 'ConfigMap', 'thanos-receive-hashrings'))['hashrings.json']);

  test('one ketama ring of the three ingestors, replicated three times', () => {
    expect(rings).toHaveLength(1);
    expect(rings[0].algorithm).toBe('ketama');
    expect(rings[0].endpoints.map((e: any) => e.address)).toEqual(
      [0, 1, 2].map((i) => `thanos-receive-${i}.thanos-receive-headless.obs.svc.cluster.local:10901`),
    );
    expect(flagValues(args, '--receive.replication-factor')).toEqual(['3']);
    // The flag decides whether a ring change flushes the TSDB; the file's field alone does not.
    expect(flagValues(args, '--receive.hashrings-algorithm')).toEqual(['ketama']);
  });

  test("each pod's local endpoint is, with its own name, exactly its hashring address", () => {
    const [local] = flagValues(args, '--receive.local-endpoint');
    for (let i = 0; i < 3; i++) expect(rings[0].endpoints[i].address).toBe(local.replace('$(NAME)', `thanos-receive-${i}`));
    const env = podSpecOf(get(manifests, 'StatefulSet', 'thanos-receive')).containers[0].env;
    expect(env).toContainEqual({ name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    expect(hashringProblems(manifests)).toEqual({ problems: [], endpoints: 3 });
  });

  test('the hashring ConfigMap is mounted as a directory and does not roll the pods when it changes', () => {
    const sts = get(manifests, 'StatefulSet', 'thanos-receive');
    const mount = podSpecOf(sts).containers[0].volumeMounts.find((m: any) => m.name === 'hashrings');
    expect(mount).toEqual({ name: 'hashrings', mountPath: '/var/lib/thanos-receive', readOnly: true });
    expect(flagValues(args, '--receive.hashrings-file')).toEqual(['/var/lib/thanos-receive/hashrings.json']);
    const scaled = thanosChart({ receive: { replicas: 4 } }).manifests;
    const checksum = (ms: typeof manifests) => get(ms, 'StatefulSet', 'thanos-receive').spec.template.metadata.annotations['obs-platform.io/config-checksum'];
    expect(checksum(scaled)).toBe(checksum(manifests));
  });

  test('a unique replica label per pod, the tenant header and a long grace on a retained volume', () => {
    expect(flagValues(args, '--label')).toEqual(['replica="$(NAME)"']);
    expect(flagValues(args, '--receive.tenant-header')).toEqual(['THANOS-TENANT']);
    const sts = get(manifests, 'StatefulSet', 'thanos-receive');
    expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(600);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(get(manifests, 'PodDisruptionBudget', 'thanos-receive').spec.maxUnavailable).toBe(1);
  });

  test('the typed endpoints name the Service and ports that exist', () => {
    expect(thanos.remoteWriteUrl).toBe('http://thanos-receive.obs.svc.cluster.local:19291/api/v1/receive');
    expect(thanos.remoteWriteTarget()).toEqual({
      url: thanos.remoteWriteUrl,
      headers: { 'THANOS-TENANT': 'default-tenant' },
      name: 'thanos-default-tenant',
      deduplication: 'replica-label',
      keepsExemplars: true,
    });
    const svc = get(manifests, 'Service', 'thanos-receive');
    expect(svc.spec.ports.find((p: any) => p.name === 'remote-write').port).toBe(19291);
    expect(get(manifests, 'Service', 'thanos-receive-headless').spec.publishNotReadyAddresses).toBe(true);
  });
});

describe('Thanos receive, split routing with per-tenant hashrings', () => {
  const { thanos, manifests } = thanosChart({
    receive: { routing: 'split', hashrings: [{ name: 'shared' }, { name: 'team-a', tenants: ['team-a'], replicas: 3 }], replicas: 4 },
  });
  const rings = JSON.parse(dataOf(get(manifests, 'ConfigMap', 'thanos-receive-hashrings'))['hashrings.json']);

  test('tenant rings come first and the catch-all last, each with its own StatefulSet', () => {
    expect(rings.map((r: any) => [r.hashring, r.tenants])).toEqual([
      ['team-a', ['team-a']],
      ['shared', undefined],
    ]);
    expect(rings[0].endpoints).toHaveLength(3);
    expect(rings[1].endpoints[3].address).toBe('thanos-receive-shared-3.thanos-receive-shared-headless.obs.svc.cluster.local:10901');
    expect(hashringProblems(manifests).endpoints).toBe(7);
    expect(hashringProblems(manifests).problems).toEqual([]);
  });

  test('routers read the ring and the tenant header; ingestors only ingest', () => {
    const router = thanosArgs(manifests, 'Deployment', 'thanos-receive-router');
    expect(flagValues(router, '--receive.hashrings-file')).toHaveLength(1);
    expect(flagValues(router, '--receive.local-endpoint')).toEqual([]);
    expect(flagValues(router, '--receive.tenant-header')).toEqual(['THANOS-TENANT']);
    expect(flagValues(router, '--label')).toHaveLength(1); // receive refuses to start without one
    for (const ingestor of ['thanos-receive-shared', 'thanos-receive-team-a']) {
      const args = thanosArgs(manifests, 'StatefulSet', ingestor);
      expect(flagValues(args, '--receive.hashrings-file')).toEqual([]);
      expect(flagValues(args, '--receive.local-endpoint')).toEqual([]);
      expect(flagValues(args, '--tsdb.path')).toEqual(['/var/thanos/receive']);
    }
  });

  test('writers reach the routers; query reads both rings of ingestors, never the routers', () => {
    expect(get(manifests, 'Service', 'thanos-receive').spec.selector['app.kubernetes.io/component']).toBe('receive-router');
    const sd = parse(flagValues(thanosArgs(manifests, 'Deployment', 'thanos-query'), '--endpoint.sd-config')[0]);
    const addresses = sd.endpoints.map((e: any) => e.address);
    expect(addresses).toContain('dnssrv+_grpc._tcp.thanos-receive-shared-headless.obs.svc.cluster.local');
    expect(addresses).toContain('dnssrv+_grpc._tcp.thanos-receive-team-a-headless.obs.svc.cluster.local');
    expect(addresses.some((a: string) => a.includes('router'))).toBe(false);
  });

  test('a tenant no ring takes is refused when there is no catch-all', () => {
    const { thanos: strict } = thanosChart({ receive: { hashrings: [{ name: 'team-a', tenants: ['team-a'] }] } });
    expect(strict.remoteWriteTarget('team-a').headers).toEqual({ 'THANOS-TENANT': 'team-a' });
    expect(() => strict.remoteWriteTarget('team-b')).toThrow(
      '[test/thanos/Receive] tenant "team-b" is in no hashring (team-a) and there is no catch-all ring. Fix: add it to a ring\'s tenants or add a ring without tenants.',
    );
    expect(thanos.remoteWriteTarget('anyone').headers).toEqual({ 'THANOS-TENANT': 'anyone' });
  });

  test('exemplars are kept for metric → trace links, and a bad count is refused', () => {
    expect(thanosArgs(thanosChart().manifests, 'StatefulSet', 'thanos-receive')).toContain('--tsdb.max-exemplars=100000');
    expect(thanosArgs(thanosChart({ receive: { maxExemplars: 0 } }).manifests, 'StatefulSet', 'thanos-receive')).toContain('--tsdb.max-exemplars=0');
    expect(() => thanosChart({ receive: { maxExemplars: 1.5 } })).toThrow(
      '[test/thanos/Receive] maxExemplars = 1.5: is not a whole number of exemplars. Fix: give 0 to keep none, or a count such as 100000.',
    );
  });
});
