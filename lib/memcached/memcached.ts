import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { mergeArgs } from '../core/args';
import { IMAGES, ImageRef, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { tcpProbe, httpProbe, SchedulingOptions } from '../core/pod';
import { ResourceRequirements } from '../core/resources';
import { createService } from '../core/service';
import { Workload } from '../core/workload';

/** What a user sets on a memcached cache. */
export interface MemcachedOptions {
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

export interface MemcachedProps extends MemcachedOptions {
  /** The owning component's identity; the cache is its sibling `<instance>-<component>`. */
  readonly owner: ComponentIdentity;
  /** Component name of the cache, e.g. `chunks-cache`. */
  readonly component: string;
  /** Cluster DNS domain. */
  readonly clusterDomain: string;
}

const CLIENT_PORT = 11211;
const EXPORTER_PORT = 9150;
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

  constructor(scope: Construct, id: string, props: MemcachedProps) {
    super(scope, id);
    const image = props.image ?? IMAGES.memcached;
    this.identity = props.owner.sibling(props.component, imageVersion(image));
    this.serviceHost = this.identity.serviceHost(this.identity.name, props.clusterDomain);
    const memoryMb = props.memoryMb ?? 1024;
    const replicas = props.replicas ?? 1;
    // memcached uses a little more than -m for connections and slab overhead.
    const podMemory = `${Math.ceil(memoryMb * 1.2)}Mi`;

    this.service = createService(this, 'Service', {
      identity: this.identity,
      name: this.identity.name,
      headless: true,
      ports: [{ name: 'client', port: CLIENT_PORT }, { name: 'http-metrics', port: EXPORTER_PORT }],
    });
    this.workload = new Workload(this, 'Workload', {
      kind: 'StatefulSet',
      identity: this.identity,
      serviceName: this.identity.name,
      replicas,
      podIdentity: { runAsUser: MEMCACHED_UID, runAsGroup: MEMCACHED_UID, fsGroup: MEMCACHED_UID },
      terminationGracePeriodSeconds: 60,
      scheduling: props.scheduling,
      tmpVolume: false,
      containers: [
        {
          name: 'memcached',
          image,
          // Long `--flag=value` forms, so that extraArgs can replace any of them by name.
          args: mergeArgs(
            [`--memory-limit=${memoryMb}`, `--max-item-size=${props.maxItemSize ?? '5m'}`, '--conn-limit=16384', `--port=${CLIENT_PORT}`, '--extended=modern,track_sizes'],
            props.extraArgs,
          ),
          ports: [{ name: 'client', containerPort: CLIENT_PORT }],
          readinessProbe: tcpProbe('client'),
          livenessProbe: tcpProbe('client', { initialDelaySeconds: 30 }),
          resources: props.resources ?? { requests: { cpu: '500m', memory: podMemory }, limits: { memory: podMemory } },
        },
        {
          name: 'exporter',
          image: IMAGES.memcachedExporter,
          runAsUser: EXPORTER_UID,
          args: [`--memcached.address=localhost:${CLIENT_PORT}`, `--web.listen-address=:${EXPORTER_PORT}`],
          ports: [{ name: 'http-metrics', containerPort: EXPORTER_PORT }],
          readinessProbe: httpProbe('/metrics', 'http-metrics'),
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
        },
      ],
    });
  }
}
