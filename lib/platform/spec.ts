import { AlertmanagerProps } from '../collectors/alertmanager';
import { AlloyGatewayProps, AlloyLogAgentProps } from '../collectors/alloy';
import { KubeStateMetricsProps } from '../collectors/kube-state-metrics';
import { MetricsServerProps } from '../collectors/metrics-server';
import { NodeExporterProps } from '../collectors/node-exporter';
import { OtelCollectorGatewayProps } from '../collectors/otel-collector';
import { NetworkPeer } from '../core/network-plan';
import { CertificateIssuer } from '../core/serving-tls';
import { ScrapeOptions } from '../core/scrape-target';
import { WorkloadOptions } from '../core/workload';
import { DashboardDefinition } from '../grafana/dashboards';
import { DatasourceDefinition } from '../core/grafana-provisioning';
import { GrafanaProps } from '../grafana/grafana';
import { LokiClusterProps, LokiTenant } from '../loki';
import { AwsStorageProps } from '../object-storage/aws-storage';
import { MinioProps } from '../object-storage/minio';
import { SeaweedFsProps } from '../object-storage/seaweedfs';
import { ObjectStorage } from '../object-storage/object-storage';
import { PushgatewayProps } from '../pushgateway';
import { TempoProps } from '../tempo/props';
import { ThanosClusterProps } from '../thanos';
import { VictoriaMetricsClusterProps, VmBackupOptions } from '../victoriametrics';
import { KafkaProps } from '../kafka/kafka';
import { KafkaEndpoint } from '../kafka/endpoint';
import { JaegerProps } from '../jaeger/jaeger';

/** Whether the platform emits NetworkPolicies, and who outside it may reach it. */
export interface PlatformNetworkSpec {
  /**
   * NetworkPolicies: the namespace denies everything, and each component admits exactly the
   * paths the platform's configs take. Turn them off only where the network plugin does not
   * enforce policies or they are managed elsewhere.
   * @default true
   */
  readonly policies?: boolean;
  /**
   * Clients that push logs, metrics and traces (the applications' namespaces): admitted to the
   * Loki gateway, the metrics write endpoint and the OTLP gateway.
   * @default none
   */
  readonly writers?: readonly NetworkPeer[];
  /**
   * Clients that query or browse: admitted to Grafana, the Loki gateway, the metrics query
   * endpoint and Tempo's query API (an ingress controller's namespace, a user's Grafana).
   * @default none
   */
  readonly readers?: readonly NetworkPeer[];
  /**
   * Prometheus servers outside the platform that scrape its components (what `serviceMonitors`
   * are for): admitted to every metrics port.
   * @default none
   */
  readonly scrapers?: readonly NetworkPeer[];
}

/** A tenant of the platform: its logs in Loki, its metrics, its logins at the entry points. */
export interface PlatformTenant extends LokiTenant {
  /**
   * Its VictoriaMetrics account (`accountID` or `accountID:projectID`): the metrics backend keeps
   * tenants by number. Needed with `entryAuth` on VictoriaMetrics. @default none
   */
  readonly metricsAccount?: string | number;
}

/** The Secrets the logins at every entry point come from (see `entryAuth`). */
export interface PlatformEntryAuthSpec {
  /** An htpasswd file (key `.htpasswd`) with one user per tenant id, what the gateways check. */
  readonly htpasswdSecret: string;
  /** Each tenant's password in plain text under its id: what vmauth checks and the platform's clients send. */
  readonly passwordsSecret: string;
}

/** TLS inside the platform. */
export interface PlatformTlsSpec {
  /**
   * The cert-manager issuer of every certificate: the output then holds a `Certificate` for each.
   * Its Secrets must carry `ca.crt` (a CA or Vault issuer), and every certificate must come from
   * the same CA, since each component trusts `ca.crt` of its own.
   * @default none: each Secret is yours to create (the synth lists them as external references)
   */
  readonly issuer?: CertificateIssuer;
}

/** The metrics backends the platform can run. */
export type MetricsBackendKind = 'thanos' | 'victoriametrics';

/** The platform backends a Grafana datasource can point at. */
export type PlatformDatasourceKind = 'loki' | MetricsBackendKind | 'tempo' | 'jaeger';

