/**
 * The configs of Jaeger v2's roles. Jaeger v2 is an OpenTelemetry Collector distribution: every
 * role is the same binary with its own pipeline and extensions (Jaeger 2.13.0, module v1.76.0:
 * cmd/jaeger/config-kafka-{collector,ingester}.yaml, config-query.yaml and
 * config-remote-storage-backend.yaml show each role).
 */

/** Ports, the upstream defaults. */
export const JAEGER_PORTS = {
  otlpGrpc: 4317,
  otlpHttp: 4318,
  jaegerGrpc: 14250,
  jaegerThriftHttp: 14268,
  zipkin: 9411,
  queryHttp: 16686,
  queryGrpc: 16685,
  /** The remote storage's read API (jaeger's storage gRPC API). */
  remoteStorage: 17271,
  health: 13133,
  metrics: 8888,
} as const;

/** Where the ingester writes and the query reads: the backend of `jaeger_storage`. */
export type JaegerStorageBackend =
  | { readonly kind: 'remote'; readonly readEndpoint: string; readonly writeEndpoint: string }
  | {
      readonly kind: 'elasticsearch' | 'opensearch';
      readonly serverUrls: readonly string[];
      readonly indexPrefix?: string;
      readonly username?: string;
      /** The password file the pods mount, when a login is used. */
      readonly passwordFile?: string;
    };

/** The backend's name in every role's `jaeger_storage`. */
const BACKEND = 'traces';

const all = (port: number) => `0.0.0.0:${port}`;

/** What every role shares: health on 13133, its own metrics for Prometheus on 8888, logs at info. */
function service(extensions: string[], pipeline: Record<string, unknown>): Record<string, unknown> {
  return {
    extensions: ['healthcheckv2', ...extensions],
    pipelines: { traces: pipeline },
    telemetry: {
      metrics: { level: 'detailed', readers: [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: JAEGER_PORTS.metrics } } } }] },
      logs: { level: 'info' },
    },
  };
}

const health = { healthcheckv2: { use_v2: true, http: { endpoint: all(JAEGER_PORTS.health) } } };

function storageExtension(backend: JaegerStorageBackend): Record<string, unknown> {
  if (backend.kind === 'remote') {
    return {
      jaeger_storage: {
        backends: {
          [BACKEND]: {
            grpc: { endpoint: backend.readEndpoint, tls: { insecure: true }, writer: { endpoint: backend.writeEndpoint, tls: { insecure: true } } },
          },
        },
      },
    };
  }
  const login = backend.username ? { auth: { basic: { username: backend.username, password_file: backend.passwordFile } } } : {};
  return {
    jaeger_storage: {
      backends: {
        [BACKEND]: {
          [backend.kind]: {
            server_urls: [...backend.serverUrls],
            ...(backend.indexPrefix ? { indices: { index_prefix: backend.indexPrefix } } : {}),
            ...login,
          },
        },
      },
    },
  };
}

/** Where spans go through the broker. */
export interface JaegerKafkaSettings {
  readonly brokers: readonly string[];
  readonly topic: string;
}

/** The collector: OTLP, Jaeger and Zipkin in, batched, out to the broker as OTLP protobuf. */
export function collectorConfig(kafka: JaegerKafkaSettings): Record<string, unknown> {
  return {
    service: service([], { receivers: ['otlp', 'jaeger', 'zipkin'], processors: ['memory_limiter', 'batch'], exporters: ['kafka'] }),
    extensions: health,
    receivers: {
      otlp: { protocols: { grpc: { endpoint: all(JAEGER_PORTS.otlpGrpc) }, http: { endpoint: all(JAEGER_PORTS.otlpHttp) } } },
      jaeger: { protocols: { grpc: { endpoint: all(JAEGER_PORTS.jaegerGrpc) }, thrift_http: { endpoint: all(JAEGER_PORTS.jaegerThriftHttp) } } },
      zipkin: { endpoint: all(JAEGER_PORTS.zipkin) },
    },
    processors: memoryAndBatch,
    exporters: { kafka: { brokers: [...kafka.brokers], traces: { topic: kafka.topic, encoding: 'otlp_proto' } } },
  };
}

/**
 * The ingester: the broker's spans, from the oldest not yet read, into the storage backend. A
 * record is marked read only once the storage took it, and a write the storage refuses for now is
 * retried until it succeeds, so spans wait in the topic while the storage is down instead of being
 * dropped (the upstream defaults mark a record when it arrives, and drop it when the write fails).
 * No batch processor: it would answer the receiver before the write, and a failed write would
 * already be marked. The collector batched them before the broker.
 */
export function ingesterConfig(kafka: JaegerKafkaSettings & { readonly groupId: string }, backend: JaegerStorageBackend): Record<string, unknown> {
  return {
    service: service(['jaeger_storage'], { receivers: ['kafka'], processors: ['memory_limiter'], exporters: ['jaeger_storage_exporter'] }),
    extensions: { ...health, ...storageExtension(backend) },
    receivers: {
      kafka: {
        brokers: [...kafka.brokers],
        group_id: kafka.groupId,
        initial_offset: 'earliest',
        traces: { topic: kafka.topic, encoding: 'otlp_proto' },
        // A malformed record (a permanent error) is skipped; anything else holds the partition.
        message_marking: { after: true, on_error: false, on_permanent_error: true },
      },
    },
    processors: { memory_limiter: memoryAndBatch.memory_limiter },
    exporters: { jaeger_storage_exporter: { trace_storage: BACKEND, retry_on_failure: { enabled: true, max_elapsed_time: '0s' } } },
  };
}

/** The query: the API and UI over the storage backend; its pipeline is a placeholder the collector core requires. */
export function queryConfig(backend: JaegerStorageBackend): Record<string, unknown> {
  return {
    service: service(['jaeger_storage', 'jaeger_query'], { receivers: ['nop'], exporters: ['nop'] }),
    extensions: {
      ...health,
      ...storageExtension(backend),
      jaeger_query: {
        storage: { traces: BACKEND },
        http: { endpoint: all(JAEGER_PORTS.queryHttp) },
        grpc: { endpoint: all(JAEGER_PORTS.queryGrpc) },
        // Its own traces would go to an OTLP receiver on localhost, which no query pod has.
        enable_tracing: false,
      },
    },
    receivers: { nop: {} },
    exporters: { nop: {} },
  };
}

/**
 * The in-cluster remote storage: Badger on the pod's volume, read through the remote storage API
 * and written through OTLP, which is how the ingester's and the query's `grpc` backend reach it.
 */
export function remoteStorageConfig(dataDir: string, retention: string): Record<string, unknown> {
  return {
    service: service(['jaeger_storage', 'remote_storage'], { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] }),
    extensions: {
      ...health,
      jaeger_storage: {
        backends: {
          [BACKEND]: {
            badger: {
              directories: { keys: `${dataDir}/keys`, values: `${dataDir}/values` },
              // Kept on the volume across restarts (the upstream default is an in-memory store).
              ephemeral: false,
              ttl: { spans: retention },
            },
          },
        },
      },
      remote_storage: { endpoint: all(JAEGER_PORTS.remoteStorage), storage: BACKEND },
    },
    receivers: { otlp: { protocols: { grpc: { endpoint: all(JAEGER_PORTS.otlpGrpc) } } } },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: BACKEND } },
  };
}

/** A memory limit before batching: under load the collector refuses spans rather than be killed. */
const memoryAndBatch = { memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 }, batch: {} };
