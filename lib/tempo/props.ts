import { KafkaEndpoint } from '../kafka/endpoint';
import type { TempoGatewayOptions } from './gateway';
import { IConstruct } from 'constructs';
import { clusterDomainOf } from '../core/cluster-domain';
import { IMAGES, ImageRef, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { WorkloadOptions } from '../core/workload';
import { chooseBucket } from '../object-storage/bucket-name';
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

/**
 * The Kafka-compatible broker (Kafka, Redpanda, WarpStream) distributed Tempo 3 writes through:
 * `broker`, which makes or checks the topic with one partition per live-store, or a bare
 * `address`, where Tempo creates the topic itself with that many partitions.
 */
export interface TempoKafka {
  /** A typed broker: an in-cluster {@link Kafka} or an {@link ExternalKafka}. One of this or `address`. @default none */
  readonly broker?: KafkaEndpoint;
  /** `host:port` of a broker, e.g. `redpanda.streaming.svc.cluster.local:9092`. One of this or `broker`. @default none */
  readonly address?: string;
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
  /**
   * An authenticated read entry for readers outside the platform: nginx with one htpasswd user per
   * reader (or tenant, with `multitenancy`) in front of the query API, passing the read API only
   * (see {@link TempoGateway}). The platform's Grafana keeps reading Tempo directly.
   * @default none
   */
  readonly gateway?: TempoGatewayOptions;
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
  /** Config deep-merged over the generated tempo.yaml (arrays replace). @default none */
  readonly configOverrides?: Record<string, unknown>;
}

/** Every prop of a Tempo with its default filled in: what the constructor emits from. */
export interface ResolvedTempo {
  readonly name: string;
  /** The bucket, or undefined when the storage cannot name one (the checks refuse that). */
  readonly bucket?: string;
  readonly retention: string;
  readonly mode: 'monolithic' | 'distributed';
  readonly clusterDomain: string;
  readonly image: ImageRef;
  /** The identity every object's is derived from. */
  readonly base: ComponentIdentity;
  readonly receivers: TempoReceivers;
  readonly generatesMetrics: boolean;
  readonly storageSize: string;
  /** Replicas of each distributed component. */
  readonly sizes: Required<TempoDistributedSizes>;
}

/** Fills in every default, in one place. */
export function resolveTempo(scope: IConstruct, props: TempoProps): ResolvedTempo {
  const name = props.name ?? 'tempo';
  const image = props.image ?? IMAGES.tempo;
  const sizes = props.distributed ?? {};
  return {
    name,
    bucket: chooseBucket(props.bucket, props.storage, `${name}-traces`),
    retention: props.retention ?? '336h',
    mode: props.mode ?? 'monolithic',
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
    image,
    base: new ComponentIdentity({ app: 'tempo', instance: name, component: 'tempo', namespace: props.namespace, version: imageVersion(image) }),
    receivers: props.receivers ?? {},
    generatesMetrics: Boolean(props.metricsGenerator),
    storageSize: props.storageSize ?? '10Gi',
    sizes: {
      distributor: sizes.distributor ?? 2,
      liveStore: sizes.liveStore ?? 2,
      blockBuilder: sizes.blockBuilder ?? 1,
      querier: sizes.querier ?? 2,
      queryFrontend: sizes.queryFrontend ?? 2,
      backendWorker: sizes.backendWorker ?? 1,
      metricsGenerator: sizes.metricsGenerator ?? 1,
    },
  };
}
