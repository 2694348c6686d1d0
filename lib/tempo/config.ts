import { dskitClientTls, dskitGrpcServerTls } from '../core/dskit-tls';
import { PLATFORM_CA_FILE, SERVING_CERT_FILE, SERVING_KEY_FILE, platformTlsConfig } from '../core/serving-tls';
import { mergeOverrides } from '../core/config-file';
import { ACCESS_KEY_ENV, SECRET_KEY_ENV } from '../object-storage/credentials';
import { ObjectStorage } from '../object-storage/object-storage';
import { TempoKafka, TempoProps } from './props';

/** Ports of every Tempo process. */
export const TEMPO_PORTS = {
  http: 3200,
  grpc: 9095,
  memberlist: 7946,
  otlpGrpc: 4317,
  otlpHttp: 4318,
  jaegerGrpc: 14250,
  jaegerThriftHttp: 14268,
  zipkin: 9411,
} as const;

export const CONFIG_DIR = '/conf';
/** One volume holds every path Tempo writes: WALs, live-store blocks, the scheduler's work file. */
export const DATA_DIR = '/var/tempo';

/** Addresses a distributed Tempo's components find each other by. */
export interface TempoAddresses {
  readonly memberlist: string;
  /** Kafka partitions each block builder consumes: the live-stores' partitions split between them. */
  readonly partitionsPerBlockBuilder: number;
  /** Partitions of the topic: one per live-store, each owning the partition of its ordinal. */
  readonly partitions: number;
  readonly queryFrontendDiscovery: string;
  readonly backendScheduler: string;
}

/** Every input of tempo.yaml, resolved. */
export interface TempoConfigInput {
  readonly props: TempoProps;
  /** The label every gossip message of this instance carries. */
  readonly gossipClusterLabel: string;
  readonly bucket: string;
  readonly retention: string;
  /** Present in distributed mode only. */
  readonly addresses?: TempoAddresses;
  /**
   * Serving TLS: every component serves HTTPS, its receivers and mutual-TLS gRPC from the
   * certificate it mounts, which also carries this name, the one their gRPC clients check (see dskit-tls).
   */
  readonly tls?: { readonly peerName: string };
}

/**
 * Renders tempo.yaml for Tempo 3. Every key exists in the v3.0.3 configuration reference. The
 * receivers listen on all interfaces: since 2.7 they bind localhost unless told otherwise.
 */
export function buildTempoConfig(input: TempoConfigInput): Record<string, unknown> {
  const { props } = input;
  const generator = props.metricsGenerator || undefined;
  const config: Record<string, unknown> = {
    stream_over_http_enabled: true,
    memberlist: {
      cluster_label: input.gossipClusterLabel,
      ...(input.addresses ? { join_members: [`dns+${input.addresses.memberlist}:${TEMPO_PORTS.memberlist}`] } : {}),
    },
    multitenancy_enabled: props.multitenancy ?? false,
    usage_report: { reporting_enabled: false },
    server: {
      http_listen_port: TEMPO_PORTS.http,
      grpc_listen_port: TEMPO_PORTS.grpc,
      // Each component mounts its own certificate at the same path; gossip stays as it is (see dskit-tls).
      ...(input.tls
        ? { http_tls_config: { cert_file: SERVING_CERT_FILE, key_file: SERVING_KEY_FILE }, ...dskitGrpcServerTls(), tls_min_version: 'VersionTLS12' }
        : {}),
    },
    distributor: { receivers: receivers(props, input.tls !== undefined) },
    storage: {
      trace: {
        backend: 's3',
        s3: s3Block(props.storage, input.bucket),
        wal: { path: `${DATA_DIR}/wal` },
      },
    },
    live_store: { wal: { path: `${DATA_DIR}/live-store/traces` } },
    backend_scheduler: {
      local_work_path: DATA_DIR,
      provider: { compaction: { compaction: { block_retention: input.retention } } },
    },
    backend_worker: {
      compaction: { block_retention: input.retention },
      // Distributed workers share jobs through a ring; alone in `all`, the worker needs none.
      ...(input.addresses ? { backend_scheduler_addr: input.addresses.backendScheduler, ring: { kvstore: { store: 'memberlist' } } } : {}),
    },
    ...(generator
      ? {
          metrics_generator: {
            registry: { external_labels: { ...(generator.externalLabels ?? { source: 'tempo' }) } },
            storage: {
              path: `${DATA_DIR}/generator/wal`,
              remote_write: generator.remoteWrite.map((t) => ({
                url: t.url,
                // Exemplars link span metrics to their traces; a store that drops them gets none sent.
                send_exemplars: t.keepsExemplars ?? true,
                ...(t.name ? { name: t.name } : {}),
                ...(t.headers && Object.keys(t.headers).length > 0 ? { headers: { ...t.headers } } : {}),
                ...(t.platformCa ? { tls_config: platformTlsConfig() } : {}),
              })),
            },
          },
          overrides: { defaults: { metrics_generator: { processors: [...(generator.processors ?? ['service-graphs', 'span-metrics'])] } } },
        }
      : {}),
    ...(input.addresses ? distributedBlocks(props, input.addresses) : {}),
  };
  return input.tls ? mergeOverrides(config, grpcClientTls(input.tls.peerName)) : config;
}

