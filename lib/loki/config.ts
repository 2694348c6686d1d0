import { dskitClientTls, dskitGrpcServerTls } from '../core/dskit-tls';
import { PLATFORM_CA_FILE, SERVING_CERT_FILE, SERVING_KEY_FILE } from '../core/serving-tls';
import { AlertmanagerEndpoint, lokiAlertmanagerUrl, alertmanagerHost } from '../core/alerting';
import { mergeOverrides } from '../core/config-file';
import { ACCESS_KEY_ENV, SECRET_KEY_ENV } from '../object-storage/credentials';
import { ObjectStorage } from '../object-storage/object-storage';
import { lokiLimitsConfig } from './limits';
import { RULES_DIR } from './rules';
import { ResolvedLokiProps } from './props';
import { LOKI_DELETE_DELAY } from './storage';

/** Ports every Loki role listens on. */
export const LOKI_PORTS = { http: 3100, grpc: 9095, memberlist: 7946 } as const;
/** Where the roles keep their data (WAL, TSDB shipper dirs, compactor work dir). */
export const DATA_DIR = '/var/loki';
export const CONFIG_DIR = '/etc/loki/config';
export const RUNTIME_CONFIG_DIR = '/etc/loki/runtime-config';

/** A memcached cache: every pod by SRV lookup, and the name its certificate carries when it serves TLS. */
export interface CacheAddress {
  readonly srv: string;
  readonly tlsServerName?: string;
}

/** The DNS names the config points at; built by the construct from the Services it emits. */
export interface LokiAddresses {
  readonly memberlist: string;
  /** The label every message of this ring carries. */
  readonly gossipClusterLabel: string;
  /** The (main) compactor's Service: delete requests and, for workers, compaction jobs (gRPC). */
  readonly compactor: string;
  /** The headless Service of the index gateways queriers ask, when the mode runs them apart. */
  readonly indexGateway?: string;
  /** The query-scheduler frontends and queriers use, when the mode runs it apart (else its ring finds it). */
  readonly queryScheduler?: string;
  /** The compactors are workers of a main one (which its flag makes main): ha-monolithic. */
  readonly compactorWorkers?: boolean;
  readonly chunksCache?: CacheAddress;
  readonly resultsCache?: CacheAddress;
  /**
   * Serving TLS: every role serves HTTPS and mutual-TLS gRPC from the certificate it mounts, which
   * also carries this name, the one the roles' gRPC clients check (see dskit-tls).
   */
  readonly tls?: { readonly peerName: string };
}

/** The env var that carries the password of the ruler's Alertmanager login into the backend pods. */
export const ALERTMANAGER_PASSWORD_ENV = 'ALERTMANAGER_PASSWORD';

/**
 * The S3 client of one bucket in the Thanos-objstore form (`storage_config.object_store.s3`,
 * `ruler_storage.s3`): the only form Loki 4 keeps, valid since 3.4, so upgrading Loki needs no
 * config change. It reads the same objects as the legacy client did.
 */
function s3Block(storage: ObjectStorage, bucket: string): Record<string, unknown> {
  return {
    bucket_name: bucket,
    // host[:port] only (minio-go): the explicit endpoint or AWS's regional one.
    endpoint: storage.endpointHost,
    region: storage.region,
    insecure: storage.insecure,
    bucket_lookup_type: storage.forcePathStyle ? 'path' : 'auto',
    // A store served with the platform's CA: trusted by ca.crt of the certificate the pods mount.
    ...(storage.platformCa ? { http: { tls_ca_path: PLATFORM_CA_FILE } } : {}),
    // Keys come from the environment (a Secret), expanded by -config.expand-env; never written here.
    // Without them (IRSA, Pod Identity) the client finds the pod's cloud identity by itself.
    ...(storage.credentials.usesStaticKeys ? { access_key_id: `\${${ACCESS_KEY_ENV}}`, secret_access_key: `\${${SECRET_KEY_ENV}}` } : {}),
  };
}

