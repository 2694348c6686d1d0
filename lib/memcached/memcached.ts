import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { checkReplicas, checkWorkloadOptions } from '../core/check-options';
import { Validator } from '../core/errors';
import { IMAGES, ImageRef, imageVersion } from '../core/images';
import { positiveInteger } from '../core/rules';
import { ComponentIdentity } from '../core/names';
import { tcpProbe, httpProbe, SchedulingOptions } from '../core/pod';
import { ResourceRequirements } from '../core/resources';
import { createService } from '../core/service';
import { PLATFORM_CA_FILE, SERVING_CERT_FILE, SERVING_KEY_FILE, ToolkitHttps, WebConfigFile, servingTlsOf, toolkitHttps } from '../core/serving-tls';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';

/** What a user sets on a memcached cache. */
export interface MemcachedOptions extends WorkloadOptions {
  /** Memory for items, in MiB (`-m`). Size it explicitly: upstream chart defaults do not fit small clusters. @default 1024 */
  readonly memoryMb?: number;
  /** Number of memcached pods. @default 1 */
  readonly replicas?: number;
  /** Largest item size (`-I`). @default "5m" */
  readonly maxItemSize?: string;
  /** Requests and limits. @default memory request and limit = 1.2 × memoryMb, 500m CPU request */
  readonly resources?: ResourceRequirements;
  /** Extra memcached flags. @default none */
  readonly extraArgs?: readonly string[];
  /** Scheduling of the pods. @default spread over nodes and zones */
  readonly scheduling?: SchedulingOptions;
  /** Image override. @default the pinned memcached image */
  readonly image?: ImageRef;
}

/** Props of {@link Memcached}. */
export interface MemcachedProps extends MemcachedOptions {
  /** The owning component's identity; the cache is its sibling `<instance>-<component>`. */
  readonly owner: ComponentIdentity;
  /** Component name of the cache, e.g. `chunks-cache`. */
  readonly component: string;
  /** Cluster DNS domain. */
  readonly clusterDomain: string;
  /**
   * Serve the client port over mutual TLS (client certificates from the platform's CA required)
   * from a certificate of the cache's own, and the exporter's metrics over HTTPS. Needs serving
   * TLS at the scope. Only for caches whose every client speaks TLS to memcached: Loki's do;
   * Thanos 0.42's memcached client has no TLS settings. The client port then listens on IPv4
   * (0.0.0.0), beside a plain listener on loopback for the exporter and the certificate refresh.
   * @default false
   */
  readonly tls?: boolean;
}

const CLIENT_PORT = 11211;
/** With TLS: a plain listener on loopback only, for the exporter and the certificate refresh. */
const LOOPBACK_PORT = 11212;
const EXPORTER_PORT = 9150;
/** How often the pod tells memcached to read its certificate again (it never does on its own). */
const REFRESH_SECONDS = 3600;
/** uid of the `memcache` user of the official alpine image. */
const MEMCACHED_UID = 11211;
/** uid `nobody` that the memcached-exporter image runs as. */
const EXPORTER_UID = 65534;

/**
 * A memcached cache with its Prometheus exporter, as a StatefulSet behind a headless Service so
 * that clients discover every pod through SRV records (`_client._tcp.<service>`).
 */
