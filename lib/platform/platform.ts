import { Construct } from 'constructs';
import { Chart } from 'cdk8s';
import { Validator } from '../core/errors';
import { RestrictedNamespace } from '../core/namespace';
import { namespaceName } from '../core/rules';
import { ScrapeOptions, ScrapeTarget } from '../core/scrape-target';
import { WorkloadOptions } from '../core/workload';
import { LokiCluster, LokiClusterProps } from '../loki';
import { AwsStorage, AwsStorageProps, checkAwsStorageProps } from '../object-storage/aws-storage';
import { planAwsStorage } from '../object-storage/aws-plan';
import { Minio, MinioProps } from '../object-storage/minio';
import { ObjectStorage } from '../object-storage/object-storage';
import { PrometheusAgent } from '../prometheus';
import { RemoteWriteTarget } from '../prometheus/config';
import { ThanosCluster, ThanosClusterProps } from '../thanos';
import { VictoriaMetricsCluster, VictoriaMetricsClusterProps, VmAgent } from '../victoriametrics';

/** The metrics backends the platform can run. */
export type MetricsBackendKind = 'thanos' | 'victoriametrics';

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

/** The one typed spec of a platform. It grows a section per component. */
export interface PlatformSpec {
  /** Namespace of every component. @default "observability" */
  readonly namespace?: string;
  /** Emit the Namespace, labelled to enforce Pod Security "restricted". @default true */
  readonly createNamespace?: boolean;
  /**
   * Object storage of every store, when neither MinIO nor `aws` suits (e.g. an S3-compatible
   * service with a key Secret). @default an in-cluster MinIO (dev only: one replica, generated keys)
   */
  readonly storage?: ObjectStorage;
  /**
   * AWS S3 with one IAM role per component (IRSA or EKS Pod Identity) instead of MinIO. The same
   * spec given to `AwsStorageStack` (`@obs-platform/constructs/aws`) makes the buckets and roles.
   * @default none: MinIO
   */
  readonly aws?: AwsStorageProps;
  /** Settings of the embedded MinIO when `storage` is not given. @default MinIO defaults */
  readonly minio?: Omit<MinioProps, 'namespace'>;
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
  /** VictoriaMetrics settings, used when the backend is VictoriaMetrics. @default 3 vmstorage (RF 2), 2 vminsert, 2 vmselect */
  readonly victoriaMetrics?: Omit<VictoriaMetricsClusterProps, 'namespace'>;
  /**
   * The platform's own metrics pipeline, which scrapes every component and writes to the
   * backend; `false` for none.
   * @default 2 collectors scraping Loki and the metrics backend
   */
  readonly selfMonitoring?: SelfMonitoringSpec | false;
}

/** What the rest of the platform needs from the metrics backend, whichever it is. */
export interface PlatformMetrics {
  readonly backend: MetricsBackendKind;
  /** Where collectors write. */
  readonly remoteWrite: RemoteWriteTarget;
  /** The Prometheus-compatible query API (what a Grafana datasource takes). */
  readonly queryUrl: string;
  /** The backend's own metrics. */
  readonly scrapeTargets: readonly ScrapeTarget[];
}

/**
 * The whole platform as one cdk8s Chart: object storage and every component, wired to each other
 * through their typed endpoints. With no spec it needs no cloud account: storage is MinIO.
 */
export class ObservabilityPlatform extends Chart {
  readonly namespaceName: string;
  readonly storage: ObjectStorage;
  /** The AWS storage, when the spec has `aws`: the cdktf stack's input. */
  readonly aws?: AwsStorage;
  /** The embedded MinIO, when the platform uses it. */
  readonly minio?: Minio;
  readonly loki: LokiCluster;
  /** The Thanos backend, when chosen. */
  readonly thanos?: ThanosCluster;
  /** The VictoriaMetrics backend, when chosen. */
  readonly victoriaMetrics?: VictoriaMetricsCluster;
  /** The chosen metrics backend's endpoints. */
  readonly metrics: PlatformMetrics;
  /** The collector that scrapes the platform, unless turned off. */
  readonly selfMonitoring?: PrometheusAgent | VmAgent;

