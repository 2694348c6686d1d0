import { IConstruct } from 'constructs';
import { AlertmanagerEndpoint } from '../core/alerting';
import { ImageRef } from '../core/images';
import { WorkloadOptions } from '../core/workload';
import { MemcachedOptions } from '../memcached/memcached';
import { chooseBucket } from '../object-storage/bucket-name';
import { ObjectStorage } from '../object-storage/object-storage';
import { clusterDomainOf } from '../core/cluster-domain';
import { LokiLimits } from './limits';
import { RuleGroup } from '../core/rule-groups';
import { AutoscalingOptions } from '../core/autoscaling';

/** Options shared by the read, write, backend and gateway roles. */
export interface LokiRoleOptions extends WorkloadOptions {
  /** Number of pods. @default 3 (gateway: 2) */
  readonly replicas?: number;
}

/**
 * Options of a component that holds no data and is in no ring whose members own data (read,
 * gateway; distributor, querier, query-frontend): the only ones an autoscaler may size, since
 * removing one of their pods loses nothing.
 */
export interface LokiStatelessOptions extends LokiRoleOptions {
  /** A HorizontalPodAutoscaler owns the replica count, between these bounds. @default none (fixed `replicas`) */
  readonly autoscaling?: AutoscalingOptions;
}

/** Options of the roles that keep data on a volume (write, backend). */
export interface LokiStatefulRoleOptions extends LokiRoleOptions {
  /** Size of each pod's `data` volume. @default "10Gi" */
  readonly storageSize?: string;
  /** Storage class of the `data` volumes. @default the cluster default */
  readonly storageClass?: string;
}

/** The nginx gateway in front of the three roles. */
export interface LokiGatewayOptions extends LokiStatelessOptions {
  /**
   * Name of an existing Secret with an htpasswd file (key `.htpasswd`) whose user names are the
   * tenant ids. With it, the gateway requires basic auth and sets `X-Scope-OrgID` to the user.
   * Without it, clients send `X-Scope-OrgID` themselves.
   * @default no basic auth
   */
  readonly basicAuthSecret?: string;
  /**
   * Name of an existing Secret with one key per tenant id, holding that tenant's password in plain
   * text (the htpasswd Secret holds only its hash). Every client the library wires to the gateway
   * (Alloy, the OpenTelemetry Collector, promtail, Grafana) sends its tenant's password from it,
   * by reference: no password is ever written into the output. Needs `basicAuthSecret`.
   * @default none: every client wired to a basic-auth gateway is refused at synth
   */
  readonly clientPasswordsSecret?: string;
  /**
   * The DNS server nginx resolves the role Services with at request time.
   * @default "kube-dns.kube-system.svc.<clusterDomain>"
   */
  readonly dnsResolver?: string;
}

/** A tenant of a multi-tenant Loki. */
export interface LokiTenant {
  /** Tenant id, sent as `X-Scope-OrgID` (and the basic-auth user name at the gateway). */
  readonly id: string;
  /** Retention of this tenant's logs, overriding the cluster's. @default the cluster retention */
  readonly retention?: string;
  /** This tenant's limits, over the cluster's (the runtime config: changed without a restart). @default the cluster's */
  readonly limits?: LokiLimits;
  /**
   * This tenant's LogQL alerting and recording rules, as code: the ruler reads them from a
   * ConfigMap (reloaded without a restart), and its alerts go to the cluster's Alertmanager.
   * With rules as code on any tenant, the ruler takes its rules from the ConfigMap only: the rules
   * API becomes read-only. Each expression is checked at synth (LogQL syntax, a metric query).
   * @default none (rules uploaded through the ruler API, kept in the ruler bucket)
   */
  readonly ruleGroups?: readonly RuleGroup[];
}

/**
 * How Loki's components are deployed:
 * - `simple-scalable`: the read, write and backend targets. Loki 4 removes them.
 * - `ha-monolithic`: N pods of `-target=all` with replication factor 3, one of them the main
 *   compactor (its own StatefulSet, `<name>-all-main`) and the rest compactor workers. The
 *   compactor's horizontal scaling is experimental in Loki 3.7.6.
 * - `distributed`: every component its own workload (distributor, ingester, querier,
 *   query-frontend, query-scheduler, index-gateway, compactor, ruler).
 */
