import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Alertmanager, Memcached, Promtail } from '../../lib';
import { PodOverrides } from '../../lib/core/pod';
import { ComponentIdentity } from '../../lib/core/names';
import { CONSTRUCT_CASES } from '../support/constructs';
import { testChart } from '../support/synth';

const POD: PodOverrides = {
  imagePullSecrets: ['registry-mirror'],
  labels: { team: 'observability' },
  volumes: [{ name: 'ca-bundle', configMap: { name: 'corporate-ca' } }],
  volumeMounts: [{ name: 'ca-bundle', mountPath: '/etc/ssl/corporate', readOnly: true }],
  envFrom: [{ configMapRef: { name: 'proxy-settings' } }],
  extraContainers: [
    { name: 'auth-proxy', image: { repository: 'example.com/auth-proxy', tag: '1.2.3' }, args: ['--upstream=http://localhost:3100'], runAsUser: 65532 },
  ],
  extraInitContainers: [{ name: 'wait-for-vault', image: { repository: 'example.com/wait', tag: '1.0.0' }, runAsUser: 65532 }],
};

/** The props with the overrides wherever the construct takes workload options: on itself, or on each of its roles. */
function withPod(name: string, props: Record<string, unknown>): Record<string, unknown> {
  const roles: Record<string, string[]> = {
    LokiCluster: ['write', 'read', 'backend', 'gateway'],
    ThanosCluster: ['receive', 'query', 'queryFrontend', 'store', 'compactor', 'ruler'],
    VictoriaMetricsCluster: ['vmstorage', 'vminsert', 'vmselect'],
  };
  if (!roles[name]) return { ...props, pod: POD };
  return { ...props, ...Object.fromEntries(roles[name].map((role) => [role, { pod: POD }])) };
}

/** The pod templates of the long-running workloads `made` emitted itself. */
function podTemplates(made: IConstruct): Array<{ name: string; template: any }> {
  return made.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(c.kind))
    .map((o) => ({ name: `${o.kind}/${o.name}`, template: (o.toJson() as any).spec.template }));
}

// The same escape hatches on every component, applied by the one pod builder.
describe.each(CONSTRUCT_CASES.filter((c) => c.name !== 'ThanosBucket'))('$name takes pod overrides', ({ name, make, props }) => {
  test('pull secrets, labels, volumes and mounts, envFrom, sidecars and init containers reach every pod', () => {
    const chart = testChart();
    const made = make(chart, withPod(name, props(chart))) as IConstruct;
    const pods = podTemplates(made);
    expect(pods.length).toBeGreaterThan(0);
    for (const { name: workload, template } of pods) {
      const spec = template.spec;
      const ownContainers = spec.containers.filter((c: any) => c.name !== 'auth-proxy');
      expect({
        workload,
        pullSecrets: spec.imagePullSecrets,
        label: template.metadata.labels.team,
        volume: spec.volumes.filter((v: any) => v.name === 'ca-bundle').length,
        mounted: ownContainers.every((c: any) => c.volumeMounts.some((m: any) => m.mountPath === '/etc/ssl/corporate')),
        envFrom: ownContainers.every((c: any) => c.envFrom?.[0]?.configMapRef?.name === 'proxy-settings'),
        sidecar: spec.containers.find((c: any) => c.name === 'auth-proxy')?.securityContext,
        init: spec.initContainers?.map((c: any) => c.name).pop(),
      }).toEqual({
        workload,
        pullSecrets: [{ name: 'registry-mirror' }],
        label: 'observability',
        volume: 1,
        mounted: true,
        envFrom: true,
        sidecar: expect.objectContaining({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        }),
        init: 'wait-for-vault',
      });
      // Never the selector: an upgrade with other labels must not be refused.
      expect(Object.keys(template.metadata.labels)).toContain('app.kubernetes.io/name');
    }
  });
});

