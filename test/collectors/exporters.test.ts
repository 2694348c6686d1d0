import { parse } from 'yaml';
import { Alertmanager, AlertmanagerConfig, AlertmanagerProps, DEFAULT_ALERTMANAGER_CONFIG } from '../../lib/collectors/alertmanager';
import { KSM_DEFAULT_RESOURCES, KSM_RESOURCE_GROUPS, KubeStateMetrics, KubeStateMetricsProps } from '../../lib/collectors/kube-state-metrics';
import { MetricsServer, MetricsServerProps } from '../../lib/collectors/metrics-server';
import { NodeExporter, NodeExporterProps } from '../../lib/collectors/node-exporter';
import { HOST_ACCESS_ANNOTATION } from '../../lib/core/pod';
import { externalReferences } from '../../lib/core/external';
import { crossReferenceProblems, dnsProblems } from '../support/cross-refs';
import { podSecurityViolations } from '../support/pod-security';
import { schemaProblems } from '../support/schema';
import { Manifest, argsOf, containersOf, dataOf, get, ofKind, podSpecOf, synth, testChart } from '../support/synth';

function nodeExporter(props: Partial<NodeExporterProps> = {}) {
  const chart = testChart();
  const construct = new NodeExporter(chart, 'ne', { namespace: 'monitoring', ...props });
  return { construct, manifests: synth(chart) };
}
function ksm(props: Partial<KubeStateMetricsProps> = {}) {
  const chart = testChart();
  const construct = new KubeStateMetrics(chart, 'ksm', { namespace: 'monitoring', ...props });
  return { construct, manifests: synth(chart) };
}
function metricsServer(props: Partial<MetricsServerProps> = {}) {
  const chart = testChart();
  const construct = new MetricsServer(chart, 'ms', { namespace: 'monitoring', ...props });
  return { construct, manifests: synth(chart) };
}
function alertmanager(props: Partial<AlertmanagerProps> = {}) {
  const chart = testChart();
  const construct = new Alertmanager(chart, 'am', { namespace: 'obs', ...props });
  return { construct, chart, manifests: synth(chart) };
}
const container = (m: Manifest) => containersOf(podSpecOf(m))[0];
/** RBAC names are path segments and may hold ":" (`system:metrics-server`); the DNS-name check of the schema helper does not know that. */
const schemaOf = (manifests: Manifest[]) =>
  manifests
    .flatMap(schemaProblems)
    .filter((p) => !(/^(ClusterRole|ClusterRoleBinding) \/system:|^ClusterRoleBinding \/metrics-server:system:/.test(p) && p.endsWith('invalid name')));

describe('every collector', () => {
  const outputs = {
    nodeExporter: nodeExporter().manifests,
    kubeStateMetrics: ksm().manifests,
    metricsServer: metricsServer({ replicas: 2 }).manifests,
    alertmanager: alertmanager({ replicas: 3 }).manifests,
  };

  test.each(Object.entries(outputs))('%s: valid objects, resolvable references, restricted pods', (_, manifests) => {
    expect(schemaOf(manifests)).toEqual([]);
    expect(crossReferenceProblems(manifests, [])).toEqual([]);
    expect(dnsProblems(manifests)).toEqual([]);
    expect(manifests.flatMap(podSecurityViolations)).toEqual([]);
  });

  test('nodeExporter with hostAccess: valid objects and resolvable references', () => {
    const { manifests } = nodeExporter({ hostAccess: true });
    expect(schemaOf(manifests)).toEqual([]);
    expect(crossReferenceProblems(manifests, [])).toEqual([]);
  });

  test.each(Object.entries(outputs))('%s: every long flag has a double dash and a known shape', (_, manifests) => {
    const w = ofKind(manifests, 'DaemonSet').concat(ofKind(manifests, 'Deployment'), ofKind(manifests, 'StatefulSet'))[0];
    for (const arg of container(w).args) expect(arg).toMatch(/^--[a-z][a-z0-9.-]*(=.*)?$/);
  });
});

