import { checkEntryAuth } from './entry-auth';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { namespaceName } from '../core/rules';
import { checkAwsStorageProps } from '../object-storage/aws-storage';
import { MetricsBackendKind, PlatformSpec, PlatformTenant, embeddedStoreOf } from './spec';

/** Loki's tenants: the platform's `tenants`, or Loki's own, or one tenant "platform". */
export function resolveTenants(spec: PlatformSpec): readonly PlatformTenant[] {
  if (spec.loki?.authEnabled === false) return spec.loki.tenants ?? [];
  return spec.tenants ?? spec.loki?.tenants ?? [{ id: 'platform' }];
}

/** Checks the spec as a whole, before any component is made; every problem is reported at once. */
export function validateSpec(scope: Construct, spec: PlatformSpec, namespace: string, backend: MetricsBackendKind): void {
  const v = new Validator(scope);
  v.apply('namespace', namespace, namespaceName(namespace));
  checkEntryAuth(v, spec, resolveTenants(spec), backend);
  v.check(
    !(spec.aws && spec.storage),
    'aws',
    '(set)',
    'and storage are both set; the platform has one object store',
    'keep aws for S3 with a role per component, or storage for another store',
  );
  if (spec.aws) checkAwsStorageProps(v, spec.aws, 'aws.');
  checkEmbeddedStore(v, spec);
  if (spec.zones !== undefined)
    v.check(
      Number.isInteger(spec.zones) && spec.zones >= 1,
      'zones',
      spec.zones,
      'is not a number of zones',
      'give how many availability zones the nodes span, e.g. 3',
    );
  v.check(
    ['thanos', 'victoriametrics'].includes(backend),
    'metricsBackend',
    backend,
    'is not a metrics backend the platform runs',
    'set it to "thanos" or "victoriametrics"',
  );
  if (backend === 'thanos') {
    v.check(
      spec.victoriaMetrics === undefined,
      'victoriaMetrics',
      '(set)',
      'configures a backend that is not chosen, so it would be ignored',
      'set metricsBackend: "victoriametrics" or remove victoriaMetrics',
    );
  } else {
    v.check(
      spec.thanos === undefined,
      'thanos',
      '(set)',
      'configures a backend that is not chosen, so it would be ignored',
      'set metricsBackend: "thanos" or remove thanos',
    );
  }
  checkTenants(v, spec);
  checkDatasources(v, spec, backend);
  const jaeger = spec.tracesBackend === 'jaeger';
  v.check(
    ['tempo', 'jaeger', undefined].includes(spec.tracesBackend),
    'tracesBackend',
    spec.tracesBackend,
    'is not a traces backend the platform runs',
    'use "tempo" or "jaeger"',
  );
  v.check(
    !jaeger || spec.tempo === undefined || spec.tempo === false,
    'tempo',
    '(set)',
    'configures Tempo, and the traces backend is Jaeger, so it would be ignored',
    'remove tempo, or set tracesBackend: "tempo"',
  );
  v.check(
    jaeger || spec.jaeger === undefined,
    'jaeger',
    '(set)',
    'configures Jaeger, and the traces backend is Tempo, so it would be ignored',
    'set tracesBackend: "jaeger", or remove jaeger',
  );
  if (spec.tempo === false && !jaeger && spec.collectors?.otlp) {
    v.check(
      false,
      'collectors.otlp',
      '(set)',
      'is an OTLP gateway whose traces would have nowhere to go: tempo is false',
      'remove collectors.otlp, or keep Tempo',
    );
  }
  v.throwIfAny();
}