/** The one Loki config file all three roles share; the role comes from `-target`. */
export function buildLokiConfig(p: ResolvedLokiProps, storage: ObjectStorage, addr: LokiAddresses): Record<string, unknown> {
  const config: Record<string, unknown> = {
    auth_enabled: p.authEnabled,
    server: {
      http_listen_port: LOKI_PORTS.http,
      grpc_listen_port: LOKI_PORTS.grpc,
      log_level: 'info',
      // Each role mounts its own certificate at the same path; gossip stays as it is (see dskit-tls).
      ...(addr.tls
        ? { http_tls_config: { cert_file: SERVING_CERT_FILE, key_file: SERVING_KEY_FILE }, ...dskitGrpcServerTls(), tls_min_version: 'VersionTLS12' }
        : {}),
    },
    memberlist: { join_members: [`${addr.memberlist}:${LOKI_PORTS.memberlist}`], bind_port: LOKI_PORTS.memberlist, cluster_label: addr.gossipClusterLabel },
    common: {
      path_prefix: DATA_DIR,
      replication_factor: p.replicationFactor,
      compactor_grpc_address: `${addr.compactor}:${LOKI_PORTS.grpc}`,
    },
    schema_config: {
      configs: [{ from: p.schemaFrom, store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'index_', period: '24h' } }],
    },
    storage_config: {
      use_thanos_objstore: true,
      object_store: { s3: s3Block(storage, p.buckets.chunks) },
      // Without index gateways apart (ha-monolithic), each pod reads the index itself.
      ...(addr.indexGateway ? { tsdb_shipper: { index_gateway_client: { server_address: `dns+${addr.indexGateway}:${LOKI_PORTS.grpc}` } } } : {}),
    },
    // An ingester that stops flushes what it holds and leaves the ring: what a rollout, a
    // scale-down and every stage of a migration rely on not to lose a line.
    ingester: {
      wal: { dir: `${DATA_DIR}/wal`, flush_on_shutdown: true },
      // With zones, each copy of a stream goes to another zone (each ingester's zone is its flag).
      lifecycler: { unregister_on_shutdown: true, ...(p.zones ? { ring: { zone_awareness_enabled: true } } : {}) },
    },
    ...(addr.queryScheduler ? schedulerAddresses(addr.queryScheduler) : {}),
    ruler: {
      enable_api: true,
      rule_path: `${DATA_DIR}/rules-temp`,
      wal: { dir: `${DATA_DIR}/ruler-wal` },
      ...alertingConfig(p),
    },
    // The ruler's bucket (with the Thanos-objstore clients, ruler_storage replaces ruler.storage),
    // or with rules as code the mounted directory, one folder per tenant.
    ruler_storage: rulesAsCode(p) ? { backend: 'local', local: { directory: RULES_DIR } } : { backend: 's3', s3: s3Block(storage, p.buckets.ruler) },
    compactor: {
      working_directory: `${DATA_DIR}/compactor`,
      retention_enabled: true,
      // Required with retention: where delete requests are kept.
      delete_request_store: 's3',
      retention_delete_delay: LOKI_DELETE_DELAY,
      ...(addr.compactorWorkers ? { horizontal_scaling_mode: 'worker' } : {}),
    },
    limits_config: {
      retention_period: p.retention,
      reject_old_samples: true,
      reject_old_samples_max_age: '168h',
      max_query_parallelism: 32,
      split_queries_by_interval: '1h',
      ...lokiLimitsConfig(p.limits),
    },
    runtime_config: { file: `${RUNTIME_CONFIG_DIR}/runtime-config.yaml` },
    analytics: { reporting_enabled: p.usageReporting },
    ...cacheConfig(addr),
  };
  const withTls = addr.tls ? mergeOverrides(config, grpcClientTls(addr.tls.peerName)) : config;
  return mergeOverrides(withTls, p.configOverrides);
}

/** Frontends enqueue to, and queriers pull from, the query-schedulers of one Service (no scheduler ring). */
function schedulerAddresses(scheduler: string): Record<string, unknown> {
  const address = `${scheduler}:${LOKI_PORTS.grpc}`;
  return { frontend: { scheduler_address: address }, frontend_worker: { scheduler_address: address } };
}

/**
 * Every gRPC client of Loki 3.7.6, so that a component turned on by an override (pattern ingester,
 * blooms, remote rule evaluation) talks to a mutual-TLS server too. Left out: Bigtable (a Google
 * service), the boltdb shipper (not in the schema), and the querier's `frontend_worker.grpc_client_config`,
 * which Loki refuses beside the two blocks that replace it.
 */