export type LokiMode = 'simple-scalable' | 'ha-monolithic' | 'distributed';

/**
 * A staged move from Simple Scalable to `mode`, following Loki's migration guides: each stage is
 * applied, and seen healthy, before the next.
 * - 1: prepare the running Simple Scalable deployment (flush and leave the rings on shutdown).
 * - 2: the new components run beside it, in the same rings, on the same buckets and schema; the
 *   gateway still sends everything to Simple Scalable.
 * - 3: cut-over: the gateway sends everything to the new components, and the Simple Scalable
 *   workloads go to zero replicas (the write pods flush as they stop).
 * Then drop `migration`: the Simple Scalable objects are removed.
 */
export interface LokiMigration {
  /** The mode running now. */
  readonly from: 'simple-scalable';
  /** The stage to apply: 1 (prepare), 2 (side by side) or 3 (cut-over). */
  readonly stage: 1 | 2 | 3;
}

/** Options of one distributed component. */
export type LokiComponentOptions = LokiRoleOptions;

/** The components of `distributed` mode, each with its own options. */
export interface LokiDistributedOptions {
  /** @default 3 replicas */
  readonly distributor?: LokiStatelessOptions;
  /** A StatefulSet with its WAL on a volume. @default 3 replicas, 10Gi */
  readonly ingester?: LokiStatefulRoleOptions;
  /** @default 3 replicas */
  readonly querier?: LokiStatelessOptions;
  /** @default 2 replicas */
  readonly queryFrontend?: LokiStatelessOptions;
  /** @default 2 replicas */
  readonly queryScheduler?: LokiComponentOptions;
  /** A StatefulSet with the index cache on a volume. @default 2 replicas, 10Gi */
  readonly indexGateway?: LokiStatefulRoleOptions;
  /** One pod: a single compactor may run on the buckets. @default 1 replica, 10Gi */
  readonly compactor?: Omit<LokiStatefulRoleOptions, 'replicas'>;
  /** A StatefulSet with its WAL on a volume. @default 2 replicas, 10Gi */
  readonly ruler?: LokiStatefulRoleOptions;
}