/** The platform's own metrics pipeline, whichever collector the backend pairs with. */
export interface SelfMonitoringSpec extends WorkloadOptions, ScrapeOptions {
  /** Collector pods; each scrapes everything, the backend deduplicates. @default 2 */
  readonly replicas?: number;
  /** Labels on every series, e.g. `{ cluster: 'prod-eu' }`. @default none */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Volume per pod: the Prometheus WAL or the vmagent queue. @default "20Gi" for Prometheus, "10Gi" for vmagent */
  readonly storageSize?: string;
  /** @default the cluster default */
  readonly storageClass?: string;
}

/** Tempo in the platform: its metrics generator writes to the platform's metrics backend. */
export interface PlatformTempoSpec extends Omit<TempoProps, 'namespace' | 'storage' | 'metricsGenerator'> {
  /** Span metrics and service graphs, written to the metrics backend. @default true */
  readonly metricsGenerator?: boolean;
}

/** The platform's Jaeger: its props, with the platform's broker unless another is given. */
export interface PlatformJaegerSpec extends Omit<JaegerProps, 'namespace' | 'broker'> {
  /** The broker between collectors and ingesters. @default the platform's in-cluster Kafka (see `kafka`) */
  readonly broker?: KafkaEndpoint;
}

/** Grafana in the platform, with a datasource for each backend and dashboards of every component. */
export interface PlatformGrafanaSpec extends Omit<GrafanaProps, 'namespace' | 'datasources' | 'dashboards' | 'persistence'> {
  /**
   * A volume for Grafana's SQLite database (users, dashboards made in the UI, annotations, alert
   * state), kept across rollouts; `false` for an emptyDir, where only provisioned content survives
   * a restart.
   * @default 10Gi when Grafana runs one pod on SQLite (the dev profile: 1Gi); none with a shared MySQL or PostgreSQL in `ini.database`
   */
  readonly persistence?: GrafanaProps['persistence'] | false;
  /**
   * Which platform backends get a datasource; each must be one the platform runs.
   * @default every backend the platform runs: Loki, the metrics backend, and Tempo
   */
  readonly datasources?: readonly PlatformDatasourceKind[];
  /** More datasources, e.g. an external Prometheus. @default none */
  readonly extraDatasources?: readonly DatasourceDefinition[];
  /** More dashboards besides the platform's own. @default none */
  readonly extraDashboards?: readonly DashboardDefinition[];
}

/** The collectors that feed the platform from the cluster it runs in. */
export interface PlatformCollectorsSpec {
  /** Pod logs to Loki: an Alloy DaemonSet that reads logs through the Kubernetes API. `false` for none. @default on */
  readonly logs?: Omit<AlloyLogAgentProps, 'namespace' | 'loki'> | false;
  /**
   * An OTLP gateway: OTLP in; traces to Tempo, metrics to the backend, logs to Loki. `false` for none.
   * @default an OpenTelemetry Collector, 2 replicas
   */
  readonly otlp?: PlatformOtlpGatewaySpec | false;
  /** kube-state-metrics, with a ClusterRole for exactly the kinds it reports. `false` for none. @default on */
  readonly kubeStateMetrics?: Omit<KubeStateMetricsProps, 'namespace'> | false;
  /**
   * node-exporter on every node. Without `hostAccess` it runs under "restricted" with the
   * collectors that stay node-wide; with it, it runs in a `<namespace>-host` namespace that admits
   * host access. `false` for none.
   * @default on, without host access
   */
  readonly nodeExporter?: Omit<NodeExporterProps, 'namespace'> | false;
  /**
   * metrics-server, for `kubectl top` and CPU/memory autoscaling. A cluster has one
   * (`v1beta1.metrics.k8s.io` is cluster-wide), and managed clusters often bring their own.
   * @default none
   */
  readonly metricsServer?: Omit<MetricsServerProps, 'namespace'> | false;
}

/** The OTLP gateway: which program runs it, and its settings. */
export type PlatformOtlpGatewaySpec =
  | ({ readonly implementation?: 'opentelemetry-collector' } & Omit<OtelCollectorGatewayProps, 'namespace' | 'traces' | 'metrics' | 'logs'>)
  | ({ readonly implementation: 'alloy' } & Omit<AlloyGatewayProps, 'namespace' | 'traces' | 'metrics' | 'logs'>);

/**
 * How the platform is sized.
 * - `production`: the HA layout, replicated stores and the components' own resource defaults.
 * - `dev`: one pod per component where more would only add copies, replication factor 1, small
 *   volumes and requests. It fits a 4 CPU / 8 GiB kind, k3d or minikube cluster with room to spare.
 *   Nothing it stores survives the loss of a pod's volume.
 */
