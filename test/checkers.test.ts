import { crossReferenceProblems, dnsProblems, serviceReferences } from './support/cross-refs';
import { podSecurityViolations } from './support/pod-security';
import { schemaProblems } from './support/schema';
import { Manifest, synthApp } from './support/synth';

/** The checks over every app must be able to fail: each is shown a broken copy of real output. */
const base = () => synthApp('platform').manifests;
const find = (ms: Manifest[], kind: string, name: string) => ms.find((m) => m.kind === kind && m.metadata.name === name)!;

describe('output checkers catch what they claim to', () => {
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
    expect(problems).toEqual(expect.arrayContaining([
      'Service loki-read selects no pods',
      expect.stringContaining('mounts ghost, which is not a volume'),
      expect.stringContaining('refers to ConfigMap missing-config'),
    ]));
  });

  test('DNS names: a Service that does not exist, a port it does not serve', () => {
    const ms = base();
    const cm = find(ms, 'ConfigMap', 'loki-config');
    cm.data['config.yaml'] = cm.data['config.yaml'].replace('loki-memberlist.observability', 'loki-gossip.observability').replace('loki-backend.observability.svc.cluster.local:9095', 'loki-backend.observability.svc.cluster.local:9999');
    const problems = dnsProblems(ms);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringContaining('names Service observability/loki-gossip'),
      expect.stringContaining('uses port 9999'),
    ]));
  });

  test('DNS names are parsed with SRV port names and pod names', () => {
    expect(serviceReferences('dnssrvnoa+_client._tcp.loki-chunks-cache.obs.svc.cluster.local')).toEqual([
      { text: '_client._tcp.loki-chunks-cache.obs.svc.cluster.local', srvPort: 'client', pod: undefined, service: 'loki-chunks-cache', namespace: 'obs', port: undefined },
    ]);
    expect(serviceReferences('x vmstorage-0.vmstorage.obs.svc:8400 y')[0]).toMatchObject({ pod: 'vmstorage-0', service: 'vmstorage', namespace: 'obs', port: 8400 });
  });

  test('Pod Security: root, privilege escalation, a hostPath, a writable root', () => {
    const ms = base();
    const pod = find(ms, 'Deployment', 'loki-gateway');
    const c = pod.spec.template.spec.containers[0];
    c.securityContext = { runAsUser: 0, readOnlyRootFilesystem: false };
    pod.spec.template.spec.volumes.push({ name: 'host', hostPath: { path: '/' } });
    const problems = podSecurityViolations(pod);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringContaining('runs as uid 0'),
      expect.stringContaining('allowPrivilegeEscalation is not false'),
      expect.stringContaining('does not drop ALL capabilities'),
      expect.stringContaining('volume host has type hostPath'),
      expect.stringContaining('root filesystem is writable'),
    ]));
  });
});
