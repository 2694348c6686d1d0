import { Construct } from 'constructs';
import { Chart } from 'cdk8s';
import { Validator } from '../core/errors';
import { RestrictedNamespace } from '../core/namespace';
import { namespaceName } from '../core/rules';
import { LokiCluster, LokiClusterProps } from '../loki';
import { Minio, MinioProps } from '../object-storage/minio';
import { ObjectStorage } from '../object-storage/object-storage';
import { PrometheusAgent, PrometheusAgentProps } from '../prometheus';
import { ThanosCluster, ThanosClusterProps } from '../thanos';

/** The one typed spec of a platform. It grows a section per component. */
export interface PlatformSpec {
  /** Namespace of every component. @default "observability" */
  readonly namespace?: string;
  /** Emit the Namespace, labelled to enforce Pod Security "restricted". @default true */
  readonly createNamespace?: boolean;
  /**
   * Object storage of every store. @default an in-cluster MinIO (dev only: one replica, generated keys)
   */
  readonly storage?: ObjectStorage;
  /** Settings of the embedded MinIO when `storage` is not given. @default MinIO defaults */
  readonly minio?: Omit<MinioProps, 'namespace'>;
  /** Loki settings. @default a 3/3/3 Simple Scalable cluster with a 2-replica gateway */
  readonly loki?: Omit<LokiClusterProps, 'namespace' | 'storage'>;
  /** Thanos, the metrics backend. @default receive (3 ingestors, RF 3), query, query-frontend, store, compactor, ruler */
  readonly thanos?: Omit<ThanosClusterProps, 'namespace' | 'storage'>;
  /**
   * The platform's own metrics pipeline: a Prometheus agent that scrapes every component and
   * remote-writes to Thanos, or `false` for none.
   * @default 2 agents scraping Loki and Thanos
   */
  readonly selfMonitoring?: Omit<PrometheusAgentProps, 'namespace' | 'remoteWrite'> | false;
}

/**
 * The whole platform as one cdk8s Chart: object storage and every component, wired to each other
 * through their typed endpoints. With no spec it needs no cloud account: storage is MinIO.
 */
export class ObservabilityPlatform extends Chart {
  readonly namespaceName: string;
  readonly storage: ObjectStorage;
  /** The embedded MinIO, when the platform uses it. */
  readonly minio?: Minio;
  readonly loki: LokiCluster;
  readonly thanos: ThanosCluster;
  /** The agent that scrapes the platform, unless turned off. */
  readonly selfMonitoring?: PrometheusAgent;

  constructor(scope: Construct, id: string, spec: PlatformSpec = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    this.namespaceName = spec.namespace ?? 'observability';
    const v = new Validator(this);
    v.apply('namespace', this.namespaceName, namespaceName(this.namespaceName));
    v.throwIfAny();

    if (spec.createNamespace ?? true) new RestrictedNamespace(this, 'namespace', this.namespaceName);
    if (spec.storage) {
      this.storage = spec.storage;
    } else {
      this.minio = new Minio(this, 'minio', { ...spec.minio, namespace: this.namespaceName });
      this.storage = this.minio;
    }
    this.loki = new LokiCluster(this, 'loki', { ...spec.loki, namespace: this.namespaceName, storage: this.storage });
    this.thanos = new ThanosCluster(this, 'thanos', { ...spec.thanos, namespace: this.namespaceName, storage: this.storage });
    if (spec.selfMonitoring !== false) {
      const agent = spec.selfMonitoring ?? {};
      this.selfMonitoring = new PrometheusAgent(this, 'self-monitoring', {
        ...agent,
        namespace: this.namespaceName,
        scrapeTargets: [...this.loki.scrapeTargets, ...this.thanos.scrapeTargets, ...(agent.scrapeTargets ?? [])],
        remoteWrite: [this.thanos.remoteWriteTarget()],
      });
    }
  }
}