/** Props of {@link LokiCluster}. */
export interface LokiClusterProps {
  /** Namespace of every object. */
  readonly namespace: string;
  /** Instance name, prefix of every object name (`<name>-write`, `<name>-gateway`, ...). @default "loki" */
  readonly name?: string;
  /** Where chunks, index and rules are stored. Required: Loki cannot run without object storage. */
  readonly storage: ObjectStorage;
  /**
   * Bucket names. Loki never creates buckets: they must exist (MinIO's Job or the cdktf stack makes them).
   * @default `<name>-chunks` and `<name>-ruler`, prefixed on AWS (AwsStorage's namePrefix, S3Storage's bucketPrefix)
   */
  readonly buckets?: { readonly chunks?: string; readonly ruler?: string };
  /**
   * How the components are deployed. The endpoints (`pushUrl`, `queryUrl`), tenants, storage,
   * retention and caches are the same in every mode, so switching mode changes no client.
   * `ha-monolithic` is experimental in Loki 3.7.6 (its compactor's horizontal scaling).
   * @default "simple-scalable"
   */
  readonly mode?: LokiMode;
  /** A staged move to `mode` from a running Simple Scalable deployment. @default none */
  readonly migration?: LokiMigration;
  /** The `-target=all` pods of `ha-monolithic` mode, the main compactor included. @default 3 replicas, 10Gi */
  readonly monolithic?: LokiStatefulRoleOptions;
  /** The components of `distributed` mode. @default each component's own */
  readonly distributed?: LokiDistributedOptions;
  /** How many ingesters receive each stream. Must not exceed the pods that ingest (write, monolithic or ingester replicas). @default 3 */
  readonly replicationFactor?: number;
  /**
   * Zone-aware replication over these zones (values of `topology.kubernetes.io/zone`): the pods
   * that ingest run in them, spread evenly, and each stream's copies go to distinct zones, so a
   * zone's loss loses no copy quorum. Each pod learns its zone from its node, whose zone label
   * Kubernetes copies to the pod when it is bound (the PodTopologyLabels admission, beta and on
   * by default in Kubernetes 1.36): one StatefulSet still rolls one pod at a time, never two zones
   * at once. The replication factor may not exceed the zones. Not part of a migration.
   * @default none (copies on distinct nodes, zones only as a spreading preference)
   */
  readonly zones?: readonly string[];
  /** The write role (distributor, ingester): a StatefulSet with its WAL on a volume. @default 3 replicas, 10Gi */
  readonly write?: LokiStatefulRoleOptions;
  /** The read role (query-frontend, querier): a stateless Deployment. @default 3 replicas */
  readonly read?: LokiStatelessOptions;
  /** The backend role (compactor, index gateway, scheduler, ruler): a StatefulSet. @default 3 replicas, 10Gi */
  readonly backend?: LokiStatefulRoleOptions;
  /** The nginx gateway. @default 2 replicas, no basic auth */
  readonly gateway?: LokiGatewayOptions;
  /** How long logs are kept; at least 24h (Loki's minimum). @default "744h" (31 days) */
  readonly retention?: string;
  /** Limits of every tenant (`limits_config`); a tenant's own `limits` win. @default Loki's, with 32 parallel sub-queries */
  readonly limits?: LokiLimits;
  /** Require a tenant (`X-Scope-OrgID`) on every request. When false, all data is in tenant "fake". @default true */
  readonly authEnabled?: boolean;
  /** Known tenants, with per-tenant retention. Required with gateway basic auth. @default none */
  readonly tenants?: readonly LokiTenant[];
  /** A memcached cache for chunks. @default none (Loki's embedded cache) */
  readonly chunksCache?: MemcachedOptions;
  /** A memcached cache for query results. @default none (Loki's embedded cache) */
  readonly resultsCache?: MemcachedOptions;
  /**
   * The Alertmanager the ruler sends the alerts of tenants' rules to: every pod, found by SRV
   * lookup (an {@link Alertmanager}'s `endpoint`). @default none
   */
  readonly alertmanager?: AlertmanagerEndpoint;
  /**
   * Alertmanager URL(s) outside the app, comma separated, when `alertmanager` is not given.
   * Without either, the alerts of tenants' rules reach no one, which the synth warns about.
   * @default none
   */
  readonly alertmanagerUrl?: string;
  /** Date (YYYY-MM-DD) from which schema v13 / TSDB applies. Never change it once data is written. @default "2024-04-01" */
  readonly schemaFrom?: string;
  /** Send anonymous usage statistics to Grafana Labs. @default false */
  readonly usageReporting?: boolean;
  /** Config deep-merged over the generated Loki config (arrays replace). @default none */
  readonly configOverrides?: Record<string, unknown>;
  /** Image of the read, write and backend pods. @default the pinned Loki image */
  readonly image?: ImageRef;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * The props with every default filled in: the only shape the rest of the construct reads.
 * @internal
 */
export interface ResolvedLokiProps {
  readonly namespace: string;
  readonly name: string;
  readonly storage: ObjectStorage | undefined;
  /** Unset only when the storage cannot choose one (AWS without a prefix); validation reports it. */
  readonly buckets: { readonly chunks: string; readonly ruler: string };
  /** The bucket names as the user gave them. */
  readonly bucketsGiven?: { readonly chunks?: string; readonly ruler?: string };
  readonly mode: LokiMode;
  readonly migration?: LokiMigration;
  /** Which option groups the user gave, so that options of a mode the cluster does not run are refused. */
  readonly given: { readonly write: boolean; readonly read: boolean; readonly backend: boolean; readonly monolithic: boolean; readonly distributed: boolean };
  readonly monolithic: Sized<LokiStatefulRoleOptions>;
  readonly distributed: { readonly [K in keyof LokiDistributedOptions]-?: Sized<LokiComponentShape> };
  readonly replicationFactor: number;
  readonly zones?: readonly string[];
  readonly write: LokiStatefulRoleOptions & { readonly replicas: number; readonly storageSize: string };
  readonly read: LokiStatelessOptions & { readonly replicas: number };
  readonly backend: LokiStatefulRoleOptions & { readonly replicas: number; readonly storageSize: string };
  readonly gateway: LokiGatewayOptions & { readonly replicas: number; readonly dnsResolver: string };
  readonly retention: string;
  readonly limits?: LokiLimits;
  readonly authEnabled: boolean;
  readonly tenants: readonly LokiTenant[];
  readonly chunksCache?: MemcachedOptions;
  readonly resultsCache?: MemcachedOptions;
  readonly alertmanager?: AlertmanagerEndpoint;
  readonly alertmanagerUrl?: string;
  readonly schemaFrom: string;
  readonly usageReporting: boolean;
  readonly configOverrides?: Record<string, unknown>;
  readonly image?: ImageRef;
  readonly clusterDomain: string;
}

/** The options any Loki component may carry (each type above takes its part). */
export type LokiComponentShape = LokiStatefulRoleOptions & LokiStatelessOptions;

/** A component's options with its replicas and volume size filled in. */
export type Sized<T> = T & { readonly replicas: number; readonly storageSize: string };

/** The replicas of each distributed component when none are given. */
const DISTRIBUTED_REPLICAS: { readonly [K in keyof LokiDistributedOptions]-?: number } = {
  distributor: 3,
  ingester: 3,
  querier: 3,
  queryFrontend: 2,
  queryScheduler: 2,
  indexGateway: 2,
  compactor: 1,
  ruler: 2,
};

/** Fills in every default, in one place. */
export function resolveLokiProps(scope: IConstruct, props: LokiClusterProps): ResolvedLokiProps {
  const name = props.name ?? 'loki';
  const clusterDomain = clusterDomainOf(scope, props.clusterDomain);
  return {
    ...props,
    name,
    clusterDomain,
    bucketsGiven: props.buckets,
    buckets: {
      chunks: chooseBucket(props.buckets?.chunks, props.storage, `${name}-chunks`)!,
      ruler: chooseBucket(props.buckets?.ruler, props.storage, `${name}-ruler`)!,
    },
    mode: props.mode ?? 'simple-scalable',
    given: {
      write: props.write !== undefined,
      read: props.read !== undefined,
      backend: props.backend !== undefined,
      monolithic: props.monolithic !== undefined,
      distributed: props.distributed !== undefined,
    },
    monolithic: { ...props.monolithic, replicas: props.monolithic?.replicas ?? 3, storageSize: props.monolithic?.storageSize ?? '10Gi' },
    distributed: Object.fromEntries(
      Object.entries(DISTRIBUTED_REPLICAS).map(([component, replicas]) => {
        const options: LokiComponentShape = props.distributed?.[component as keyof LokiDistributedOptions] ?? {};
        return [component, { ...options, replicas: options.replicas ?? replicas, storageSize: options.storageSize ?? '10Gi' }];
      }),
    ) as ResolvedLokiProps['distributed'],
    replicationFactor: props.replicationFactor ?? 3,
    write: { ...props.write, replicas: props.write?.replicas ?? 3, storageSize: props.write?.storageSize ?? '10Gi' },
    read: { ...props.read, replicas: props.read?.replicas ?? 3 },
    backend: { ...props.backend, replicas: props.backend?.replicas ?? 3, storageSize: props.backend?.storageSize ?? '10Gi' },
    gateway: {
      ...props.gateway,
      replicas: props.gateway?.replicas ?? 2,
      dnsResolver: props.gateway?.dnsResolver ?? `kube-dns.kube-system.svc.${clusterDomain}`,
    },
    retention: props.retention ?? '744h',
    authEnabled: props.authEnabled ?? true,
    tenants: props.tenants ?? [],
    schemaFrom: props.schemaFrom ?? '2024-04-01',
    usageReporting: props.usageReporting ?? false,
  };
}