/**
 * Every gRPC client of Tempo 3.0.3, each checking the peer name. A single binary needs them too:
 * its querier and backend worker dial its own gRPC port (127.0.0.1), its live-store client the pod's address.
 */
function grpcClientTls(peerName: string): Record<string, unknown> {
  const client = { grpc_client_config: dskitClientTls(peerName) };
  return { querier: { frontend_worker: client }, live_store_client: client, backend_scheduler_client: client };
}

function receivers(props: TempoProps, https: boolean): Record<string, unknown> {
  // With serving TLS every receiver serves the component's certificate, re-read hourly as it is renewed.
  const tls = https ? { tls: { cert_file: SERVING_CERT_FILE, key_file: SERVING_KEY_FILE, reload_interval: '1h' } } : {};
  const on = (port: number) => ({ endpoint: `0.0.0.0:${port}`, ...tls });
  return {
    otlp: { protocols: { grpc: on(TEMPO_PORTS.otlpGrpc), http: on(TEMPO_PORTS.otlpHttp) } },
    ...(props.receivers?.jaeger ? { jaeger: { protocols: { grpc: on(TEMPO_PORTS.jaegerGrpc), thrift_http: on(TEMPO_PORTS.jaegerThriftHttp) } } } : {}),
    ...(props.receivers?.zipkin ? { zipkin: on(TEMPO_PORTS.zipkin) } : {}),
  };
}

/** The S3 client of one bucket. Static keys come from the environment, expanded at start. */
function s3Block(storage: ObjectStorage, bucket: string): Record<string, unknown> {
  return {
    bucket,
    endpoint: storage.endpointHost,
    region: storage.region,
    insecure: storage.insecure,
    forcepathstyle: storage.forcePathStyle,
    // A store served with the platform's CA: trusted by ca.crt of the certificate the pods mount.
    ...(storage.platformCa ? { tls_ca_path: PLATFORM_CA_FILE } : {}),
    ...(storage.credentials.usesStaticKeys ? { access_key: `\${${ACCESS_KEY_ENV}}`, secret_key: `\${${SECRET_KEY_ENV}}` } : {}),
  };
}

/** The topic of the trace log. */
export function tempoTopic(kafka: TempoKafka): string {
  return kafka.topic ?? 'tempo-ingest';
}

/**
 * The broker client: a typed broker made or checked the topic, so Tempo must not create one (with
 * its default of 1000 partitions) if it starts first; at a bare address Tempo creates it, with one
 * partition per live-store.
 */
function kafkaBlock(kafka: TempoKafka, partitions: number): Record<string, unknown> {
  const address = kafka.broker ? kafka.broker.bootstrapServers[0] : kafka.address!;
  return {
    address,
    topic: tempoTopic(kafka),
    ...(kafka.broker ? { auto_create_topic_enabled: false } : { auto_create_topic_default_partitions: partitions }),
  };
}

/** What only distributed mode needs: the broker, the ring, and each component's peers. */
function distributedBlocks(props: TempoProps, addresses: TempoAddresses): Record<string, unknown> {
  return {
    ingest: { kafka: kafkaBlock(props.kafka!, addresses.partitions) },
    querier: { frontend_worker: { frontend_address: `${addresses.queryFrontendDiscovery}:${TEMPO_PORTS.grpc}` } },
    // Each live-store owns the partition of its StatefulSet ordinal; block builders split them by ordinal too.
    block_builder: { partitions_per_instance: addresses.partitionsPerBlockBuilder },
  };
}