export const LOKI_GRPC_CLIENTS = [
  'ingester_client.grpc_client_config',
  'frontend.grpc_client_config',
  'frontend_worker.query_frontend_grpc_client',
  'frontend_worker.query_scheduler_grpc_client',
  'query_scheduler.grpc_client_config',
  'ruler.ruler_client',
  'ruler.evaluation.query_frontend',
  'compactor_grpc_client',
  'storage_config.tsdb_shipper.index_gateway_client.grpc_client_config',
  'pattern_ingester.client_config.grpc_client_config',
  'bloom_gateway.client.grpc_client_config',
  'bloom_build.builder.grpc_config',
  'ingest_limits_frontend.client_config.grpc_client_config',
  'ingest_limits_frontend_client.grpc_client_config',
] as const;

/** The TLS keys of each of {@link LOKI_GRPC_CLIENTS}, as config to merge over the rest. */
function grpcClientTls(peerName: string): Record<string, unknown> {
  const tls = dskitClientTls(peerName);
  const at = (path: string) => path.split('.').reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), tls);
  return LOKI_GRPC_CLIENTS.reduce<Record<string, unknown>>((overlay, path) => mergeOverrides(overlay, at(path)), {});
}

/**
 * Where the ruler sends alerts. A library Alertmanager is reached pod by pod through its SRV
 * record; the v2 API is the only one Alertmanager 0.27+ serves, and Loki 3.7 still defaults to v1.
 */
function alertingConfig(p: ResolvedLokiProps): Record<string, unknown> {
  if (p.alertmanager) {
    return {
      alertmanager_url: lokiAlertmanagerUrl(p.alertmanager),
      enable_alertmanager_discovery: true,
      alertmanager_refresh_interval: '1m',
      enable_alertmanager_v2: true,
      // The certificates of the Alertmanager pods come from the platform's CA, which the backend pods mount.
      // Discovery may dial pod IPs, which no certificate names: the headless Service's name is checked instead.
      ...alertmanagerClient(p.alertmanager),
    };
  }
  return p.alertmanagerUrl ? { alertmanager_url: p.alertmanagerUrl, enable_alertmanager_v2: true } : {};
}

/**
 * The ruler's client settings for a library Alertmanager: the platform's CA when it serves HTTPS,
 * and its login, the password expanded from the environment (-config.expand-env) of the backend
 * pods, never written here.
 */
function alertmanagerClient(am: AlertmanagerEndpoint): Record<string, unknown> {
  const client = {
    ...(am.https ? { tls_ca_path: PLATFORM_CA_FILE, tls_server_name: alertmanagerHost(am) } : {}),
    ...(am.basicAuth ? { basic_auth_username: am.basicAuth.username, basic_auth_password: `\${${ALERTMANAGER_PASSWORD_ENV}}` } : {}),
  };
  return Object.keys(client).length > 0 ? { alertmanager_client: client } : {};
}

function cacheConfig(addr: LokiAddresses): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (addr.chunksCache) {
    out.chunk_store_config = { chunk_cache_config: { memcached_client: memcachedClient(addr.chunksCache) } };
  }
  if (addr.resultsCache) {
    out.query_range = { cache_results: true, results_cache: { cache: { memcached_client: memcachedClient(addr.resultsCache) } } };
  }
  return out;
}

/** A memcached client block; over mutual TLS when the cache serves it. */
function memcachedClient(cache: CacheAddress): Record<string, unknown> {
  return { addresses: cache.srv, timeout: '500ms', ...(cache.tlsServerName ? dskitClientTls(cache.tlsServerName) : {}) };
}

/** Whether any tenant keeps its rules as code (then the ruler reads them all from the mounted ConfigMap). */
export function rulesAsCode(p: ResolvedLokiProps): boolean {
  return p.tenants.some((t) => (t.ruleGroups?.length ?? 0) > 0);
}

/** The runtime config (reloaded without restart): each tenant's retention and limits over the cluster's. */
export function buildRuntimeConfig(p: ResolvedLokiProps): Record<string, unknown> {
  const perTenant = p.tenants.map(
    (t) => [t.id, { ...(t.retention !== undefined ? { retention_period: t.retention } : {}), ...lokiLimitsConfig(t.limits) }] as const,
  );
  return { overrides: Object.fromEntries(perTenant.filter(([, limits]) => Object.keys(limits).length > 0)) };
}