describe('NodeExporter', () => {
  test('restricted by default: pod-scoped collectors off, no host namespaces or paths', () => {
    const { manifests, construct } = nodeExporter();
    const ds = get(manifests, 'DaemonSet', 'node-exporter');
    expect(argsOf(ds, 'node-exporter')).toEqual([
      '--no-collector.filesystem',
      '--no-collector.netdev',
      '--no-collector.netstat',
      '--no-collector.sockstat',
      '--no-collector.conntrack',
      '--no-collector.arp',
      '--no-collector.netclass',
      '--web.listen-address=:9100',
    ]);
    const spec = podSpecOf(ds);
    expect(spec.hostNetwork).toBeUndefined();
    expect(spec.hostPID).toBeUndefined();
    expect(spec.volumes.filter((v: any) => v.hostPath)).toEqual([]);
    expect(spec.securityContext).toMatchObject({ runAsUser: 65534, runAsGroup: 65534, runAsNonRoot: true });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(construct.workload.apiObject.kind).toBe('DaemonSet');
  });

  test('probes GET / on the metrics port, without a host field', () => {
    for (const hostAccess of [false, true]) {
      const c = container(get(nodeExporter({ hostAccess }).manifests, 'DaemonSet', 'node-exporter'));
      expect(c.ports).toEqual([{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }]);
      for (const probe of [c.readinessProbe, c.livenessProbe]) expect(probe.httpGet).toEqual({ path: '/', port: 'metrics' });
    }
  });

  test('a headless Service <name> whose SRV record is the scrape target', () => {
    const { manifests, construct } = nodeExporter({ name: 'nodes', clusterDomain: 'k8s.example' });
    const svc = get(manifests, 'Service', 'nodes');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.ports).toEqual([{ name: 'metrics', port: 9100, protocol: 'TCP', targetPort: 'metrics' }]);
    expect(construct.scrapeTarget).toMatchObject({ job: 'nodes', srvRecord: '_metrics._tcp.nodes.monitoring.svc.k8s.example' });
  });

  test('hostAccess: node namespaces, read-only host mounts, and --path flags that match the mounts', () => {
    const ds = get(nodeExporter({ hostAccess: true }).manifests, 'DaemonSet', 'node-exporter');
    const spec = podSpecOf(ds);
    expect(spec).toMatchObject({ hostNetwork: true, hostPID: true, dnsPolicy: 'ClusterFirstWithHostNet' });
    expect(ds.spec.template.metadata.annotations[HOST_ACCESS_ANNOTATION]).toMatch(/node-exporter/);
    const hostPaths = Object.fromEntries(spec.volumes.filter((v: any) => v.hostPath).map((v: any) => [v.name, v.hostPath.path]));
    expect(hostPaths).toEqual({ proc: '/proc', sys: '/sys', root: '/' });
    const mounts = container(ds).volumeMounts.filter((m: any) => m.name in hostPaths);
    expect(mounts).toEqual([
      { name: 'proc', mountPath: '/host/proc', readOnly: true, mountPropagation: 'HostToContainer' },
      { name: 'sys', mountPath: '/host/sys', readOnly: true, mountPropagation: 'HostToContainer' },
      { name: 'root', mountPath: '/host/root', readOnly: true, mountPropagation: 'HostToContainer' },
    ]);
    const args = argsOf(ds, 'node-exporter');
    expect(args).toEqual(
      expect.arrayContaining([
        '--path.procfs=/host/proc',
        '--path.sysfs=/host/sys',
        '--path.rootfs=/host/root',
        '--web.listen-address=:9100',
        '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/k3s/containerd/.+|var/lib/docker/.+|var/lib/kubelet/pods/.+)($|/)',
      ]),
    );
    expect(args.filter((a) => a.startsWith('--no-collector.'))).toEqual([]);
    // Every --path.* flag points into a directory that is mounted.
    for (const a of args.filter((x) => x.startsWith('--path.'))) {
      const path = a.split('=')[1];
      expect(mounts.some((m: any) => path === m.mountPath || path.startsWith(`${m.mountPath}/`))).toBe(true);
    }
  });

  test('hostAccess breaks "restricted" only through host namespaces and host paths; capabilities stay dropped', () => {
    const ds = get(nodeExporter({ hostAccess: true }).manifests, 'DaemonSet', 'node-exporter');
    const violations = podSecurityViolations(ds);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.filter((v) => !/hostNetwork|hostPID|volume (proc|sys|root) has type hostPath/.test(v))).toEqual([]);
    expect(container(ds).securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
  });

  test('user scheduling replaces the defaults; extraArgs replace a generated flag', () => {
    const ds = get(
      nodeExporter({ scheduling: { tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }] }, extraArgs: ['--web.listen-address=:9200'] })
        .manifests,
      'DaemonSet',
      'node-exporter',
    );
    expect(podSpecOf(ds).tolerations).toEqual([{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(argsOf(ds, 'node-exporter').filter((a) => a.startsWith('--web.listen-address'))).toEqual(['--web.listen-address=:9200']);
  });

  test('a bad name is refused with the property, the value and a fix', () => {
    expect(() => nodeExporter({ name: 'Node_Exporter' })).toThrow(
      /\[test\/ne\] name = "Node_Exporter": is not a DNS label.*Fix: use something like "node-exporter"/,
    );
  });
});

