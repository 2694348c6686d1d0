import { ConfigFile } from '../../lib/core/config-file';
import { IMAGES } from '../../lib/core/images';
import { ComponentIdentity } from '../../lib/core/names';
import { CONFIG_CHECKSUM_ANNOTATION } from '../../lib/core/pod';
import { Workload, WorkloadProps } from '../../lib/core/workload';
import { podSecurityViolations } from '../support/pod-security';
import { get, synth, testChart } from '../support/synth';

const identity = new ComponentIdentity({ app: 'demo', instance: 'demo', component: 'db', namespace: 'ns', version: '1.0' });

function build(overrides: Partial<WorkloadProps> & { kind: 'Deployment' | 'StatefulSet' }, configContent = 'a: 1') {
  const chart = testChart();
  const config = new ConfigFile(chart, 'cfg', { identity, name: 'demo-config', files: { 'c.yaml': configContent } });
  new Workload(chart, 'w', {
    identity,
    replicas: 3,
    podIdentity: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
    containers: [{ name: 'main', image: IMAGES.loki, ports: [{ name: 'http', containerPort: 3100 }], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    configChecksums: [config.checksum],
    serviceName: 'demo-db-headless',
    volumeClaims: [{ name: 'data', size: '5Gi', storageClass: 'fast' }],
    ...overrides,
  } as WorkloadProps);
  return synth(chart);
}

describe('Workload', () => {
  test('a StatefulSet keeps its claims on delete and scale-down and sizes them as asked', () => {
    const sts = get(build({ kind: 'StatefulSet' }), 'StatefulSet', 'demo-db');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(sts.spec.volumeClaimTemplates).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ name: 'data' }),
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } },
      }),
    ]);
    expect(sts.spec.serviceName).toBe('demo-db-headless');
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
  });

  test('pods meet Pod Security "restricted" with the image uid and a read-only root', () => {
    const manifests = build({ kind: 'Deployment' });
    const dep = get(manifests, 'Deployment', 'demo-db');
    expect(podSecurityViolations(dep)).toEqual([]);
    expect(dep.spec.template.spec.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, runAsNonRoot: true });
    expect(dep.spec.template.spec.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
  });

  test('the selector is the stable labels only, and the template carries them all', () => {
    const dep = get(build({ kind: 'Deployment' }), 'Deployment', 'demo-db');
    expect(dep.spec.selector.matchLabels).toEqual(identity.selector);
    expect(dep.spec.template.metadata.labels).toMatchObject(identity.labels);
  });

  test('a config change changes the checksum annotation, so pods roll', () => {
    const a = get(build({ kind: 'Deployment' }, 'a: 1'), 'Deployment', 'demo-db');
    const b = get(build({ kind: 'Deployment' }, 'a: 2'), 'Deployment', 'demo-db');
    const sum = (m: any) => m.spec.template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION];
    expect(sum(a)).toMatch(/^[a-f0-9]{64}$/);
    expect(sum(a)).not.toBe(sum(b));
  });

  test('a PDB of maxUnavailable 1 comes with more than one replica, none with one', () => {
    expect(get(build({ kind: 'Deployment' }), 'PodDisruptionBudget', 'demo-db').spec.maxUnavailable).toBe(1);
    expect(build({ kind: 'Deployment', replicas: 1 }).filter((m) => m.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('replicas spread over nodes and zones without blocking scheduling; user constraints win', () => {
    const spread = get(build({ kind: 'Deployment' }), 'Deployment', 'demo-db').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((c: any) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      ['kubernetes.io/hostname', 'ScheduleAnyway'],
      ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
    ]);
    const custom = get(
      build({
        kind: 'Deployment',
        scheduling: { topologySpreadConstraints: [], nodeSelector: { pool: 'obs' }, tolerations: [{ key: 'obs', operator: 'Exists' }] },
      }),
      'Deployment',
      'demo-db',
    );
    expect(custom.spec.template.spec.topologySpreadConstraints ?? []).toEqual([]);
    // Every image is a Linux one: the OS selector stays beside the user's.
    expect(custom.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', pool: 'obs' });
    expect(custom.spec.template.spec.tolerations).toEqual([{ key: 'obs', operator: 'Exists' }]);
  });

  test('resource quantities survive the L1 serializer', () => {
    const dep = get(
      build({
        kind: 'Deployment',
        containers: [{ name: 'main', image: IMAGES.loki, resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } } }],
      }),
      'Deployment',
      'demo-db',
    );
    expect(dep.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } });
  });
});
