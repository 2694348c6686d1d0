import { parse } from 'yaml';
import { dataOf, get, podSpecOf } from '../support/synth';
import { flagValues, thanosArgs, thanosChart } from './support';

describe('ThanosCluster components, wired by their typed endpoints', () => {
  const { thanos, manifests } = thanosChart();

  test('query discovers receive, store and ruler by SRV records of their headless gRPC ports', () => {
    const sd = parse(flagValues(thanosArgs(manifests, 'Deployment', 'thanos-query'), '--endpoint.sd-config')[0]);
    expect(sd.endpoints.map((e: any) => e.address)).toEqual([
      'dnssrv+_grpc._tcp.thanos-receive-headless.obs.svc.cluster.local',
      'dnssrv+_grpc._tcp.thanos-store-headless.obs.svc.cluster.local',
      'dnssrv+_grpc._tcp.thanos-ruler-headless.obs.svc.cluster.local',
    ]);
    for (const svc of ['thanos-receive-headless', 'thanos-store-headless', 'thanos-ruler-headless']) {
      const s = get(manifests, 'Service', svc);
      expect(s.spec.clusterIP).toBe('None');
      expect(s.spec.ports.map((p: any) => p.name)).toContain('grpc');
    }
    expect(thanos.grpcStoreAddresses).toEqual(sd.endpoints.map((e: any) => e.address));
  });

  test('the replica labels query and compactor deduplicate along are exactly those receive and ruler set', () => {
    const set = [
      ...flagValues(thanosArgs(manifests, 'StatefulSet', 'thanos-receive'), '--label'),
      ...flagValues(thanosArgs(manifests, 'StatefulSet', 'thanos-ruler'), '--label'),
    ]
      .filter((l) => l.endsWith('"$(NAME)"'))
      .map((l) => l.split('=')[0]);
    expect(set).toEqual(['replica', 'rule_replica']);
    expect(flagValues(thanosArgs(manifests, 'Deployment', 'thanos-query'), '--query.replica-label')).toEqual(set);
    expect(flagValues(thanosArgs(manifests, 'StatefulSet', 'thanos-compactor'), '--deduplication.replica-label')).toEqual(set);
    expect(flagValues(thanosArgs(manifests, 'StatefulSet', 'thanos-ruler'), '--alert.label-drop')).toEqual(['rule_replica']);
  });

  test('query-frontend sends to the query Service on the port it serves; Grafana gets the frontend', () => {
    const [downstream] = flagValues(thanosArgs(manifests, 'Deployment', 'thanos-query-frontend'), '--query-frontend.downstream-url');
    expect(downstream).toBe('http://thanos-query.obs.svc.cluster.local:10902');
    expect(get(manifests, 'Service', 'thanos-query').spec.ports).toContainEqual(expect.objectContaining({ name: 'http', port: 10902 }));
    expect(thanos.queryUrl).toBe('http://thanos-query-frontend.obs.svc.cluster.local:10902');
    // query-frontend has no gRPC server: its Service must not pretend to.
    expect(get(manifests, 'Service', 'thanos-query-frontend').spec.ports.map((p: any) => p.name)).toEqual(['http']);
  });

  test('the ruler evaluates through query over HTTP and reads every rule ConfigMap as a directory', () => {
    const args = thanosArgs(manifests, 'StatefulSet', 'thanos-ruler');
    expect(flagValues(args, '--query')).toEqual(['dnssrv+_http._tcp.thanos-query.obs.svc.cluster.local']);
    expect(flagValues(args, '--rule-file')).toEqual(['/etc/thanos/rules/*/*.yaml']);
    const mounts = podSpecOf(get(manifests, 'StatefulSet', 'thanos-ruler')).containers[0].volumeMounts;
    expect(mounts).toContainEqual({ name: 'rules-0', mountPath: '/etc/thanos/rules/thanos-ruler-rules', readOnly: true });
    expect(dataOf(get(manifests, 'ConfigMap', 'thanos-ruler-rules'))['rules.yaml']).toContain('alert: ThanosCompactHalted');
  });

  test('exactly one compactor, as a one-pod StatefulSet, with retention per resolution and downsampling', () => {
    const sts = get(manifests, 'StatefulSet', 'thanos-compactor');
    expect(sts.spec.replicas).toBe(1);
    const args = thanosArgs(manifests, 'StatefulSet', 'thanos-compactor');
    expect(args[0]).toBe('compact');
    expect(args).toEqual(
      expect.arrayContaining([
        '--wait',
        '--retention.resolution-raw=30d',
        '--retention.resolution-5m=90d',
        '--retention.resolution-1h=1y',
        '--delete-delay=48h',
      ]),
    );
    expect(args).not.toContain('--downsampling.disable');
    expect(thanosArgs(thanosChart({ compactor: { downsampling: false, retention: { raw: '7d' } } }).manifests, 'StatefulSet', 'thanos-compactor')).toContain(
      '--downsampling.disable',
    );
    // The store stops serving a block marked for deletion before the compactor deletes it.
    expect(flagValues(thanosArgs(manifests, 'StatefulSet', 'thanos-store'), '--ignore-deletion-marks-delay')).toEqual(['24h']);
  });

  test('every component that touches the bucket mounts one key-less object-store ConfigMap and gets the keys from env', () => {
    const objstore = parse(dataOf(get(manifests, 'ConfigMap', 'thanos-objstore'))['objstore.yaml']);
    expect(objstore).toEqual({
      type: 'S3',
      config: { bucket: 'thanos-blocks', endpoint: 'minio.obs.svc.cluster.local:9000', region: 'us-east-1', insecure: true, bucket_lookup_type: 'path' },
    });
    for (const name of ['thanos-receive', 'thanos-store', 'thanos-compactor', 'thanos-ruler']) {
      const c = podSpecOf(get(manifests, 'StatefulSet', name)).containers[0];
      expect(c.args).toContain('--objstore.config-file=/etc/thanos/objstore/objstore.yaml');
      expect(c.volumeMounts).toContainEqual({ name: 'objstore', mountPath: '/etc/thanos/objstore', readOnly: true });
      expect(c.env.filter((e: any) => e.name.startsWith('AWS_')).map((e: any) => e.valueFrom.secretKeyRef.name)).toEqual([
        'minio-credentials',
        'minio-credentials',
      ]);
    }
  });

  test('the MinIO bucket Job creates the Thanos bucket', () => {
    const job = manifests.find((m) => m.kind === 'Job' && m.metadata.name.startsWith('minio-make-buckets'))!;
    expect(JSON.stringify(podSpecOf(job))).toContain('thanos-blocks');
  });

  test('caches: in-memory by default, memcached by SRV when asked', () => {
    const [index] = flagValues(thanosArgs(manifests, 'StatefulSet', 'thanos-store'), '--index-cache.config');
    expect(parse(index)).toEqual({ type: 'IN-MEMORY', config: { max_size: '250MB' } });
    const cached = thanosChart({ store: { indexCache: {}, bucketCache: {} }, queryFrontend: { resultsCache: {} } }).manifests;
    const store = thanosArgs(cached, 'StatefulSet', 'thanos-store');
    expect(parse(flagValues(store, '--index-cache.config')[0]).config.addresses).toEqual([
      'dnssrv+_client._tcp.thanos-store-index-cache.obs.svc.cluster.local',
    ]);
    expect(parse(flagValues(store, '--store.caching-bucket.config')[0]).type).toBe('MEMCACHED');
    const frontend = parse(flagValues(thanosArgs(cached, 'Deployment', 'thanos-query-frontend'), '--query-range.response-cache-config')[0]);
    expect(frontend.config.addresses).toEqual(['dnssrv+_client._tcp.thanos-query-frontend-cache.obs.svc.cluster.local']);
  });

  test('Thanos pods run as the image user 1001 with every data path on a volume', () => {
    for (const w of manifests.filter((m) => m.metadata.name.startsWith('thanos-') && (m.kind === 'StatefulSet' || m.kind === 'Deployment'))) {
      const spec = podSpecOf(w);
      expect({ w: w.metadata.name, uid: spec.securityContext.runAsUser, fs: spec.securityContext.fsGroup }).toEqual({
        w: w.metadata.name,
        uid: 1001,
        fs: 1001,
      });
      const dataFlag = spec.containers[0].args.find((a: string) => /^--(data-dir|tsdb\.path)=/.test(a));
      if (dataFlag) expect(spec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toContain(dataFlag.split('=')[1]);
    }
  });
});
