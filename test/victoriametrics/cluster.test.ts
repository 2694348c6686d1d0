import { warningsOf } from '../../lib/core/warnings';
import { get, ofKind } from '../support/synth';
import { storageNodeProblems, vmFlagValues } from '../support/victoriametrics';
import { vmArgs, vmChart, vmFlag } from './support';

describe('vmstorage', () => {
  const { manifests } = vmChart({ retention: '30d' });
  const sts = get(manifests, 'StatefulSet', 'vm-vmstorage');
  const pod = sts.spec.template.spec;
  const args = vmArgs(manifests, 'StatefulSet', 'vm-vmstorage');

  test('keeps its data on a retained volume claim mounted where -storageDataPath points', () => {
    const claim = sts.spec.volumeClaimTemplates[0];
    const mount = pod.containers[0].volumeMounts.find((m: any) => m.name === claim.metadata.name);
    expect(mount.mountPath).toBe(vmFlag(args, '-storageDataPath'));
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  test('runs as a non-root uid with an fsGroup, so it can take its lock file on the volume', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534 });
  });

  test('publishes every pod, ready or not, through a headless governing Service', () => {
    const svc = get(manifests, 'Service', sts.spec.serviceName);
    expect(svc.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(svc.spec.ports.map((p: any) => p.port).sort()).toEqual([8400, 8401, 8482]);
  });

  test('passes retention through and waits longer than the vminsert connection shutdown before SIGKILL', () => {
    expect(vmFlag(args, '-retentionPeriod')).toBe('30d');
    const shutdown = parseInt(vmFlag(args, '-storage.vminsertConnsShutdownDuration')!, 10);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(shutdown);
  });

  test('has a readiness probe but no liveness probe, which would restart a slow start-up', () => {
    expect(pod.containers[0].readinessProbe.httpGet.path).toBe('/health');
    expect(pod.containers[0].livenessProbe).toBeUndefined();
  });

  test('is never autoscaled and has a disruption budget of one pod', () => {
    expect(ofKind(manifests, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name)).not.toContain('vm-vmstorage');
    expect(get(manifests, 'PodDisruptionBudget', 'vm-vmstorage').spec.maxUnavailable).toBe(1);
  });
});

describe('vminsert and vmselect', () => {
  test('list every storage node, and follow the replica count', () => {
    for (const replicas of [3, 5]) {
      const { manifests, vm } = vmChart({ vmstorage: { replicas } });
      const { problems, nodes } = storageNodeProblems(manifests);
      expect(problems).toEqual([]);
      expect(nodes).toBe(2 * replicas);
      expect(vm.storageNodes).toHaveLength(replicas);
      expect(vmFlag(vmArgs(manifests, 'Deployment', 'vm-vminsert'), '-storageNode')!.split(',')).toEqual(vm.storageNodes);
    }
  });

  test('share the replication factor; vmselect removes the copies with 1ms dedup only when it is above one', () => {
    for (const rf of [1, 2, 3]) {
      const { manifests } = vmChart({ replicationFactor: rf, vmstorage: { replicas: 5 } });
      const insert = vmArgs(manifests, 'Deployment', 'vm-vminsert');
      const select = vmArgs(manifests, 'Deployment', 'vm-vmselect');
      expect(vmFlag(insert, '-replicationFactor')).toBe(String(rf));
      expect(vmFlag(select, '-replicationFactor')).toBe(String(rf));
      expect(vmFlag(select, '-dedup.minScrapeInterval')).toBe(rf > 1 ? '1ms' : undefined);
      expect(vmFlagValues(insert, '-dedup.minScrapeInterval')).toEqual([]);
    }
  });

  test('a dedup interval goes to vmstorage and vmselect alike', () => {
    const { manifests } = vmChart({ dedupInterval: '30s' });
    expect(vmFlag(vmArgs(manifests, 'StatefulSet', 'vm-vmstorage'), '-dedup.minScrapeInterval')).toBe('30s');
    expect(vmFlag(vmArgs(manifests, 'Deployment', 'vm-vmselect'), '-dedup.minScrapeInterval')).toBe('30s');
  });

  test('vmselect writes its cache to a size-limited volume of its own', () => {
    const { manifests } = vmChart({ vmselect: { cacheSize: '5Gi' } });
    const dep = get(manifests, 'Deployment', 'vm-vmselect');
    const path = vmFlag(vmArgs(manifests, 'Deployment', 'vm-vmselect'), '-cacheDataPath');
    const mount = dep.spec.template.spec.containers[0].volumeMounts.find((m: any) => m.mountPath === path);
    const volume = dep.spec.template.spec.volumes.find((v: any) => v.name === mount.name);
    expect(mount.readOnly).toBeFalsy();
    expect(volume.emptyDir.sizeLimit).toBe('5Gi');
  });

  test('an autoscaler owns the replica count of vmselect; a disruption budget still guards it', () => {
    const { manifests } = vmChart({ vmselect: { autoscaling: { minReplicas: 2, maxReplicas: 6 } } });
    const hpa = get(manifests, 'HorizontalPodAutoscaler', 'vm-vmselect');
    expect(hpa.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'vm-vmselect' }, minReplicas: 2, maxReplicas: 6 });
    expect(hpa.spec.metrics[0].resource).toEqual({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } });
    expect(get(manifests, 'Deployment', 'vm-vmselect').spec.replicas).toBeUndefined();
    expect(get(manifests, 'Deployment', 'vm-vminsert').spec.replicas).toBe(2);
    expect(get(manifests, 'PodDisruptionBudget', 'vm-vmselect').spec.maxUnavailable).toBe(1);
  });
});

