import { ServingTls, setServingTls } from '../core/serving-tls';
import { Construct } from 'constructs';
import { Certificate } from '../../imports/certificate-cert-manager.io';
import { ThanosGrpcTls, emitGrpcCertificate, setThanosGrpcTls } from './grpc-tls';
import { ThanosTenantGateway, ThanosTenantGatewayOptions } from './tenant-gateway';
import { requireProps } from '../core/check-options';
import { Validator } from '../core/errors';
import { DashboardDefinition, DashboardProvider, DatasourceContext, DatasourceDefinition, DatasourceProvider } from '../core/grafana-provisioning';
import { ScrapeTarget } from '../core/scrape-target';
import { thanosDashboard } from './dashboard';
import { metricsDatasource } from '../core/grafana-datasources';
import { RemoteWriteTarget } from '../core/remote-write';
import { ObjectStorage } from '../object-storage/object-storage';
import { ThanosBucket } from './bucket';
import { thanosIdentity } from './component';
import { StoreApiEndpoint, ThanosComponentOptions } from './common';
import { ThanosCompactor, ThanosCompactorProps } from './compactor';
import { ThanosJobs, thanosHealthRules } from './default-rules';
import { ThanosQuery, ThanosQueryProps } from './query';
import { ThanosQueryFrontend, ThanosQueryFrontendProps } from './query-frontend';
import { ThanosReceive, ThanosReceiveProps } from './receive';
import { ThanosRuler, ThanosRulerProps } from './ruler';
import { ThanosStore, ThanosStoreProps } from './store';

/** The props of its components that a ThanosCluster sets itself, so that they agree. */
export type ThanosClusterWired = 'namespace' | 'name' | 'clusterDomain' | 'bucket' | 'query' | 'endpoints';

/** Props of {@link ThanosCluster}. */
export interface ThanosClusterProps {
  /** Namespace of every object. */
  readonly namespace: string;
  /** Instance name, the prefix of every object name (`<name>-receive`, `<name>-query`). @default "thanos" */
  readonly name?: string;
  /** Where blocks are stored. Required unless `bucket` is a ThanosBucket: Thanos keeps everything older than a few hours only there. @default none: give it, or a ThanosBucket as `bucket` */
  readonly storage?: ObjectStorage;
  /**
   * Bucket name, or a ThanosBucket made beforehand (to share it with Prometheus sidecars that
   * the cluster's query reads). Thanos never creates the bucket. @default `<name>-blocks`
   */
  readonly bucket?: string | ThanosBucket;
  /** Deep-merged over the generated object-store config. @default none */
  readonly objstoreOverrides?: Record<string, unknown>;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
  /** Log level of every component unless set per component. @default "info" */
  readonly logLevel?: ThanosComponentOptions['logLevel'];
  /** Receive, or `false` when data arrives only through Prometheus sidecars. @default 3 ingestors, replication factor 3, one catch-all ketama ring */
  readonly receive?: Omit<ThanosReceiveProps, ThanosClusterWired> | false;
  /** Query. @default 2 replicas over receive, store and ruler */
  readonly query?: Omit<ThanosQueryProps, ThanosClusterWired> & {
    /** More StoreAPIs to query, e.g. Prometheus sidecars. @default none */
    readonly extraEndpoints?: readonly StoreApiEndpoint[];
  };
  /** Query-frontend. @default 2 replicas, 24h split, in-memory results cache */
  readonly queryFrontend?: Omit<ThanosQueryFrontendProps, ThanosClusterWired>;
  /** Store gateway. @default 2 replicas, in-memory index cache */
  readonly store?: Omit<ThanosStoreProps, ThanosClusterWired>;
  /** Compactor. @default raw 30d, 5m 90d, 1h 1y, downsampling on, deduplication along the receive and ruler replica labels */
  readonly compactor?: Omit<ThanosCompactorProps, ThanosClusterWired>;
  /** Ruler, or `false` for none. @default 2 replicas with rules about Thanos' own health */
  readonly ruler?: Omit<ThanosRulerProps, ThanosClusterWired> | false;
  /**
   * An authenticated entry point for tenants outside the platform: nginx with a login per tenant
   * in front of receive and of a second query that enforces tenancy (see {@link ThanosTenantGateway}).
   * @default none (the platform's own components use receive and query-frontend directly, admitted by their NetworkPolicies)
   */
  readonly tenantGateway?: ThanosTenantGatewayOptions;
  /**
   * Mutual TLS on every gRPC connection between the components (the StoreAPI, receive
   * replication), from a certificate Secret (see {@link ThanosGrpcTls}).
   * @default plain gRPC inside the cluster, limited by the NetworkPolicies
   */
  readonly grpcTls?: ThanosGrpcTls;
  /**
   * HTTPS on every component's HTTP listeners and receive's remote-write port, each from a
   * certificate of its own (see {@link ServingTls}); writers and Grafana then need a certificate
   * from the same CA to trust them (the platform's `tls` gives every component one).
   * @default what the scope above sets (the platform's `tls`), else plain HTTP
   */
  readonly tls?: ServingTls;
}