const CONTAINER = {
  image: { repository: 'registry.example.com/mirror/program', tag: '9.9.9' },
  extraArgs: ['--obs-test-flag=1'],
  extraEnv: [{ name: 'OBS_TEST', value: '1' }],
  resources: { requests: { cpu: '123m', memory: '321Mi' }, limits: { memory: '654Mi' } },
};

/** The props with the container options wherever the construct takes workload options. */
function withContainerOptions(name: string, props: Record<string, unknown>): Record<string, unknown> {
  const roles: Record<string, string[]> = {
    LokiCluster: ['write', 'read', 'backend'],
    ThanosCluster: ['receive', 'query', 'queryFrontend', 'store', 'compactor', 'ruler'],
    VictoriaMetricsCluster: ['vmstorage', 'vminsert', 'vmselect'],
  };
  if (!roles[name]) return { ...props, ...CONTAINER };
  return { ...props, ...Object.fromEntries(roles[name].map((role) => [role, CONTAINER])) };
}

// The container escape hatches on every component, applied in one place (withOptions).
describe.each(CONSTRUCT_CASES.filter((c) => c.name !== 'ThanosBucket'))('$name takes container options', ({ name, make, props }) => {
  test("image, extra args, extra env and resources reach each pod's own container", () => {
    const chart = testChart();
    const made = make(chart, withContainerOptions(name, props(chart))) as IConstruct;
    // Loki's gateway is nginx, configured apart (its options are the gateway's own).
    const pods = podTemplates(made).filter((p) => !p.name.endsWith('-gateway') || name !== 'LokiCluster');
    expect(pods.length).toBeGreaterThan(0);
    for (const { name: workload, template } of pods) {
      const own = template.spec.containers.find((c: any) => c.image === 'registry.example.com/mirror/program:9.9.9');
      expect({
        workload,
        args: own?.args?.includes('--obs-test-flag=1'),
        env: own?.env?.some((e: any) => e.name === 'OBS_TEST' && e.value === '1'),
        resources: own?.resources,
      }).toEqual({ workload, args: true, env: true, resources: CONTAINER.resources });
    }
  });
});

describe('pod overrides', () => {
  const owner = new ComponentIdentity({ app: 'loki', instance: 'loki', component: 'loki', namespace: 'obs', version: '1' });

  test('memcached takes them too', () => {
    const chart = testChart();
    const cache = new Memcached(chart, 'cache', { owner, component: 'chunks-cache', clusterDomain: 'cluster.local', pod: POD } as any);
    expect(podTemplates(cache)[0].template.spec.imagePullSecrets).toEqual([{ name: 'registry-mirror' }]);
  });

  test.each([
    [{ labels: { 'app.kubernetes.io/name': 'mine' } }, 'pod.labels.app.kubernetes.io/name = "mine": is one of the standard labels the library sets'],
    [{ extraContainers: [{ name: 'memcached', image: { repository: 'x', tag: '1' } }] }, 'pod.extraContainers = "memcached": is the name of a container'],
  ] as Array<[PodOverrides, string]>)('%j is refused, naming what it would replace', (pod, message) => {
    expect(() => new Memcached(testChart(), 'cache', { owner, component: 'chunks-cache', clusterDomain: 'cluster.local', pod } as any)).toThrow(message);
  });

  test("a volume named like one of the component's is refused", () => {
    expect(() => new Alertmanager(testChart(), 'am', { namespace: 'obs', pod: { volumes: [{ name: 'config', emptyDir: {} }] } })).toThrow(
      'pod.volumes = "config": is the name of a volume the component\'s pods already have',
    );
  });

  test('beside a node agent that runs as root, an added container must say its non-root uid', () => {
    const pod: PodOverrides = { extraContainers: [{ name: 'shipper', image: { repository: 'example.com/shipper', tag: '1' } }] };
    expect(() => new Promtail(testChart(), 'p', { namespace: 'obs', loki: { pushUrl: 'http://loki.obs.svc.cluster.local/loki/api/v1/push' }, pod })).toThrow(
      'pod.extraContainers = "shipper": runs in a pod whose uid is 0',
    );
  });
});
