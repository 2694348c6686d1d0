import { App } from 'cdk8s';
import { parse } from 'yaml';
import { Footprint, ObservabilityPlatform, PlatformSpec, footprintOf } from '../../lib';
import { warningsOf } from '../../lib/core/warnings';
import { declareExternalService } from '../../lib/core/external';
import { Manifest, argsOf, dataOf, get, ofKind } from '../support/synth';

function platform(spec: PlatformSpec = {}) {
  const chart = new ObservabilityPlatform(new App(), 'platform', spec);
  return { chart, manifests: chart.toJson() as Manifest[] };
}

const GIB = 2 ** 30;
/** The bounds the dev profile promises: a 4 CPU / 8 GiB laptop cluster keeps room to spare. */
const DEV_BOUNDS = { cpu: 3, memoryBytes: 6 * GIB, storageBytes: 30 * GIB };

function expectWithinDevBounds(f: Footprint): void {
  expect({ cpu: f.cpu <= DEV_BOUNDS.cpu, memory: f.memoryBytes <= DEV_BOUNDS.memoryBytes, storage: f.storageBytes <= DEV_BOUNDS.storageBytes }).toEqual({
    cpu: true,
    memory: true,
    storage: true,
  });
}

describe('profile', () => {
  test('production is the default: the same output as no profile', () => {
    expect(platform({ profile: 'production' }).manifests).toEqual(platform().manifests);
  });

  test.each(['thanos', 'victoriametrics'] as const)(
    'dev with the %s backend stays within 3 CPU, 6 GiB and 30 GiB of volumes, with no warning of its own',
    (backend) => {
      const { chart, manifests } = platform({ profile: 'dev', metricsBackend: backend });
      const dev = footprintOf(manifests);
      expectWithinDevBounds(dev);
      // ... and is far smaller than production, so the bounds are not met by accident.
      const production = footprintOf(platform({ metricsBackend: backend }).manifests);
      expect(dev.cpu).toBeLessThan(production.cpu / 2);
      expect(dev.storageBytes).toBeLessThan(production.storageBytes / 4);
      // The profile adds no risk of its own: the same warnings as production (the example receiver's).
      expect(warningsOf(chart)).toEqual(warningsOf(platform({ metricsBackend: backend }).chart));
    },
  );

  test('dev runs one pod per workload and replicates nothing, consistently in every ring', () => {
    const { manifests } = platform({ profile: 'dev' });
    const counts = footprintOf(manifests)
      .workloads.filter((w) => w.kind !== 'PersistentVolumeClaim')
      .map((w) => `${w.name}=${w.pods}`);
    expect(counts.filter((c) => !c.endsWith('=1'))).toEqual([]);
    expect(parse(dataOf(get(manifests, 'ConfigMap', 'loki-config'))['config.yaml']).common.replication_factor).toBe(1);
    expect(argsOf(get(manifests, 'StatefulSet', 'thanos-receive'), 'thanos')).toContain('--receive.replication-factor=1');
    // With one replica nothing may be disrupted on purpose: no budget blocks a node drain.
    expect(ofKind(manifests, 'PodDisruptionBudget')).toEqual([]);
  });

  test('dev keeps every name and address of production, so no client changes when a platform grows up', () => {
    const key = (m: Manifest) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
    const dev = platform({ profile: 'dev' }).manifests.map(key);
    const production = new Set(
      platform()
        .manifests.filter((m) => m.kind !== 'PodDisruptionBudget')
        .map(key),
    );
    expect(dev.filter((k) => !production.has(k))).toEqual([]);
    expect([...production].filter((k) => !dev.includes(k))).toEqual([]);
  });

  test('a value the spec sets wins over the profile, false included, and resources are taken whole', () => {
    const { manifests } = platform({
      profile: 'dev',
      loki: { replicationFactor: 2, write: { replicas: 2 } },
      grafana: { resources: { requests: { cpu: '300m' } } },
      tempo: false,
    });
    expect(get(manifests, 'StatefulSet', 'loki-write').spec.replicas).toBe(2);
    expect(get(manifests, 'StatefulSet', 'loki-write').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('3Gi');
    expect(get(manifests, 'Deployment', 'loki-read').spec.replicas).toBe(1);
    expect(get(manifests, 'Deployment', 'grafana-server').spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '300m' } });
    // No Tempo, and so no OTLP gateway either: the profile never turns a component on.
    expect(manifests.filter((m) => m.metadata.name.startsWith('tempo') || m.metadata.name.startsWith('otel-gateway'))).toEqual([]);
  });

  test('dev with a given store makes no store of its own; the object store is a value, not merged', () => {
    const { chart } = platform({ profile: 'dev', metricsBackend: 'victoriametrics' });
    const storage = chart.storage;
    // That store runs in the first app; the second one names it as a peer it does not build.
    const app = new App();
    declareExternalService(app, 'seaweedfs.observability.svc.cluster.local:8333', 'the SeaweedFS of the first platform');
    const other = new ObservabilityPlatform(app, 'platform', { profile: 'dev', storage });
    const manifests = other.toJson() as Manifest[];
    expect(other.storage).toBe(storage);
    expect(manifests.filter((m) => m.metadata.name.startsWith('seaweedfs') || m.metadata.name.startsWith('minio'))).toEqual([]);
  });

  test('an unknown profile is refused with the property, the value and the fix', () => {
    expect(() => platform({ profile: 'staging' as any })).toThrow(
      '[platform] profile = "staging": is not a profile the platform has. Fix: set it to "dev" or "production".',
    );
  });
});