describe('KubeStateMetrics', () => {
  const { manifests, construct } = ksm();
  const deployment = get(manifests, 'Deployment', 'kube-state-metrics');
  const resourcesFlag = (args: string[]) =>
    args
      .find((a) => a.startsWith('--resources='))!
      .slice('--resources='.length)
      .split(',');
  /** Every (group, resource) pair a ClusterRole grants list+watch on. */
  const granted = (role: Manifest) =>
    role.rules
      .flatMap((r: any) => {
        expect(r.verbs).toEqual(['list', 'watch']);
        return r.resources.flatMap((res: string) => r.apiGroups.map((g: string) => `${g}/${res}`));
      })
      .sort();

  test('flags: ports and the explicit resource list, without secrets, configmaps or admission policies', () => {
    const args = argsOf(deployment, 'kube-state-metrics');
    expect(args.slice(0, 2)).toEqual(['--port=8080', '--telemetry-port=8081']);
    const listed = resourcesFlag(args);
    expect(listed).toEqual([...KSM_DEFAULT_RESOURCES].sort());
    expect(listed).toHaveLength(24);
    for (const r of ['secrets', 'configmaps', 'mutatingadmissionpolicies', 'validatingadmissionpolicies']) expect(listed).not.toContain(r);
  });

  test('the ClusterRole grants list/watch on exactly the listed resources, in their API groups', () => {
    const role = get(manifests, 'ClusterRole', 'monitoring-kube-state-metrics');
    const listed = resourcesFlag(argsOf(deployment, 'kube-state-metrics'));
    expect(granted(role)).toEqual(listed.map((r) => `${KSM_RESOURCE_GROUPS[r]}/${r}`).sort());
    expect(granted(role)).toEqual(
      expect.arrayContaining([
        '/pods',
        'apps/deployments',
        'discovery.k8s.io/endpointslices',
        'policy/poddisruptionbudgets',
        'storage.k8s.io/volumeattachments',
      ]),
    );
  });

  test('a custom resource list changes the flag and the ClusterRole together', () => {
    const custom = ksm({ collectedResources: ['pods', 'secrets', 'ingressclasses', 'pods'] }).manifests;
    expect(resourcesFlag(argsOf(get(custom, 'Deployment', 'kube-state-metrics'), 'kube-state-metrics'))).toEqual(['ingressclasses', 'pods', 'secrets']);
    expect(granted(get(custom, 'ClusterRole', 'monitoring-kube-state-metrics'))).toEqual(['/pods', '/secrets', 'networking.k8s.io/ingressclasses']);
  });

  test('the table knows every store of v2.20.0 and nothing else', () => {
    // The keys of availableStores in internal/store/builder.go at v2.20.0.
    expect(Object.keys(KSM_RESOURCE_GROUPS).sort()).toEqual([
      'certificatesigningrequests',
      'clusterrolebindings',
      'clusterroles',
      'configmaps',
      'cronjobs',
      'daemonsets',
      'deployments',
      'endpoints',
      'endpointslices',
      'horizontalpodautoscalers',
      'ingressclasses',
      'ingresses',
      'jobs',
      'leases',
      'limitranges',
      'mutatingadmissionpolicies',
      'mutatingadmissionpolicybindings',
      'mutatingwebhookconfigurations',
      'namespaces',
      'networkpolicies',
      'nodes',
      'persistentvolumeclaims',
      'persistentvolumes',
      'poddisruptionbudgets',
      'pods',
      'replicasets',
      'replicationcontrollers',
      'resourcequotas',
      'rolebindings',
      'roles',
      'secrets',
      'serviceaccounts',
      'services',
      'statefulsets',
      'storageclasses',
      'validatingadmissionpolicies',
      'validatingadmissionpolicybindings',
      'validatingwebhookconfigurations',
      'volumeattachments',
    ]);
    for (const r of KSM_DEFAULT_RESOURCES) expect(KSM_RESOURCE_GROUPS).toHaveProperty(r);
  });

  test('bound to its own ServiceAccount, whose token the pod mounts', () => {
    const binding = get(manifests, 'ClusterRoleBinding', 'monitoring-kube-state-metrics');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'monitoring-kube-state-metrics' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kube-state-metrics', namespace: 'monitoring' }]);
    expect(podSpecOf(deployment)).toMatchObject({ serviceAccountName: 'kube-state-metrics', automountServiceAccountToken: true });
    expect(podSpecOf(deployment).securityContext).toMatchObject({ runAsUser: 65534, runAsNonRoot: true });
    expect(deployment.spec.replicas).toBe(1);
  });

  test('liveness /livez on http-metrics, readiness /readyz on telemetry', () => {
    const c = container(deployment);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http-metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'telemetry' });
  });

  test('a headless Service with both ports, and one scrape target each', () => {
    const svc = get(manifests, 'Service', 'kube-state-metrics');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.ports.map((p: any) => [p.name, p.port])).toEqual([
      ['http-metrics', 8080],
      ['telemetry', 8081],
    ]);
    expect(construct.scrapeTargets).toMatchObject([
      { job: 'kube-state-metrics', srvRecord: '_http-metrics._tcp.kube-state-metrics.monitoring.svc.cluster.local' },
      { job: 'kube-state-metrics-self', srvRecord: '_telemetry._tcp.kube-state-metrics.monitoring.svc.cluster.local' },
    ]);
  });

  test('unknown resources and a --resources extra arg are refused with clear messages', () => {
    expect(() => ksm({ collectedResources: ['pods', 'pod', 'Deployments'] })).toThrow(
      /collectedResources = "pod": is not a resource kube-state-metrics v2\.20\.0 knows.*Fix: use one of: certificatesigningrequests, /,
    );
    expect(() => ksm({ collectedResources: ['Deployments'] })).toThrow(/collectedResources = "Deployments"/);
    expect(() => ksm({ collectedResources: [] })).toThrow(/collectedResources = \[\]: is empty/);
    expect(() => ksm({ extraArgs: ['--resources=pods'] })).toThrow(
      /extraArgs = "--resources=pods": sets --resources, which the ClusterRole would not follow.*Fix: set collectedResources instead/,
    );
  });
});

