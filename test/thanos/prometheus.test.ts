import { parse } from 'yaml';
import { Minio } from '../../lib/object-storage/minio';
import { PrometheusAgent, PrometheusServer } from '../../lib/prometheus';
import { ThanosBucket } from '../../lib/thanos';
import { argsOf, dataOf, get, podSpecOf, synthApp, testChart } from '../support/synth';
import { flagValues } from './support';

describe('seed pattern (a): Prometheus agent remote-writing to receive', () => {
  const { manifests } = synthApp('thanos-agent');
  const sts = get(manifests, 'StatefulSet', 'prometheus-team-a-agent');
  const config = parse(dataOf(get(manifests, 'ConfigMap', 'prometheus-team-a-agent-config'))['prometheus.yaml']);

  test('runs in agent mode with its WAL on a retained volume, as the image user', () => {
    const args = argsOf(sts, 'prometheus');
    expect(args).toEqual(expect.arrayContaining(['--agent', '--storage.agent.path=/prometheus']));
    expect(args.some((a) => a.startsWith('--storage.tsdb.'))).toBe(false);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(podSpecOf(sts).securityContext.runAsUser).toBe(65534);
  });

  test("writes to the receive Service as its team's tenant, with a per-pod replica label", () => {
    expect(config.remote_write).toEqual([
      { name: 'thanos-team-a', url: 'http://thanos-receive.metrics.svc.cluster.local:19291/api/v1/receive', headers: { 'THANOS-TENANT': 'team-a' } },
    ]);
    expect(config.global.external_labels).toEqual({ cluster: 'prod-eu-1', team: 'team-a', prometheus_replica: '${POD_NAME}' });
    expect(podSpecOf(sts).containers[0].env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    // team-a has its own ring; the router sends its writes there.
    const rings = JSON.parse(dataOf(get(manifests, 'ConfigMap', 'thanos-receive-hashrings'))['hashrings.json']);
    expect(rings[0].tenants).toEqual(['team-a']);
  });

  test('finds what it scrapes by SRV records, without Kubernetes API access', () => {
    const jobs = config.scrape_configs.map((s: any) => [s.job_name, s.dns_sd_configs[0].names[0]]);
    expect(jobs).toContainEqual(['thanos-store', '_http._tcp.thanos-store-headless.metrics.svc.cluster.local']);
    expect(jobs).toContainEqual(['thanos-receive-team-a', '_http._tcp.thanos-receive-team-a-headless.metrics.svc.cluster.local']);
    expect(podSpecOf(sts).automountServiceAccountToken).toBe(false);
  });

  test('an agent without a remote-write target is refused', () => {
    expect(() => new PrometheusAgent(testChart(), 'agent', { namespace: 'obs' })).toThrow(
      '[test/agent] remoteWrite = []: is empty: an agent keeps nothing queryable, so its samples would go nowhere. Fix: pass a remote-write target such as thanos.remoteWriteTarget().',
    );
  });
});

describe('seed pattern (b): Prometheus with the Thanos sidecar', () => {
  const { manifests } = synthApp('thanos-sidecar');
  const sts = get(manifests, 'StatefulSet', 'prometheus-server');

  test('Prometheus cuts 2h blocks and never compacts them, so the sidecar uploads each sample once', () => {
    const args = argsOf(sts, 'prometheus');
    expect(args).toEqual(
      expect.arrayContaining(['--storage.tsdb.path=/prometheus', '--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h']),
    );
    const config = parse(dataOf(get(manifests, 'ConfigMap', 'prometheus-server-config'))['prometheus.yaml']);
    expect(config.storage.tsdb.retention.time).toBe('2d');
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.yaml']);
  });

  test('the sidecar shares the TSDB volume as the same user and uploads to the shared bucket', () => {
    const sidecar = podSpecOf(sts).containers.find((c: any) => c.name === 'thanos-sidecar');
    expect(sidecar.args[0]).toBe('sidecar');
    expect(sidecar.args).toEqual(
      expect.arrayContaining([
        '--prometheus.url=http://localhost:9090',
        '--tsdb.path=/prometheus',
        '--objstore.config-file=/etc/thanos/objstore/objstore.yaml',
      ]),
    );
    expect(sidecar.volumeMounts).toContainEqual({ name: 'data', mountPath: '/prometheus' });
    expect(sidecar.securityContext.runAsUser).toBe(65534);
  });

  test('query reads the sidecars and deduplicates the pair; the compactor merges their blocks', () => {
    const query = argsOf(get(manifests, 'Deployment', 'thanos-query'), 'thanos');
    expect(parse(flagValues(query, '--endpoint.sd-config')[0]).endpoints.map((e: any) => e.address)).toContain(
      'dnssrv+_grpc._tcp.prometheus-server-headless.monitoring.svc.cluster.local',
    );
    expect(flagValues(query, '--query.replica-label')).toContain('prometheus_replica');
    expect(flagValues(argsOf(get(manifests, 'StatefulSet', 'thanos-compactor'), 'thanos'), '--deduplication.replica-label')).toContain('prometheus_replica');
    expect(manifests.some((m) => m.metadata.name.startsWith('thanos-receive'))).toBe(false);
  });

  test('local retention too short for the sidecar to upload is refused', () => {
    const chart = testChart();
    const bucket = new ThanosBucket(chart, 'bucket', { namespace: 'obs', storage: new Minio(chart, 'minio', { namespace: 'obs' }) });
    expect(() => new PrometheusServer(chart, 'prom', { namespace: 'obs', retention: '4h', thanosSidecar: { bucket } })).toThrow(
      '[test/prom] retention = "4h": is shorter than the minimum of 6h (the sidecar uploads 2h blocks and Prometheus must keep three of them). Fix: set it to "6h" or longer.',
    );
  });
});
