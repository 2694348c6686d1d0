import { Construct } from 'constructs';
import deepmerge from 'deepmerge';
import { Validator } from '../core/errors';
import { ResourceRequirements } from '../core/resources';
import { embeddedStoreOf } from './spec';
import type { PlatformProfile, PlatformSpec } from './spec';

const PROFILES: readonly string[] = ['dev', 'production'] satisfies PlatformProfile[];

/** Requests sized for a laptop; the limits leave room for bursts such as a compaction. */
function small(cpu: string, memory: string, limit: string): ResourceRequirements {
  return { requests: { cpu, memory }, limits: { memory: limit } };
}

/**
 * The dev profile as spec defaults: every value here gives way to one the spec sets. Only the
 * parts the spec runs get defaults, so that the profile never configures what the spec left out
 * (the backend not chosen, an OTLP gateway without Tempo, an embedded store beside another store).
 */
function devDefaults(spec: PlatformSpec): PlatformSpec {
  const thanos = (spec.metricsBackend ?? 'thanos') === 'thanos';
  const embedded = embeddedStoreOf(spec);
  return {
    ...(embedded === 'seaweedfs' ? { seaweedfs: DEV.seaweedfs } : {}),
    // Chosen by name, so MinIO's defaults do not make the choice (given `minio` settings mean MinIO).
    ...(embedded === 'minio' ? { minio: DEV.minio, embeddedStore: 'minio' as const } : {}),
    ...(thanos ? { thanos: DEV.thanos } : { victoriaMetrics: DEV.victoriaMetrics }),
    ...(spec.tempo === false ? {} : { tempo: DEV.tempo }),
    collectors: { logs: DEV.collectors?.logs, ...(spec.tempo === false ? {} : { otlp: DEV.collectors?.otlp }) },
    ...(spec.pushgateway ? { pushgateway: DEV.pushgateway } : {}),
    alertmanager: DEV.alertmanager,
    loki: DEV.loki,
    grafana: DEV.grafana,
    selfMonitoring: DEV.selfMonitoring,
  };
}

const DEV: PlatformSpec = {
  seaweedfs: { storageSize: '8Gi', resources: small('100m', '256Mi', '1Gi') },
  minio: { storageSize: '8Gi', resources: small('100m', '256Mi', '1Gi') },
  alertmanager: { replicas: 1, storageSize: '1Gi' },
  loki: {
    replicationFactor: 1,
    write: { replicas: 1, storageSize: '3Gi', resources: small('200m', '512Mi', '1Gi') },
    read: { replicas: 1, resources: small('100m', '256Mi', '1Gi') },
    backend: { replicas: 1, storageSize: '1Gi', resources: small('100m', '256Mi', '1Gi') },
    gateway: { replicas: 1 },
  },
  thanos: {
    receive: { replicas: 1, replicationFactor: 1, storageSize: '3Gi', resources: small('200m', '512Mi', '1Gi') },
    query: { replicas: 1, resources: small('100m', '256Mi', '1Gi') },
    queryFrontend: { replicas: 1, inMemoryCacheSize: '64MB', resources: small('50m', '128Mi', '512Mi') },
    store: { replicas: 1, storageSize: '1Gi', inMemoryIndexCacheSize: '64MB', resources: small('100m', '256Mi', '1Gi') },
    compactor: { storageSize: '3Gi', resources: small('100m', '256Mi', '1Gi') },
    ruler: { replicas: 1, storageSize: '1Gi', resources: small('50m', '128Mi', '512Mi') },
  },
  victoriaMetrics: {
    replicationFactor: 1,
    vmstorage: { replicas: 1, storageSize: '5Gi', resources: small('200m', '512Mi', '1Gi') },
    vminsert: { replicas: 1, resources: small('100m', '128Mi', '512Mi') },
    vmselect: { replicas: 1, resources: small('100m', '256Mi', '1Gi') },
  },
  tempo: { storageSize: '2Gi', resources: small('200m', '512Mi', '2Gi') },
  grafana: { resources: small('100m', '256Mi', '1Gi') },
  collectors: {
    logs: { shards: 1, resources: small('50m', '128Mi', '512Mi') },
    otlp: { replicas: 1, resources: small('100m', '256Mi', '512Mi') },
  },
  selfMonitoring: { replicas: 1, storageSize: '2Gi', resources: small('100m', '256Mi', '1Gi') },
  pushgateway: { storageSize: '1Gi' },
};

/** Plain objects merge; class instances (an ObjectStorage, a construct) are values, kept as given. */
function isPlainObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The spec with its profile's defaults under it. A value the spec sets wins, `false` included (a
 * profile never turns a component on), and `resources` is taken whole, as every construct takes
 * it, so a spec's own requests never inherit the profile's limits.
 */
export function applyProfile(scope: Construct, spec: PlatformSpec): PlatformSpec {
  const profile = spec.profile ?? 'production';
  const v = new Validator(scope);
  v.check(PROFILES.includes(profile), 'profile', profile, 'is not a profile the platform has', `set it to ${PROFILES.map((p) => `"${p}"`).join(' or ')}`);
  v.throwIfAny();
  if (profile === 'production') return spec;
  return deepmerge<PlatformSpec>(devDefaults(spec), spec, {
    isMergeableObject: isPlainObject,
    arrayMerge: (_defaults, given) => given,
    customMerge: (key) => (key === 'resources' ? (_defaults: unknown, given: unknown) => given : undefined),
  });
}