export type PlatformProfile = 'dev' | 'production';

/** The one typed spec of a platform. */
export interface PlatformSpec {
  /**
   * How the platform is sized: `production`, the HA layout with replicated stores, or `dev`, one
   * pod per component and small requests and volumes, for a laptop cluster (kind, k3d, minikube).
   * Every value the spec sets wins over the profile's. Production is the default because a default
   * that changed under an upgrade must never scale a store down: going from `production` to `dev`
   * removes replicas and their copies of the data.
   * @default "production"
   */
  readonly profile?: PlatformProfile;
  /** Namespace of every component. @default "observability" */
  readonly namespace?: string;
  /**
   * The cluster DNS domain every address of the platform ends in (`setClusterDomain` on the chart).
   * @default the app's (set with `setClusterDomain(app, ...)`), else "cluster.local"
   */
  readonly clusterDomain?: string;
  /** Emit the Namespace, labelled to enforce Pod Security "restricted". @default true */
  readonly createNamespace?: boolean;
  /**
   * Object storage of every store, when neither the embedded store nor `aws` suits (e.g. an
   * S3-compatible service with a key Secret).
   * @default the embedded store (dev only: one replica, generated keys)
   */
  readonly storage?: ObjectStorage;
  /**
   * AWS S3 with one IAM role per component (IRSA or EKS Pod Identity) instead of the embedded
   * store. The same spec given to `AwsStorageStack` (`@obs-platform/constructs/aws`) makes the
   * buckets and roles.
   * @default none: the embedded store
   */
  readonly aws?: AwsStorageProps;
  /**
   * The object store the platform runs in the cluster when neither `storage` nor `aws` is given:
   * SeaweedFS (Apache-2.0, maintained, versioned buckets), or MinIO for a platform that already
   * keeps its data there (switching stores does not move the objects: see the README's runbook).
   * @default "minio" when `minio` settings are given, else "seaweedfs"
   */
  readonly embeddedStore?: EmbeddedStoreKind;
  /** Settings of the embedded SeaweedFS. @default SeaweedFS defaults */
  readonly seaweedfs?: Omit<SeaweedFsProps, 'namespace'>;
  /** Settings of the embedded MinIO, when it is the embedded store. @default MinIO defaults */
  readonly minio?: Omit<MinioProps, 'namespace'>;
  /**
   * Loki's tenants, each with its own retention. The platform's collectors write as, and Grafana
   * reads as, `logsTenant`; every other tenant gets a Grafana datasource of its own.
   * @default one tenant, "platform"
   */
  readonly tenants?: readonly PlatformTenant[];
  /**
   * One login per tenant at every entry point: the Loki gateway, the metrics entry (a Thanos tenant
   * gateway, or vmauth) and the OTLP gateway each require HTTP basic auth, and the login is the
   * tenant. From two Secrets of yours: `htpasswdSecret` (key `.htpasswd`, one user per tenant id)
   * for the gateways, and `passwordsSecret` (each tenant's password under its id) for vmauth and
   * the platform's own clients. A component's own auth settings in the spec win.
   * @default none: entry points admit every client the NetworkPolicies admit
   */
  readonly entryAuth?: PlatformEntryAuthSpec;
  /** The tenant the platform's own log collectors write to. @default the first tenant */
  readonly logsTenant?: string;
  /** Loki settings. @default a 3/3/3 Simple Scalable cluster with a 2-replica gateway */
  readonly loki?: Omit<LokiClusterProps, 'namespace' | 'storage'>;
  /**
   * The metrics backend: Thanos on object storage, with a Prometheus agent collecting; or a
   * VictoriaMetrics cluster on volumes, with vmagent collecting.
   * @default "thanos"
   */
  readonly metricsBackend?: MetricsBackendKind;
  /** Thanos settings, used when the backend is Thanos. @default receive (3 ingestors, RF 3), query, query-frontend, store, compactor, ruler */
  readonly thanos?: Omit<ThanosClusterProps, 'namespace' | 'storage'>;
  /** VictoriaMetrics settings, used when the backend is VictoriaMetrics. @default 3 vmstorage (RF 2), 2 vminsert, 2 vmselect, backed up every 6h */
  readonly victoriaMetrics?: PlatformVictoriaMetricsSpec;
  /**
   * An Alertmanager (HA, with gossip) that the Thanos ruler and Loki's ruler send alerts to, every
   * pod of it; `false` for none. Give its `config` receivers with integrations (the default routes
   * to a receiver without one, which the synth warns about).
   * @default 2 replicas
   */
  readonly alertmanager?: Omit<AlertmanagerProps, 'namespace'> | false;
  /**
   * A Prometheus Pushgateway for batch jobs, on a volume, scraped by the platform's own pipeline
   * with the pushers' labels kept, with a dashboard of its groups' push ages.
   * @default none
   */
  readonly pushgateway?: Omit<PushgatewayProps, 'namespace'>;
  /** Tempo settings; `false` for no traces. @default monolithic Tempo, 14 days, metrics generator on */
  readonly tempo?: PlatformTempoSpec | false;
  /**
   * Where traces go: Tempo, or Jaeger v2 (collectors → Kafka → ingesters → storage, the query and
   * UI, and a Jaeger datasource in Grafana linked to logs and metrics).
   * @default "tempo"
   */
  readonly tracesBackend?: 'tempo' | 'jaeger';
  /** Jaeger settings, used when `tracesBackend` is "jaeger". @default 2 collectors, 2 ingesters, 2 queries, Badger storage in the cluster */
  readonly jaeger?: PlatformJaegerSpec;
  /**
   * The in-cluster Apache Kafka (KRaft) the platform runs when something needs a broker and was
   * given none: a distributed Tempo, or Jaeger.
   * @default 3 nodes (the dev profile: 1)
   */
  readonly kafka?: Omit<KafkaProps, 'namespace'>;
  /** Grafana settings; `false` for none. @default one Grafana with every datasource and the platform dashboards */
  readonly grafana?: PlatformGrafanaSpec | false;
  /** The cluster collectors. @default Alloy logs, an OTLP gateway, kube-state-metrics, node-exporter */
  readonly collectors?: PlatformCollectorsSpec;
  /**
   * The platform's own metrics pipeline, which scrapes every component and writes to the
   * backend; `false` for none.
   * @default 2 collectors scraping every component
   */
  readonly selfMonitoring?: SelfMonitoringSpec | false;
  /**
   * A prometheus-operator ServiceMonitor for every component as well, for clusters whose own
   * Prometheus should scrape the platform. Needs the ServiceMonitor CRD in the cluster, so it is
   * off by default: the default output applies to a bare cluster, and the platform's own pipeline
   * (`selfMonitoring`) scrapes every component without it.
   * @default false
   */
  readonly serviceMonitors?: boolean;
  /** NetworkPolicies and the clients they admit from outside the platform. @default policies on, no outside client admitted */
  readonly network?: PlatformNetworkSpec;
  /**
   * TLS inside the platform: the components that serve HTTPS do so with a certificate each
   * (`<component>-tls`), every client trusts their CA, and Thanos speaks gRPC with mutual TLS
   * (`thanos-grpc-tls`). Which components serve HTTPS so far, and which still plain HTTP, the synth
   * says in a warning.
   * @default plain HTTP inside the cluster, limited by the NetworkPolicies
   */
  readonly tls?: PlatformTlsSpec;
  /**
   * Availability zones the cluster's nodes span. Given, the synth warns for each replicated store
   * (Loki write, Thanos receive, vmstorage, Alertmanager) whose copies cannot survive the loss of one.
   * @default unknown: no zone check
   */
  readonly zones?: number;
}

/** The platform's VictoriaMetrics cluster: its props, with backups to the platform's object store. */
export interface PlatformVictoriaMetricsSpec extends Omit<VictoriaMetricsClusterProps, 'namespace' | 'backup'> {
  /**
   * vmstorage backups to the platform's object store (MinIO, the S3Storage given, or the AWS
   * buckets); `false` for none.
   * @default every 6h to the bucket "vm-backups" (on AWS, "<bucketPrefix>-vm-backups")
   */
  readonly backup?: Omit<VmBackupOptions, 'storage'> | false;
}

/** The object stores the platform can run in the cluster. */
export type EmbeddedStoreKind = 'seaweedfs' | 'minio';

/**
 * The store the platform runs in the cluster for `spec`, or undefined when its objects go to
 * `storage` or `aws`. Given `minio` settings mean MinIO, so a spec written for MinIO keeps it.
 */
export function embeddedStoreOf(spec: PlatformSpec): EmbeddedStoreKind | undefined {
  if (spec.storage || spec.aws) return undefined;
  return spec.embeddedStore ?? (spec.minio ? 'minio' : 'seaweedfs');
}
