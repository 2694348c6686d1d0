import { crossReferenceProblems, dnsProblems, serviceReferences } from './support/cross-refs';
import { outputPodSecurityViolations, podSecurityViolations } from './support/pod-security';
import { schemaProblems } from './support/schema';
import { unknownKeys } from './support/config-keys';
import { credentialsIn } from './support/credentials';
import { flagProblems, hashringProblems, thanosConfigDocuments } from './support/thanos';
import { Manifest, synthApp } from './support/synth';
import { storageNodeProblems, vmFlagProblems } from './support/victoriametrics';

/** The checks over every app must be able to fail: each is shown a broken copy of real output. */
const base = () => synthApp('platform').manifests;
const find = (ms: Manifest[], kind: string, name: string) => ms.find((m) => m.kind === kind && m.metadata.name === name)!;

describe('output checkers catch what they claim to', () => {
  test('schema: a ServiceMonitor with a misspelt field and one with a port of the wrong type, against the pinned CRD', () => {
    // umbrella is the app that opts into ServiceMonitors.
    const ms = synthApp('umbrella').manifests;
    const monitor = find(ms, 'ServiceMonitor', 'loki-write');
    expect(schemaProblems(monitor)).toEqual([]);
    monitor.spec.endpoints[0].intervall = '30s';
    monitor.spec.selector.matchLabels = 'loki';
    const problems = schemaProblems(monitor);
    expect(problems.some((p) => p.includes('intervall'))).toBe(true);
    expect(problems.some((p) => p.includes('/spec/selector/matchLabels'))).toBe(true);
  });

  test('pod security over an output: host access only for declared node agents in a namespace that admits it', () => {
    const ms = synthApp('db-cluster').manifests;
    expect(outputPodSecurityViolations(ms)).toEqual([]);
    // The same agent in the restricted namespace would be refused at admission.
    const moved = ms.map((m) =>
      m.kind === 'DaemonSet' && m.metadata.name === 'promtail-agent' ? { ...m, metadata: { ...m.metadata, namespace: 'db-monitoring' } } : m,
    );
    expect(outputPodSecurityViolations(moved)).toContain('DaemonSet db-monitoring/promtail-agent: declares host access but its namespace does not admit it');
    // A declared agent still may not escalate or keep capabilities.
    const agent = find(ms, 'DaemonSet', 'promtail-agent');
    agent.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    expect(outputPodSecurityViolations(ms)).toEqual(['DaemonSet db-monitoring-host/promtail-agent container promtail: allowPrivilegeEscalation is not false']);
    // Anything else in the privileged namespace is flagged.
    const grafana = find(ms, 'Deployment', 'grafana-server');
    grafana.metadata.namespace = 'db-monitoring-host';
    expect(outputPodSecurityViolations(ms)).toContain(
      'Deployment db-monitoring-host/grafana-server: runs in a privileged namespace without declaring host access',
    );
  });

  test('schema: a missing required field and a bad container port name', () => {
    const ms = base();
    const dep = find(ms, 'Deployment', 'loki-read');
    delete dep.spec.selector;
    dep.spec.template.spec.containers[0].ports[0].name = 'a-very-long-port-name';
    const problems = schemaProblems(dep);
    expect(problems.some((p) => p.includes('selector'))).toBe(true);
    expect(problems.some((p) => p.includes('a-very-long-port-name'))).toBe(true);
  });

  test('cross references: a Service selecting nothing, a dangling mount, a missing ConfigMap', () => {
    const ms = base();
    find(ms, 'Service', 'loki-read').spec.selector['app.kubernetes.io/component'] = 'nope';
    const write = find(ms, 'StatefulSet', 'loki-write').spec.template.spec;
    write.containers[0].volumeMounts.push({ name: 'ghost', mountPath: '/x' });
    write.volumes.find((v: any) => v.configMap).configMap.name = 'missing-config';
    const problems = crossReferenceProblems(ms, []);
    expect(problems).toEqual(
      expect.arrayContaining([
        'Service loki-read selects no pods',
        expect.stringContaining('mounts ghost, which is not a volume'),
        expect.stringContaining('refers to ConfigMap missing-config'),
      ]),
    );
  });

  test('DNS names: a Service that does not exist, a port it does not serve', () => {
    const ms = base();
    const cm = find(ms, 'ConfigMap', 'loki-config');
    cm.data['config.yaml'] = cm.data['config.yaml']
      .replace('loki-memberlist.observability', 'loki-gossip.observability')
      .replace('loki-backend.observability.svc.cluster.local:9095', 'loki-backend.observability.svc.cluster.local:9999');
    const problems = dnsProblems(ms);
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringContaining('names Service observability/loki-gossip'), expect.stringContaining('uses port 9999')]),
    );
  });

  test('DNS names are parsed with SRV port names and pod names', () => {
    expect(serviceReferences('dnssrvnoa+_client._tcp.loki-chunks-cache.obs.svc.cluster.local')).toEqual([
      {
        text: '_client._tcp.loki-chunks-cache.obs.svc.cluster.local',
        srvPort: 'client',
        pod: undefined,
        service: 'loki-chunks-cache',
        namespace: 'obs',
        port: undefined,
      },
    ]);
    expect(serviceReferences('x vmstorage-0.vmstorage.obs.svc:8400 y')[0]).toMatchObject({
      pod: 'vmstorage-0',
      service: 'vmstorage',
      namespace: 'obs',
      port: 8400,
    });
  });

  test('Pod Security: root, privilege escalation, a hostPath, a writable root', () => {
    const ms = base();
    const pod = find(ms, 'Deployment', 'loki-gateway');
    const c = pod.spec.template.spec.containers[0];
    c.securityContext = { runAsUser: 0, readOnlyRootFilesystem: false };
    pod.spec.template.spec.volumes.push({ name: 'host', hostPath: { path: '/' } });
    const problems = podSecurityViolations(pod);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('runs as uid 0'),
        expect.stringContaining('allowPrivilegeEscalation is not false'),
        expect.stringContaining('does not drop ALL capabilities'),
        expect.stringContaining('volume host has type hostPath'),
        expect.stringContaining('root filesystem is writable'),
      ]),
    );
  });

  test('Thanos and Prometheus flags: an unknown flag, a flag of another sub-command, a server flag in agent mode, a duplicate', () => {
    const ms = synthApp('platform').manifests;
    const query = find(ms, 'Deployment', 'thanos-query').spec.template.spec.containers[0];
    query.args.push('--query.no-such-flag=1', '--tsdb.path=/data', '--query.timeout=1m');
    find(ms, 'StatefulSet', 'prometheus-agent').spec.template.spec.containers[0].args.push('--storage.tsdb.path=/prometheus');
    expect(flagProblems(ms)).toEqual([
      'Deployment thanos-query/thanos: --query.no-such-flag is not a flag of query',
      'Deployment thanos-query/thanos: --tsdb.path is not a flag of query',
      'Deployment thanos-query/thanos: --query.timeout is given more than once',
      'StatefulSet prometheus-agent/prometheus: --storage.tsdb.path cannot be used in agent mode (Prometheus exits with code 3)',
    ]);
  });

  test('hashrings: a pod missing from the ring, a pod that does not exist, a subPath mount', () => {
    const ms = synthApp('platform').manifests;
    const cm = find(ms, 'ConfigMap', 'thanos-receive-hashrings');
    const rings = JSON.parse(cm.data['hashrings.json']);
    rings[0].endpoints[2].address = rings[0].endpoints[2].address.replace('receive-2', 'receive-7');
    cm.data['hashrings.json'] = JSON.stringify(rings);
    expect(hashringProblems(ms).problems).toEqual([
      'StatefulSet thanos-receive/thanos: thanos-receive-7.thanos-receive-headless.observability.svc.cluster.local:10901 is no pod of a StatefulSet',
      'StatefulSet thanos-receive/thanos: ring default lists 2 of the 3 pods of thanos-receive',
      "StatefulSet thanos-receive/thanos: pod 2's local endpoint thanos-receive-2.thanos-receive-headless.observability.svc.cluster.local:10901 is not in the hashring",
    ]);
    const mount = find(ms, 'StatefulSet', 'thanos-receive').spec.template.spec.containers[0].volumeMounts.find((m: any) => m.name === 'hashrings');
    mount.subPath = 'hashrings.json';
    expect(hashringProblems(ms).problems).toEqual([
      'StatefulSet thanos-receive/thanos: the hashrings directory /var/lib/thanos-receive is not mounted as a directory',
    ]);
  });

  test('Thanos config keys: a misspelt object-store key and an unknown cache key', () => {
    const ms = synthApp('platform').manifests;
    const objstore = find(ms, 'ConfigMap', 'thanos-objstore');
    objstore.data['objstore.yaml'] = 'type: S3\nconfig:\n  bucket: b\n  endpont: x\n';
    const frontend = find(ms, 'Deployment', 'thanos-query-frontend').spec.template.spec.containers[0];
    frontend.args = frontend.args.map((a: string) => (a.startsWith('--query-range.response-cache-config=') ? `${a}\nmax_size: 1` : a));
    const unknown = thanosConfigDocuments(ms).flatMap(({ doc, tree }) => unknownKeys(doc, tree));
    expect(unknown).toEqual(['config.endpont', 'max_size']);
  });

  test('credentials: keys with values are found in YAML and env-style text, empty ones are not', () => {
    expect(credentialsIn('config:\n  access_key: AKIAEXAMPLE\n  secret_key: "abc"\n')).toEqual(['access_key=AKIAEXAMPLE', 'secret_key=abc']);
    expect(credentialsIn('AWS_SECRET_ACCESS_KEY=xyz')).toEqual(['AWS_SECRET_ACCESS_KEY=xyz']);
    expect(credentialsIn('type: S3\nconfig:\n  bucket: b\n')).toEqual([]);
  });

  test('DNS names: a Service the app declares the user runs is accepted, an undeclared one is not', () => {
    const { manifests: ms, external } = synthApp('db-cluster');
    expect(dnsProblems(ms).some((p) => p.includes('postgres-metrics'))).toBe(true);
    expect(dnsProblems(ms, external)).toEqual([]);
  });
});