/**
 * A production Thanos: receive (ketama hashring, RF 3), query behind a query-frontend, a store
 * gateway, one compactor and a ruler, all on one bucket. Components are wired through their typed
 * endpoints, so replica labels, addresses and ports agree by construction.
 *
 * Writers use {@link remoteWriteUrl}; Grafana uses {@link queryUrl}; other queriers take {@link storeEndpoints}.
 */
export class ThanosCluster extends Construct implements DatasourceProvider, DashboardProvider {
  readonly datasourceKind = 'thanos';
  readonly signal = 'metrics' as const;
  /** Prometheus remote-write URL of receive (none without receive). */
  readonly remoteWriteUrl?: string;
  /** Prometheus-compatible query URL (query-frontend), for Grafana and API clients. */
  readonly queryUrl: string;
  /** Every StoreAPI of the cluster (receive rings, store gateway, ruler). */
  readonly storeEndpoints: readonly StoreApiEndpoint[];
  /** Their gRPC discovery addresses (`dnssrv+_grpc._tcp...`). */
  readonly grpcStoreAddresses: readonly string[];
  /** Where every component's metrics are scraped. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  readonly bucket: ThanosBucket;
  readonly receive?: ThanosReceive;
  readonly query: ThanosQuery;
  /** The query behind the tenant gateway, which answers each tenant with its own series only. */
  readonly tenantQuery?: ThanosQuery;
  /** The cert-manager Certificate of the gRPC TLS, when `grpcTls` names an issuer. */
  readonly grpcCertificate?: Certificate;
  /** The tenants' authenticated entry point, when `tenantGateway` is given. */
  readonly tenantGateway?: ThanosTenantGateway;
  readonly queryFrontend: ThanosQueryFrontend;
  readonly store: ThanosStore;
  readonly compactor: ThanosCompactor;
  readonly ruler?: ThanosRuler;
  private readonly where: { readonly namespace: string; readonly name?: string; readonly clusterDomain?: string };

