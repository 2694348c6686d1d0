import { k8s } from '../core/k8s';
import { ImageRef, IMAGES } from '../core/images';
import { httpProbe, PodIdentity } from '../core/pod';
import { WorkloadOptions } from '../core/workload';

/** The ports every Thanos component listens on (the upstream defaults, used the same everywhere). */
export const THANOS_PORTS = {
  /** StoreAPI and the other gRPC APIs. */
  grpc: 10901,
  /** UI, HTTP APIs, `/metrics` and the probes. */
  http: 10902,
  /** Receive's Prometheus remote-write endpoint (`/api/v1/receive`). */
  remoteWrite: 19291,
} as const;

/** The Thanos image's own user (`USER 1001` in its Dockerfile) and its group. */
export const THANOS_POD_IDENTITY: PodIdentity = { runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 };

/**
 * What a component does with its bucket, and the S3 actions that takes (v0.42.4 source): the store
 * gateway only lists and reads (with its admin API off); receive, the ruler and sidecars also
 * upload blocks (the shipper checks for `meta.json` first, and S3 answers a missing key with 403
 * instead of 404 unless the caller may list); only the compactor deletes ("Compactor, Sidecar,
 * Receive and Ruler are the only Thanos components which should have write access to object
 * storage, with only Compactor being able to delete data", docs/components/compact.md).
 */
export type ThanosBucketAccess = 'read' | 'upload' | 'compact';

export const THANOS_S3_ACTIONS: Readonly<Record<ThanosBucketAccess, readonly string[]>> = {
  read: ['s3:ListBucket', 's3:GetObject'],
  upload: ['s3:ListBucket', 's3:GetObject', 's3:PutObject'],
  compact: ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject'],
};

/** Where each component mounts the object-store config Secret. */
export const OBJSTORE_DIR = '/etc/thanos/objstore';
export const OBJSTORE_FILE = 'objstore.yaml';

/** The Service port names. Query finds StoreAPIs by the SRV record of `grpc`. */
export const PORT_NAMES = { grpc: 'grpc', http: 'http', remoteWrite: 'remote-write' } as const;

/**
 * A StoreAPI that Thanos Query (and anything else that speaks it) can discover: receive ingestors,
 * store gateways, rulers and sidecars each expose one. Components are wired by passing these.
 */
export interface StoreApiEndpoint {
  /** The discovery address, e.g. `dnssrv+_grpc._tcp.thanos-store.obs.svc.cluster.local`. */
  readonly address: string;
  /** Which component serves it, for messages. */
  readonly component: string;
  /** The external labels whose value differs between replicas of the same data; query deduplicates along them. */
  readonly replicaLabels: readonly string[];
  /**
   * Whether its replicas hold sample-identical copies (receive replication), which the compactor
   * may merge one-to-one; copies made independently (HA rulers, Prometheus pairs) need the penalty
   * algorithm. @default false
   */
  readonly identicalReplicas?: boolean;
  /**
   * Remote-write URLs whose series this StoreAPI serves (receive): query then also deduplicates
   * along the replica labels of every writer to them. @default none
   */
  readonly ingestUrls?: readonly string[];
}

/** Options every Thanos component takes. */
export interface ThanosComponentOptions extends WorkloadOptions {
  /** Log level. @default "info" */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/** Which listeners a component has: query-frontend and compact serve no gRPC, receive also takes remote-write. */
export interface ThanosListeners {
  /** @default true */
  readonly grpc?: boolean;
  /** @default false */
  readonly remoteWrite?: boolean;
}

/** The flags every Thanos sub-command shares: listen addresses, logging and a Go memory limit. */
export function commonFlags(options: ThanosComponentOptions, listeners: ThanosListeners = {}): string[] {
  return [
    ...((listeners.grpc ?? true) ? [`--grpc-address=0.0.0.0:${THANOS_PORTS.grpc}`] : []),
    `--http-address=0.0.0.0:${THANOS_PORTS.http}`,
    `--log.level=${options.logLevel ?? 'info'}`,
    '--log.format=logfmt',
    // Go's GC then keeps the heap under the container's memory limit instead of being OOM-killed.
    '--enable-auto-gomemlimit',
  ];
}

/** The container ports of a component. */
export function thanosPorts(listeners: ThanosListeners = {}): Array<{ name: string; containerPort: number }> {
  return [
    ...((listeners.grpc ?? true) ? [{ name: PORT_NAMES.grpc, containerPort: THANOS_PORTS.grpc }] : []),
    { name: PORT_NAMES.http, containerPort: THANOS_PORTS.http },
    ...(listeners.remoteWrite ? [{ name: PORT_NAMES.remoteWrite, containerPort: THANOS_PORTS.remoteWrite }] : []),
  ];
}

/** Liveness on `/-/healthy`, readiness on `/-/ready`, with room for long start-ups (WAL replay, index sync). */
export function thanosProbes(liveFailures = 4, scheme: 'HTTP' | 'HTTPS' = 'HTTP'): Pick<k8s.Container, 'readinessProbe' | 'livenessProbe'> {
  return {
    readinessProbe: httpProbe('/-/ready', PORT_NAMES.http, { initialDelaySeconds: 5, periodSeconds: 5, failureThreshold: 20, scheme }),
    livenessProbe: httpProbe('/-/healthy', PORT_NAMES.http, { initialDelaySeconds: 10, periodSeconds: 30, failureThreshold: liveFailures, scheme }),
  };
}

/** The pinned Thanos image unless overridden. */
export function thanosImage(options: WorkloadOptions): ImageRef {
  return options.image ?? IMAGES.thanos;
}

/** `NAME` and `NAMESPACE` from the downward API, for per-pod labels and addresses. */
export const POD_ENV: k8s.EnvVar[] = [
  { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
];

/** The srv discovery address of a headless Service's gRPC port. */
export function grpcSrvAddress(serviceHost: string): string {
  return `dnssrv+_${PORT_NAMES.grpc}._tcp.${serviceHost}`;
}