describe('VictoriaMetrics checkers catch what they claim to', () => {
  const vm = () => synthApp('platform-vm').manifests;
  const argsOf = (ms: Manifest[], kind: string, name: string) => find(ms, kind, name).spec.template.spec.containers[0].args as string[];

  test('flags: an unknown flag, an enterprise-only flag, a repeated single flag, a positional argument', () => {
    const ms = vm();
    argsOf(ms, 'StatefulSet', 'vm-vmstorage').push('-retentionPeriodd=1y', '-retentionPeriod=2y');
    argsOf(ms, 'Deployment', 'vm-vminsert').push('-storageNode=srv+vmstorage', '-cluster.tls');
    argsOf(ms, 'Deployment', 'vm-vmselect').push('select');
    expect(vmFlagProblems(ms)).toEqual([
      'StatefulSet vm-vmstorage/vmstorage: -retentionPeriodd is not a flag of vmstorage',
      'StatefulSet vm-vmstorage/vmstorage: -retentionPeriod is given more than once',
      'Deployment vm-vminsert/vminsert: -cluster.tls is an enterprise-only flag of vminsert',
      'Deployment vm-vmselect/vmselect: "select" is not a flag (VictoriaMetrics programs take no positional arguments)',
      'Deployment vm-vmselect/vmselect: -select is not a flag of vmselect',
    ]);
  });

  test('storage nodes: a missing pod, a pod that does not exist, a Service name, a wrong port, RF mismatch, no dedup', () => {
    const ms = vm();
    const host = (i: number, port: number) => `vm-vmstorage-${i}.vm-vmstorage-headless.observability.svc.cluster.local:${port}`;
    const insert = argsOf(ms, 'Deployment', 'vm-vminsert');
    insert[insert.findIndex((a) => a.startsWith('-storageNode='))] =
      `-storageNode=${host(0, 8400)},${host(3, 8400)},vm-vmstorage.observability.svc.cluster.local:8400`;
    const select = argsOf(ms, 'Deployment', 'vm-vmselect');
    select[select.findIndex((a) => a.startsWith('-storageNode='))] = `-storageNode=${host(0, 8400)},${host(1, 8401)},${host(2, 8401)}`;
    select[select.findIndex((a) => a.startsWith('-replicationFactor='))] = '-replicationFactor=3';
    select.splice(
      select.findIndex((a) => a.startsWith('-dedup.minScrapeInterval=')),
      1,
    );
    const { problems } = storageNodeProblems(ms);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${host(3, 8400)} names pod 3, but vm-vmstorage has 3 replicas`),
        expect.stringContaining('vm-vmstorage.observability.svc.cluster.local:8400 is not a pod of a vmstorage StatefulSet'),
        expect.stringContaining(`${host(0, 8400)} uses port 8400, but vmstorage listens for vmselect on 8401`),
        expect.stringContaining('replication factor 3 without -dedup.minScrapeInterval'),
        expect.stringContaining('replication factors differ'),
      ]),
    );
  });

  test('storage nodes: a list short of a pod, and a headless Service that hides not-ready pods', () => {
    const ms = vm();
    const insert = argsOf(ms, 'Deployment', 'vm-vminsert');
    const i = insert.findIndex((a) => a.startsWith('-storageNode='));
    insert[i] = insert[i].split(',').slice(0, 2).join(',');
    delete find(ms, 'Service', 'vm-vmstorage-headless').spec.publishNotReadyAddresses;
    const { problems } = storageNodeProblems(ms);
    expect(problems).toEqual(
      expect.arrayContaining([
        'Deployment vm-vminsert/vminsert: lists 2 of the 3 pods of vm-vmstorage',
        expect.stringContaining('Service vm-vmstorage-headless is not headless with publishNotReadyAddresses'),
      ]),
    );
  });
});