describe('MetricsServer', () => {
  const { manifests } = metricsServer();
  const deployment = get(manifests, 'Deployment', 'metrics-server');

  test('upstream flags exactly, and --kubelet-insecure-tls only when asked', () => {
    const flags = [
      '--cert-dir=/tmp',
      '--secure-port=10250',
      '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
      '--kubelet-use-node-status-port',
      '--metric-resolution=15s',
    ];
    expect(argsOf(deployment, 'metrics-server')).toEqual(flags);
    const insecure = get(metricsServer({ kubeletInsecureTls: true, metricResolution: '30s' }).manifests, 'Deployment', 'metrics-server');
    expect(argsOf(insecure, 'metrics-server')).toEqual([...flags.slice(0, 4), '--metric-resolution=30s', '--kubelet-insecure-tls']);
  });

  test('the cert dir is the writable /tmp emptyDir; the pod runs as the image uid and mounts its token', () => {
    expect(container(deployment).volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(podSpecOf(deployment).volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
    expect(podSpecOf(deployment)).toMatchObject({
      automountServiceAccountToken: true,
      serviceAccountName: 'metrics-server',
      securityContext: { runAsUser: 65534 },
    });
  });

  test('HTTPS probes on the https port', () => {
    const c = container(deployment);
    expect(c.ports).toEqual([{ name: 'https', containerPort: 10250, protocol: 'TCP' }]);
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' },
      initialDelaySeconds: 20,
      periodSeconds: 10,
      failureThreshold: 3,
    });
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/livez', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10, failureThreshold: 3 });
  });

  test('the APIService points at the Service in the construct namespace, on port 443', () => {
    const api = get(manifests, 'APIService', 'v1beta1.metrics.k8s.io');
    expect(api.apiVersion).toBe('apiregistration.k8s.io/v1');
    expect(api.spec).toEqual({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      service: { name: 'metrics-server', namespace: 'monitoring' },
      insecureSkipTLSVerify: true,
      groupPriorityMinimum: 100,
      versionPriority: 100,
    });
    const svc = get(manifests, 'Service', api.spec.service.name);
    expect(svc.metadata.namespace).toBe('monitoring');
    expect(svc.spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }]);
  });

  test('RBAC: reader aggregated into view/edit/admin, node and pod reads, auth delegation', () => {
    const reader = get(manifests, 'ClusterRole', 'system:aggregated-metrics-reader');
    for (const r of ['view', 'edit', 'admin']) expect(reader.metadata.labels?.[`rbac.authorization.k8s.io/aggregate-to-${r}`]).toBe('true');
    expect(reader.rules).toEqual([{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }]);
    expect(get(manifests, 'ClusterRole', 'system:metrics-server').rules).toEqual([
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
    ]);
    const subject = [{ kind: 'ServiceAccount', name: 'metrics-server', namespace: 'monitoring' }];
    expect(get(manifests, 'ClusterRoleBinding', 'system:metrics-server')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'system:metrics-server' },
      subjects: subject,
    });
    expect(get(manifests, 'ClusterRoleBinding', 'metrics-server:system:auth-delegator')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: subject,
    });
    expect(get(manifests, 'ServiceAccount', 'metrics-server').metadata.namespace).toBe('monitoring');
  });

  test('the auth-reader RoleBinding is in kube-system, its subject in the construct namespace', () => {
    const rb = get(manifests, 'RoleBinding', 'metrics-server-auth-reader');
    expect(rb.metadata.namespace).toBe('kube-system');
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'metrics-server', namespace: 'monitoring' }]);
  });

  test('one replica has no PDB; two have one, and rollouts never drop below the replica count', () => {
    expect(ofKind(manifests, 'PodDisruptionBudget')).toEqual([]);
    const ha = metricsServer({ replicas: 2 }).manifests;
    expect(get(ha, 'PodDisruptionBudget', 'metrics-server').spec.maxUnavailable).toBe(1);
    expect(get(ha, 'Deployment', 'metrics-server').spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
  });

  test('metric resolutions metrics-server refuses are refused at synth', () => {
    expect(() => metricsServer({ metricResolution: '5s' })).toThrow(
      /metricResolution = "5s": is shorter than the 10s metrics-server accepts.*Fix: set it to "10s" or longer/,
    );
    expect(() => metricsServer({ metricResolution: 'often' })).toThrow(/metricResolution = "often": is not a Go duration/);
    // 90% of 10s is below the default 10s kubelet request timeout.
    expect(() => metricsServer({ metricResolution: '10s' })).toThrow(
      /metricResolution = "10s": leaves less than the kubelet request timeout \(10s\).*Fix: set it to "12s" or longer/,
    );
    expect(() => metricsServer({ metricResolution: '10s', extraArgs: ['--kubelet-request-timeout=5s'] })).not.toThrow();
    expect(() => metricsServer({ metricResolution: '1m' })).not.toThrow();
    expect(() => metricsServer({ replicas: 0 })).toThrow(/replicas = 0: must be a whole number of at least 1/);
  });
});

