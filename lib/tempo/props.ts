import { WorkloadOptions } from '../core/workload';
import { ObjectStorage } from '../object-storage/object-storage';
import { RemoteWriteTarget } from '../core/remote-write';

/** Trace protocols Tempo accepts besides OTLP, which is always on. */
export interface TempoReceivers {
  /** Jaeger gRPC (14250) and Thrift over HTTP (14268). The UDP agent ports are not exposed. @default false */
  readonly jaeger?: boolean;
  /** Zipkin (9411). @default false */
  readonly zipkin?: boolean;
}

/** The metrics generator: span metrics and service graphs, remote-written to a metrics store. */
export interface TempoMetricsGenerator {
  /** Where the generated series go, e.g. a ThanosCluster's `remoteWriteTarget()`. */
  readonly remoteWrite: readonly RemoteWriteTarget[];
  /** Processors run for every tenant. @default ["service-graphs", "span-metrics"] */
  readonly processors?: ReadonlyArray<'service-graphs' | 'span-metrics' | 'host-info'>;
  /** Labels on every generated series. @default { source: "tempo" } */
  readonly externalLabels?: Readonly<Record<string, string>>;
}

/** A Kafka-compatible broker (Kafka, Redpanda, WarpStream), which distributed Tempo 3 writes through. */
export interface TempoKafka {
  /** `host:port` of a broker, e.g. `redpanda.streaming.svc.cluster.local:9092`. */
  readonly address: string;
  /** Topic of the trace log. @default "tempo-ingest" */
  readonly topic?: string;
}

/** Replica counts of distributed Tempo's components. */
export interface TempoDistributedSizes {
  /** @default 2 */ readonly distributor?: number;
  /** @default 2 */ readonly liveStore?: number;
  /** One per Kafka partition consumed. @default 1 */ readonly blockBuilder?: number;
  /** @default 2 */ readonly querier?: number;
  /** @default 2 */ readonly queryFrontend?: number;
  /** @default 1 */ readonly backendWorker?: number;
  /** @default 1 */ readonly metricsGenerator?: number;
}

/** Props of {@link Tempo}. */
export interface TempoProps extends WorkloadOptions {
  /** Namespace of every object. */
  readonly namespace: string;
  /** Instance name, prefix of every object name. @default "tempo" */
  readonly name?: string;
  /** Where trace blocks are kept. Tempo never creates the bucket. */
  readonly storage: ObjectStorage;
  /** @default "<name>-traces", prefixed on AWS (AwsStorage's namePrefix, S3Storage's bucketPrefix) */
  readonly bucket?: string;
  /** How long traces are kept (the backend worker's `block_retention`). @default "336h" (14 days) */
  readonly retention?: string;
  /** Extra receivers. @default OTLP gRPC (4317) and HTTP (4318) only */
  readonly receivers?: TempoReceivers;
  /** The metrics generator; `false` for none. @default none (the platform wires it to its metrics backend) */
  readonly metricsGenerator?: TempoMetricsGenerator | false;
  /**
   * `monolithic`: one `-target=all` pod, no broker needed (up to ~25-35 MB/s of spans).
   * `distributed`: one workload per component, writing through a Kafka-compatible broker.
   * @default "monolithic"
   */
  readonly mode?: 'monolithic' | 'distributed';
  /** The broker of distributed mode. Required with `mode: "distributed"`. @default none */
  readonly kafka?: TempoKafka;
  /** Replicas of distributed mode. @default see {@link TempoDistributedSizes} */
  readonly distributed?: TempoDistributedSizes;
  /** Size of the volume at /var/tempo (WALs, live-store data, scheduler work). @default "10Gi" */
  readonly storageSize?: string;
  /** @default the cluster default */
  readonly storageClass?: string;
  /** Require `X-Scope-OrgID` on every request. @default false */
  readonly multitenancy?: boolean;
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
  /** Config deep-merged over the generated tempo.yaml (arrays replace). @default none */
  readonly configOverrides?: Record<string, unknown>;
}