describe('VictoriaMetricsCluster endpoints', () => {
  const { manifests, vm } = vmChart();
  const serviceUrl = (name: string) => {
    const svc = get(manifests, 'Service', name);
    return `http://${name}.${svc.metadata.namespace}.svc.cluster.local:${svc.spec.ports[0].port}`;
  };

  test('remote-write and query URLs carry the tenant in the path of the vminsert and vmselect Services', () => {
    expect(vm.remoteWriteUrl()).toBe(`${serviceUrl('vm-vminsert')}/insert/0/prometheus/api/v1/write`);
    expect(vm.remoteWriteUrl('7:1')).toBe(`${serviceUrl('vm-vminsert')}/insert/7:1/prometheus/api/v1/write`);
    expect(vm.queryUrl(42)).toBe(`${serviceUrl('vm-vmselect')}/select/42/prometheus`);
    expect(vm.remoteWriteTarget(3).url).toBe(vm.remoteWriteUrl(3));
  });

  test('exposes vminsert to other clusters through a load balancer and an external URL', () => {
    const exposed = vmChart({
      vminsert: {
        exposure: { externalUrl: 'http://vm.example.com:8480/', loadBalancerAnnotations: { 'x/scheme': 'internal' }, allowedSources: ['10.0.0.0/16'] },
      },
    });
    const svc = get(exposed.manifests, 'Service', 'vm-vminsert');
    expect(svc.spec.type).toBe('LoadBalancer');
    // The pods admit the sources the load balancer sends from, on vminsert's port, and nothing else from outside.
    const policy = get(exposed.manifests, 'NetworkPolicy', 'vm-vminsert');
    const fromBlocks = policy.spec.ingress.filter((r: { from: Array<{ ipBlock?: unknown }> }) => r.from.some((p) => p.ipBlock));
    expect(fromBlocks).toEqual([{ from: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 8480, protocol: 'TCP' }] }]);
    expect(svc.metadata.annotations).toEqual({ 'x/scheme': 'internal' });
    expect(exposed.vm.remoteWriteUrl(1, { from: 'outside' })).toBe('http://vm.example.com:8480/insert/1/prometheus/api/v1/write');
    expect(get(manifests, 'Service', 'vm-vminsert').spec.type).toBe('ClusterIP');
  });

  test('scrape targets name the headless Services of all three components', () => {
    expect(vm.scrapeTargets.map((t) => t.srvRecord)).toEqual(
      ['vmstorage', 'vminsert', 'vmselect'].map((c) => `_http._tcp.vm-${c}-headless.obs.svc.cluster.local`),
    );
    for (const t of vm.scrapeTargets) expect(ofKind(manifests, 'Service').map((s) => s.metadata.name)).toContain(t.srvRecord.split('.')[2]);
  });

  test('warns, without failing, when storage nodes are fewer than 2×RF−1', () => {
    const few = vmChart({ replicationFactor: 2, vmstorage: { replicas: 2 } });
    expect(warningsOf(few.chart)).toEqual([
      '[test/vm] vmstorage.replicas = 2: is below 2×replicationFactor−1 = 3: while a node is down, new samples get fewer than 2 copies. Fix: run 3 or more storage nodes to keep every copy through a node failure. (warning "vmstorage-below-2rf-1")',
    ]);
    expect(warningsOf(vmChart({ replicationFactor: 2, vmstorage: { replicas: 3 } }).chart)).toEqual([]);
  });

  test('the component images are the pinned -cluster tags', () => {
    for (const [kind, name] of [
      ['StatefulSet', 'vm-vmstorage'],
      ['Deployment', 'vm-vminsert'],
      ['Deployment', 'vm-vmselect'],
    ]) {
      expect(get(manifests, kind, name).spec.template.spec.containers[0].image).toMatch(
        /^docker\.io\/victoriametrics\/vm(storage|insert|select):v1\.151\.0-cluster$/,
      );
    }
  });
});