function checkTenants(v: Validator, spec: PlatformSpec): void {
  v.check(
    !(spec.tenants && spec.loki?.tenants),
    'tenants',
    spec.tenants?.map((t) => t.id).join(', '),
    'and loki.tenants are both set; Loki has one list of tenants',
    'keep tenants (the platform-wide list) and remove loki.tenants',
  );
  const ids = resolveTenants(spec).map((t) => t.id);
  const auth = spec.loki?.authEnabled ?? true;
  if (spec.logsTenant !== undefined && auth && ids.length > 0) {
    v.check(
      ids.includes(spec.logsTenant),
      'logsTenant',
      spec.logsTenant,
      `is not a tenant Loki knows (${ids.join(', ')}), so every log the platform ships would be refused or unreadable`,
      `use one of ${ids.map((i) => `"${i}"`).join(', ')}, or add { id: "${spec.logsTenant}" } to tenants`,
    );
  }
  v.check(
    !(spec.logsTenant !== undefined && !auth),
    'logsTenant',
    spec.logsTenant,
    'is set but Loki runs without tenants (loki.authEnabled: false), where every log is in one tenant',
    'remove logsTenant, or turn Loki auth on',
  );
}

function checkDatasources(v: Validator, spec: PlatformSpec, backend: MetricsBackendKind): void {
  const kinds = (spec.grafana || undefined)?.datasources ?? [];
  const running: Record<string, boolean> = {
    loki: true,
    thanos: backend === 'thanos',
    victoriametrics: backend === 'victoriametrics',
    tempo: spec.tempo !== false && spec.tracesBackend !== 'jaeger',
    jaeger: spec.tracesBackend === 'jaeger',
  };
  const runningList = Object.keys(running)
    .filter((k) => running[k])
    .map((k) => `"${k}"`)
    .join(', ');
  kinds.forEach((kind, i) => {
    if (!(kind in running)) {
      v.check(false, `grafana.datasources[${i}]`, kind, 'is not a backend the platform knows', `use one of ${runningList}`);
    } else if (!running[kind]) {
      const why =
        kind === 'tempo'
          ? spec.tracesBackend === 'jaeger'
            ? 'the traces backend is jaeger'
            : 'tempo is false'
          : kind === 'jaeger'
            ? 'the traces backend is tempo'
            : `the metrics backend is ${backend}`;
      v.check(
        false,
        `grafana.datasources[${i}]`,
        kind,
        `points at a backend that is not in the platform (${why}), so the datasource would only ever show errors`,
        `use one of ${runningList}, or run that backend`,
      );
    }
  });
}

/** One embedded store, chosen once: settings of the store not run are a mistake, not a no-op. */
function checkEmbeddedStore(v: Validator, spec: PlatformSpec): void {
  const chosen = spec.embeddedStore;
  if (chosen !== undefined) {
    v.check(
      chosen === 'seaweedfs' || chosen === 'minio',
      'embeddedStore',
      chosen,
      'is not a store the platform runs',
      'set it to "seaweedfs" (the default) or "minio"',
    );
    v.check(
      !spec.storage && !spec.aws,
      'embeddedStore',
      chosen,
      `is set, but the objects go to ${spec.aws ? 'aws' : 'storage'}, so no store runs in the cluster`,
      'remove embeddedStore, or remove storage and aws to run the store in the cluster',
    );
  }
  const store = embeddedStoreOf(spec);
  if (spec.seaweedfs !== undefined && store !== 'seaweedfs') {
    v.check(
      false,
      'seaweedfs',
      '(set)',
      store === 'minio'
        ? `is set, but the embedded store is MinIO (${chosen ? 'embeddedStore: "minio"' : 'because minio settings are given'})`
        : 'is set, but the objects go to storage or aws',
      store === 'minio' ? 'keep the settings of the store you run: seaweedfs, or minio with embeddedStore: "minio"' : 'remove seaweedfs',
    );
  }
  if (spec.minio !== undefined && store !== 'minio') {
    v.check(
      false,
      'minio',
      '(set)',
      store === 'seaweedfs' ? 'is set, but embeddedStore is "seaweedfs"' : 'is set, but the objects go to storage or aws',
      store === 'seaweedfs' ? 'remove minio, or set embeddedStore: "minio"' : 'remove minio',
    );
  }
}