export class Memcached extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly service: k8s.KubeService;
  /** `<service>.<ns>.svc.<domain>`, the name whose SRV records list every pod. */
  readonly serviceHost: string;
  /** The Service port name clients look up by SRV. */
  readonly portName = 'client';
  /** With TLS: the name clients check (the Service's full name, which the certificate carries). */
  readonly tlsServerName?: string;

  constructor(scope: Construct, id: string, props: MemcachedProps) {
    super(scope, id);
    const image = props.image ?? IMAGES.memcached;
    this.identity = props.owner.sibling(props.component, imageVersion(image));
    this.serviceHost = this.identity.serviceHost(this.identity.name, props.clusterDomain);
    const memoryMb = props.memoryMb ?? 1024;
    const replicas = props.replicas ?? 1;
    // memcached uses a little more than -m for connections and slab overhead.
    const podMemory = `${Math.ceil(memoryMb * 1.2)}Mi`;
    const https = props.tls ? this.tlsOf() : undefined;
    if (https) this.tlsServerName = this.serviceHost;

    this.service = createService(this, 'Service', {
      identity: this.identity,
      name: this.identity.name,
      headless: true,
      ports: [
        { name: 'client', port: CLIENT_PORT },
        { name: 'http-metrics', port: EXPORTER_PORT },
      ],
    });
    this.workload = new Workload(this, 'Workload', {
      kind: 'StatefulSet',
      identity: this.identity,
      serviceName: this.identity.name,
      replicas,
      podIdentity: { runAsUser: MEMCACHED_UID, runAsGroup: MEMCACHED_UID, fsGroup: MEMCACHED_UID },
      terminationGracePeriodSeconds: 60,
      ...podOptions(props),
      tmpVolume: false,
      containers: [
        withOptions(props, {
          name: 'memcached',
          image,
          // Long `--flag=value` forms, so that extraArgs can replace any of them by name.
          args: [
            `--memory-limit=${memoryMb}`,
            `--max-item-size=${props.maxItemSize ?? '5m'}`,
            '--conn-limit=16384',
            `--port=${CLIENT_PORT}`,
            // One --extended, so that extraArgs can still replace it by name.
            `--extended=${['modern', 'track_sizes', ...(https ? tlsOptions() : [])].join(',')}`,
            ...(https ? ['--enable-ssl', `--listen=0.0.0.0,notls:127.0.0.1:${LOOPBACK_PORT}`] : []),
          ],
          volumeMounts: https ? [https.certificate.mount] : undefined,
          ports: [{ name: 'client', containerPort: CLIENT_PORT }],
          readinessProbe: tcpProbe('client'),
          livenessProbe: tcpProbe('client', { initialDelaySeconds: 30 }),
          defaultResources: { requests: { cpu: '500m', memory: podMemory }, limits: { memory: podMemory } },
        }),
        {
          name: 'exporter',
          image: IMAGES.memcachedExporter,
          runAsUser: EXPORTER_UID,
          args: [
            `--memcached.address=localhost:${https ? LOOPBACK_PORT : CLIENT_PORT}`,
            `--web.listen-address=:${EXPORTER_PORT}`,
            ...(https ? [`--web.config.file=${WebConfigFile.PATH}`] : []),
          ],
          ports: [{ name: 'http-metrics', containerPort: EXPORTER_PORT }],
          volumeMounts: https ? [...https.mounts] : undefined,
          readinessProbe: httpProbe('/metrics', 'http-metrics', { scheme: https ? 'HTTPS' : 'HTTP' }),
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
        },
        ...(https
          ? [
              {
                name: 'cert-refresh',
                image: IMAGES.busybox,
                command: ['/bin/sh', '-c', certRefreshScript()],
                resources: { requests: { cpu: '5m', memory: '8Mi' }, limits: { memory: '16Mi' } },
              },
            ]
          : []),
      ],
      volumes: https ? [...https.volumes] : undefined,
      configChecksums: https ? [https.webConfig.file.checksum] : undefined,
    });
  }

  /** The certificate and web config of a TLS cache, refused when nothing above turned serving TLS on. */
  private tlsOf(): ToolkitHttps {
    const v = new Validator(this);
    v.check(
      servingTlsOf(this) !== undefined,
      'tls',
      true,
      'needs a certificate for the cache, and serving TLS is not on where the cache is made',
      "make it below the scope that turns serving TLS on (the platform's tls, or setServingTls on a parent), or leave tls off",
    );
    v.throwIfAny();
    return toolkitHttps(this, this.identity, { names: [this.identity.name], headless: [this.identity.name] })!;
  }
}

/**
 * memcached's TLS options: its certificate, and client certificates required from the CA. The
 * minimum version is TLS 1.2 by default.
 */
function tlsOptions(): string[] {
  return [`ssl_chain_cert=${SERVING_CERT_FILE}`, `ssl_key=${SERVING_KEY_FILE}`, `ssl_ca_cert=${PLATFORM_CA_FILE}`, 'ssl_verify_mode=2'];
}

/**
 * memcached reads its certificate at start and on `refresh_certs` only: the sidecar sends that
 * every hour on the loopback listener, so a renewed certificate is served long before the old one
 * expires. The reply (OK or the error) goes to the sidecar's log.
 */
export function certRefreshScript(): string {
  return `while sleep ${REFRESH_SECONDS}; do printf 'refresh_certs\\r\\nquit\\r\\n' | nc 127.0.0.1 ${LOOPBACK_PORT}; done`;
}

/** memcached's `-I`: a whole number with an optional k or m (it reads `2g` as 2 bytes and refuses it). */
const ITEM_SIZE = /^(\d+)([kKmM]?)$/;

/** Bytes in a `--max-item-size` value as memcached parses it, or undefined when it cannot. */
export function itemSizeBytes(value: string): number | undefined {
  const m = typeof value === 'string' ? ITEM_SIZE.exec(value) : null;
  if (!m) return undefined;
  const unit = m[2].toLowerCase();
  return Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1);
}

/**
 * Checks a cache's options under `prefix` (e.g. `chunksCache`) the way memcached checks its flags
 * at start: an item size of at least 1k, at most 1g and at most half the memory.
 */
export function checkMemcachedOptions(v: Validator, prefix: string, options: MemcachedOptions | undefined): void {
  if (!options) return;
  const memoryMb = options.memoryMb ?? 1024;
  if (options.memoryMb !== undefined) v.apply(`${prefix}.memoryMb`, options.memoryMb, positiveInteger(options.memoryMb));
  if (options.replicas !== undefined) checkReplicas(v, `${prefix}.replicas`, options.replicas);
  checkWorkloadOptions(v, prefix, options, IMAGES.memcached);
  if (options.maxItemSize === undefined) return;
  const bytes = itemSizeBytes(options.maxItemSize);
  if (
    !v.check(
      bytes !== undefined,
      `${prefix}.maxItemSize`,
      options.maxItemSize,
      'is not a size memcached reads (a whole number with k or m; "2g" would be read as 2 bytes and refused at start)',
      'write it as "5m" or "512k"',
    )
  )
    return;
  const limit = Math.min(1024 * 1024 * 1024, (memoryMb * 1024 * 1024) / 2);
  v.check(
    bytes! >= 1024 && bytes! <= limit,
    `${prefix}.maxItemSize`,
    options.maxItemSize,
    `is outside what memcached accepts with ${memoryMb} MiB of memory (1k to half the memory, at most 1g); it would refuse to start`,
    `give a size from 1k to ${Math.floor(limit / 1024 / 1024)}m`,
  );
}