  constructor(scope: Construct, id: string, spec: PlatformSpec = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    this.namespaceName = spec.namespace ?? 'observability';
    const backend = spec.metricsBackend ?? 'thanos';
    validateSpec(this, spec, this.namespaceName, backend);
    const namespace = this.namespaceName;

    if (spec.createNamespace ?? true) new RestrictedNamespace(this, 'namespace', namespace);
    if (spec.aws) {
      this.aws = new AwsStorage(spec.aws, this.node.path);
      this.storage = this.aws;
    } else if (spec.storage) {
      this.storage = spec.storage;
    } else {
      this.minio = new Minio(this, 'minio', { ...spec.minio, namespace });
      this.storage = this.minio;
    }
    this.loki = new LokiCluster(this, 'loki', { ...spec.loki, namespace, storage: this.storage });

    if (backend === 'victoriametrics') {
      // The self-monitoring pair sends every series twice; one sample per scrape interval is kept.
      const selfInterval = spec.selfMonitoring === false ? undefined : spec.selfMonitoring?.scrapeInterval ?? '30s';
      const vm = this.victoriaMetrics = new VictoriaMetricsCluster(this, 'victoria-metrics', {
        ...spec.victoriaMetrics, namespace, dedupInterval: spec.victoriaMetrics?.dedupInterval ?? selfInterval,
      });
      this.metrics = { backend, remoteWrite: vm.remoteWriteTarget(0), queryUrl: vm.queryUrl(0), scrapeTargets: vm.scrapeTargets };
    } else {
      const thanos = this.thanos = new ThanosCluster(this, 'thanos', { ...spec.thanos, namespace, storage: this.storage });
      this.metrics = { backend, remoteWrite: thanos.remoteWriteTarget(), queryUrl: thanos.queryUrl, scrapeTargets: thanos.scrapeTargets };
    }
    if (spec.selfMonitoring !== false) this.selfMonitoring = this.collector(spec.selfMonitoring ?? {});
    // Expiries and role names depend on what the components declared: check them here too, so
    // the Kubernetes synth refuses a spec the Terraform synth would refuse.
    if (this.aws) planAwsStorage(this.aws, this.node.path, 'aws.');
  }

  /** The collector that suits the backend, scraping every component and writing to the backend. */
  private collector(options: SelfMonitoringSpec): PrometheusAgent | VmAgent {
    const { storageSize, storageClass, ...rest } = options;
    const common = {
      ...rest,
      namespace: this.namespaceName,
      replicas: options.replicas ?? 2,
      scrapeTargets: [...this.loki.scrapeTargets, ...this.metrics.scrapeTargets, ...(options.scrapeTargets ?? [])],
      remoteWrite: [this.metrics.remoteWrite],
    };
    if (this.metrics.backend === 'victoriametrics') {
      return new VmAgent(this, 'self-monitoring', { ...common, name: 'self-monitoring', persistentQueue: { size: storageSize, storageClass } });
    }
    return new PrometheusAgent(this, 'self-monitoring', { ...common, storageSize, storageClass });
  }
}

function validateSpec(scope: Construct, spec: PlatformSpec, namespace: string, backend: MetricsBackendKind): void {
  const v = new Validator(scope);
  v.apply('namespace', namespace, namespaceName(namespace));
  v.check(!(spec.aws && spec.storage), 'aws', '(set)', 'and storage are both set; the platform has one object store',
    'keep aws for S3 with a role per component, or storage for another store');
  if (spec.aws) checkAwsStorageProps(v, spec.aws, 'aws.');
  v.check(['thanos', 'victoriametrics'].includes(backend), 'metricsBackend', backend, 'is not a metrics backend the platform runs', 'set it to "thanos" or "victoriametrics"');
  if (backend === 'thanos') {
    v.check(spec.victoriaMetrics === undefined, 'victoriaMetrics', '(set)', 'configures a backend that is not chosen, so it would be ignored', 'set metricsBackend: "victoriametrics" or remove victoriaMetrics');
  } else {
    v.check(spec.thanos === undefined, 'thanos', '(set)', 'configures a backend that is not chosen, so it would be ignored', 'set metricsBackend: "thanos" or remove thanos');
  }
  v.throwIfAny();
}