describe('Alertmanager', () => {
  const peerFlags = (args: string[]) => args.filter((a) => a.startsWith('--cluster.peer='));

  test('HA flags: listen, advertise the pod IP, and one peer per replica by stable pod name', () => {
    for (const replicas of [2, 3, 5]) {
      const sts = get(alertmanager({ replicas }).manifests, 'StatefulSet', 'alertmanager');
      const args = argsOf(sts, 'alertmanager');
      expect(args.slice(0, 5)).toEqual([
        '--config.file=/etc/alertmanager/alertmanager.yml',
        '--storage.path=/alertmanager',
        '--web.listen-address=:9093',
        '--cluster.listen-address=0.0.0.0:9094',
        '--cluster.advertise-address=$(POD_IP):9094',
      ]);
      expect(peerFlags(args)).toEqual(
        Array.from({ length: replicas }, (_, i) => `--cluster.peer=alertmanager-${i}.alertmanager-headless.obs.svc.cluster.local:9094`),
      );
      expect(args).toHaveLength(5 + replicas);
    }
  });

  test('one replica turns gossip off', () => {
    const args = argsOf(get(alertmanager({ replicas: 1 }).manifests, 'StatefulSet', 'alertmanager'), 'alertmanager');
    expect(args).toEqual([
      '--config.file=/etc/alertmanager/alertmanager.yml',
      '--storage.path=/alertmanager',
      '--web.listen-address=:9093',
      '--cluster.listen-address=',
    ]);
  });

  test('POD_IP from the downward API; ports, probes, and the data volume at /alertmanager', () => {
    const { manifests } = alertmanager();
    const sts = get(manifests, 'StatefulSet', 'alertmanager');
    const c = container(sts);
    expect(c.env).toEqual([{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }]);
    expect(c.ports.map((p: any) => [p.name, p.containerPort])).toEqual([
      ['http', 9093],
      ['cluster', 9094],
    ]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/-/healthy', port: 'http' });
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/alertmanager' });
    expect(sts.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.resources.requests.storage])).toEqual([['data', '2Gi']]);
    expect(sts.spec).toMatchObject({
      replicas: 2,
      serviceName: 'alertmanager-headless',
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(podSpecOf(sts).securityContext).toMatchObject({ runAsUser: 65534, fsGroup: 65534 });
    expect(get(manifests, 'PodDisruptionBudget', 'alertmanager').spec.maxUnavailable).toBe(1);
  });

  test('a route prefix in extraArgs moves the probes and the URLs', () => {
    const { manifests, construct } = alertmanager({ extraArgs: ['--web.external-url=https://alerts.example.com/am/'] });
    expect(container(get(manifests, 'StatefulSet', 'alertmanager')).readinessProbe.httpGet.path).toBe('/am/-/ready');
    expect(construct.peersUrl).toBe('dns+http://alertmanager-headless.obs.svc.cluster.local:9093/am');
  });

  test('the default config is the minimal valid one, in a ConfigMap <name>-config mounted by the pods', () => {
    const { manifests, construct } = alertmanager();
    const cm = get(manifests, 'ConfigMap', 'alertmanager-config');
    expect(parse(dataOf(cm)['alertmanager.yml'])).toEqual(DEFAULT_ALERTMANAGER_CONFIG);
    expect(podSpecOf(get(manifests, 'StatefulSet', 'alertmanager')).volumes).toContainEqual({ name: 'config', configMap: { name: 'alertmanager-config' } });
    expect(construct.configYaml).toBe(dataOf(cm)['alertmanager.yml']);
  });

  test("receivers' secrets stay in the user's Secret, mounted as files; a secret written into the config is refused", () => {
    const { manifests, chart } = alertmanager({
      secretFiles: { secretName: 'am-receivers' },
      config: {
        route: { receiver: 'chat' },
        receivers: [{ name: 'chat', slack_configs: [{ api_url_file: '/etc/alertmanager/secrets/slack', channel: '#alerts' }] }],
      },
    });
    const pod = podSpecOf(get(manifests, 'StatefulSet', 'alertmanager'));
    expect(pod.volumes).toContainEqual({ name: 'secrets', secret: { secretName: 'am-receivers' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'secrets', mountPath: '/etc/alertmanager/secrets', readOnly: true });
    expect(ofKind(manifests, 'Secret')).toEqual([]);
    expect(
      externalReferences(chart)
        .filter((e) => e.kind === 'Secret')
        .map((e) => e.name),
    ).toEqual(['am-receivers']);
    const refused = () =>
      alertmanager({
        config: {
          route: { receiver: 'chat' },
          receivers: [
            { name: 'chat', slack_configs: [{ api_url: 'https://hooks.slack.com/services/T0/B0/xyz' }], pagerduty_configs: [{ routing_key: 'abc123' }] },
          ],
          global: { smtp_auth_password: 'hunter2' },
        },
      });
    expect(refused).toThrow(/config\.receivers\[0\]\.slack_configs\[0\]\.api_url = "\(hidden\)": is a secret written into the config.*api_url_file/);
    expect(refused).toThrow(/config\.receivers\[0\]\.pagerduty_configs\[0\]\.routing_key = .*routing_key_file/);
    expect(refused).toThrow(/config\.global\.smtp_auth_password = .*smtp_auth_password_file/);
    // The value never appears in the message.
    expect(refused).not.toThrow(/hunter2|xyz|abc123/);
  });

  test('URLs and the scrape target wire to the Services it emits', () => {
    const { manifests, construct } = alertmanager({ name: 'am', clusterDomain: 'cluster.local' });
    expect(construct.url).toBe('http://am.obs.svc.cluster.local:9093');
    expect(construct.peersUrl).toBe('dns+http://am-headless.obs.svc.cluster.local:9093');
    expect(construct.scrapeTarget).toMatchObject({ job: 'am', srvRecord: '_http._tcp.am-headless.obs.svc.cluster.local' });
    expect(Object.keys(construct.services).sort()).toEqual(['am', 'am-headless']);
    const headless = get(manifests, 'Service', 'am-headless');
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(headless.spec.ports.map((p: any) => [p.name, p.port])).toEqual([
      ['http', 9093],
      ['cluster', 9094],
    ]);
  });

  test('every route must name an existing receiver', () => {
    const config: AlertmanagerConfig = {
      route: { receiver: 'team', routes: [{ matchers: ['severity="page"'], receiver: 'pager', routes: [{ receiver: 'nobody' }] }] },
      receivers: [{ name: 'team' }],
    };
    expect(() => alertmanager({ config })).toThrow(
      /config\.route\.routes\[0\]\.receiver = "pager": names no receiver of config\.receivers.*Fix: use one of: team/,
    );
    expect(() => alertmanager({ config })).toThrow(/config\.route\.routes\[0\]\.routes\[0\]\.receiver = "nobody"/);
    expect(() => alertmanager({ config: { route: {}, receivers: [{ name: 'a' }] } })).toThrow(
      /config\.route\.receiver = \(unset\): is unset: the root route must name the default receiver/,
    );
    expect(() => alertmanager({ config: { route: { receiver: 'a', matchers: ['x="y"'] }, receivers: [{ name: 'a' }, { name: 'a' }] } })).toThrow(
      /config\.receivers\[1\]\.name = "a": is empty or used by an earlier receiver too[\s\S]*config\.route\.matchers = .*: is set on the root route/,
    );
  });
});