  constructor(scope: Construct, id: string, props: ThanosClusterProps) {
    super(scope, id);
    // Before any component is made: construct context cannot change once there are children.
    if (props.grpcTls) setThanosGrpcTls(this, props.grpcTls);
    if (props.tls) setServingTls(this, props.tls);
    requireProps(this, props, { namespace: 'give the Kubernetes namespace of its objects' });
    const v = new Validator(this);
    v.check(
      props.storage !== undefined || props.bucket instanceof ThanosBucket,
      'storage',
      props.storage,
      'is required: Thanos keeps blocks older than a few hours only in object storage',
      'pass `storage: minio` (a Minio construct) for an in-cluster store, or `new S3Storage({...})` for S3',
    );
    if (props.bucket instanceof ThanosBucket) {
      v.check(
        props.bucket.namespace === props.namespace,
        'bucket',
        props.bucket.bucket,
        `has its config Secret in namespace "${props.bucket.namespace}", which pods in "${props.namespace}" cannot mount`,
        "make the ThanosBucket in the cluster's namespace",
      );
    }
    v.check(
      !props.tenantGateway || props.receive !== false,
      'tenantGateway',
      props.tenantGateway?.basicAuthSecret,
      "needs receive, which takes the tenants' writes",
      'keep receive, or leave the tenant gateway out',
    );
    v.throwIfAny();

    const where = (this.where = { namespace: props.namespace, name: props.name, clusterDomain: props.clusterDomain });
    if (props.grpcTls) this.grpcCertificate = emitGrpcCertificate(this, props.namespace, props.name ?? 'thanos', props.grpcTls);
    const withLog = <T extends ThanosComponentOptions>(options: T | undefined): T => ({ ...options, logLevel: options?.logLevel ?? props.logLevel }) as T;
    this.bucket =
      props.bucket instanceof ThanosBucket
        ? props.bucket
        : new ThanosBucket(this, 'Bucket', { ...where, storage: props.storage!, bucket: props.bucket, overrides: props.objstoreOverrides });
    const bucket = this.bucket;

    if (props.receive !== false) this.receive = new ThanosReceive(this, 'Receive', { ...withLog(props.receive), ...where, bucket });
    this.store = new ThanosStore(this, 'Store', { ...withLog(props.store), ...where, bucket });
    const queryOptions = props.query ?? {};
    // The ruler queries Query, and Query reads the ruler: endpoints are known before either is built.
    const rulerEndpoints = props.ruler === false ? [] : [ThanosRuler.endpointFor(this, { ...where, ...props.ruler })];
    this.query = new ThanosQuery(this, 'Query', {
      ...withLog(queryOptions),
      ...where,
      endpoints: [...(this.receive?.storeEndpoints ?? []), this.store.storeEndpoint, ...rulerEndpoints, ...(queryOptions.extraEndpoints ?? [])],
    });
    this.queryFrontend = new ThanosQueryFrontend(this, 'QueryFrontend', { ...withLog(props.queryFrontend), ...where, query: this.query });
    if (props.ruler !== false) {
      const ruler = props.ruler ?? {};
      this.ruler = new ThanosRuler(this, 'Ruler', {
        ...withLog(ruler),
        ...where,
        bucket,
        query: this.query,
        ruleGroups: ruler.ruleGroups ?? (ruler.ruleConfigMaps ? undefined : thanosHealthRules(props.name ?? 'thanos', this.jobs())),
      });
    }
    this.compactor = new ThanosCompactor(this, 'Compactor', {
      ...withLog(props.compactor),
      ...where,
      bucket,
      // Merge along every replica label Query deduplicates along (receive, ruler, sidecars and the
      // writers through receive), with the algorithm their copies need.
      deduplicateLike: props.compactor?.deduplicationReplicaLabels ? undefined : this.query,
    });

    if (props.tenantGateway) {
      // A query of its own: the shared one keeps answering across tenants (Grafana, the ruler).
      this.tenantQuery = new ThanosQuery(this, 'TenantQuery', { ...withLog(queryOptions), ...where, endpoints: this.query.endpoints, enforceTenancy: true });
      this.tenantGateway = new ThanosTenantGateway(this, 'TenantGateway', {
        ...props.tenantGateway,
        ...where,
        receiveUrl: new URL(this.receive!.remoteWriteUrl).origin,
        queryUrl: this.tenantQuery.httpUrl,
      });
    }

    this.remoteWriteUrl = this.receive?.remoteWriteUrl;
    this.queryUrl = this.queryFrontend.queryUrl;
    this.storeEndpoints = this.query.endpoints;
    this.grpcStoreAddresses = this.storeEndpoints.map((e) => e.address);
    this.scrapeTargets = [
      ...(this.receive ? [this.receive] : []),
      this.query,
      ...(this.tenantQuery ? [this.tenantQuery] : []),
      this.queryFrontend,
      this.store,
      this.compactor,
      ...(this.ruler ? [this.ruler] : []),
    ].flatMap((c) => c.scrapeTargets);
  }

  /** The scrape jobs of the components made so far, for the built-in rules. */
  private jobs(): ThanosJobs {
    const jobsOf = (targets: readonly ScrapeTarget[] | undefined) => (targets ?? []).map((t) => t.job);
    const compactor = thanosIdentity(this.where, 'compactor');
    return {
      receive: jobsOf(this.receive?.scrapeTargets),
      ingestors: [...(this.receive?.ingestorJobs ?? [])],
      query: jobsOf(this.query.scrapeTargets),
      // The compactor is made after the ruler (it merges along the ruler's label); its job is its name.
      compactor: [`${compactor.instance}-${compactor.component}`],
    };
  }

  /** The query-frontend as a Thanos datasource, with exemplars linked to traces. */
  datasources(context: DatasourceContext): DatasourceDefinition[] {
    const { scrapeInterval, links } = context;
    const platformCa = this.queryUrl.startsWith('https://');
    return [metricsDatasource({ url: this.queryUrl, prometheusType: 'Thanos', scrapeInterval, tracesUid: links.tracesUid, platformCa })];
  }

  dashboards(): DashboardDefinition[] {
    return [thanosDashboard(this.scrapeTargets.map((t) => t.job))];
  }

  /** A remote-write target (URL and tenant header) for Prometheus, vmagent or Tempo. */
  remoteWriteTarget(tenant?: string): RemoteWriteTarget {
    if (!this.receive) {
      throw new Error(
        `[${this.node.path}] has no receive to remote-write to (receive: false). Fix: enable receive, or send data through a Prometheus sidecar.`,
      );
    }
    return this.receive.remoteWriteTarget(tenant);
  }
}
