import { describeFootprint, footprintOf, parseQuantity } from '../../lib';

const GIB = 2 ** 30;

describe('parseQuantity', () => {
  test.each([
    ['250m', 0.25],
    ['2', 2],
    ['1.5', 1.5],
    ['512Mi', 512 * 2 ** 20],
    ['10Gi', 10 * GIB],
    ['2G', 2e9],
    ['1e3', 1000],
    ['100k', 1e5],
    [3, 3],
  ])('%s is %d', (quantity, value) => {
    expect(parseQuantity(quantity)).toBeCloseTo(value, 9);
  });

  test.each(['', '1.5.2', '10GB', 'Gi', '5 cores'])('refuses "%s"', (quantity) => {
    expect(() => parseQuantity(quantity)).toThrow('is not a Kubernetes quantity');
  });
});

describe('footprintOf', () => {
  const container = (cpu: string, memory: string, extra: object = {}) => ({ resources: { requests: { cpu, memory } }, ...extra });
  const pod = (spec: object) => ({ template: { spec } });

  test('counts replicas, the autoscaler minimum, one pod per DaemonSet, claims per replica, and leaves Jobs out', () => {
    const f = footprintOf([
      {
        kind: 'StatefulSet',
        metadata: { name: 'db' },
        spec: {
          replicas: 3,
          ...pod({ containers: [container('500m', '1Gi'), container('100m', '128Mi')] }),
          volumeClaimTemplates: [{ spec: { resources: { requests: { storage: '10Gi' } } } }],
        },
      },
      { kind: 'Deployment', metadata: { name: 'web' }, spec: pod({ containers: [container('1', '256Mi')] }) },
      { kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 2 } },
      { kind: 'DaemonSet', metadata: { name: 'agent' }, spec: pod({ containers: [container('50m', '64Mi')] }) },
      { kind: 'Job', metadata: { name: 'setup' }, spec: pod({ containers: [container('4', '8Gi')] }) },
      { kind: 'PersistentVolumeClaim', metadata: { name: 'shared' }, spec: { resources: { requests: { storage: '5Gi' } } } },
      { kind: 'ConfigMap', metadata: { name: 'x' } },
    ]);
    expect(f.workloads.map((w) => `${w.kind}/${w.name}:${w.pods}`)).toEqual([
      'StatefulSet/db:3',
      'Deployment/web:2',
      'DaemonSet/agent:1',
      'PersistentVolumeClaim/shared:0',
    ]);
    expect(f.cpu).toBeCloseTo(3 * 0.6 + 2 * 1 + 0.05, 9);
    expect(f.memoryBytes).toBe(3 * (GIB + 128 * 2 ** 20) + 2 * 256 * 2 ** 20 + 64 * 2 ** 20);
    expect(f.storageBytes).toBe(3 * 10 * GIB + 5 * GIB);
    expect(f.pods).toBe(6);
  });

  test('a pod reserves the larger of its containers and its largest init container; sidecars add up', () => {
    const f = footprintOf([
      {
        kind: 'Deployment',
        metadata: { name: 'a' },
        spec: { replicas: 1, ...pod({ containers: [container('100m', '100Mi')], initContainers: [container('2', '50Mi'), container('200m', '1Gi')] }) },
      },
      {
        kind: 'Deployment',
        metadata: { name: 'b' },
        spec: { replicas: 1, ...pod({ containers: [container('100m', '100Mi')], initContainers: [container('300m', '10Mi', { restartPolicy: 'Always' })] }) },
      },
    ]);
    expect(f.workloads.map((w) => [w.cpu, w.memoryBytes / 2 ** 20])).toEqual([
      [2, 1024],
      [0.4, 110],
    ]);
  });

  test('describes a footprint in one line, rounded to hundredths', () => {
    expect(describeFootprint({ cpu: 1.854, memoryBytes: 4.4375 * GIB, storageBytes: 26 * GIB })).toBe('1.85 CPU, 4.44 GiB memory, 26 GiB volumes requested');
  });
});
