import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { checkWorkloadOptions } from '../core/check-options';
import { Validator } from '../core/errors';
import { IMAGES } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { HostAccess, SchedulingOptions, httpProbe } from '../core/pod';
import { dnsLabel, namespaceName } from '../core/rules';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { collectorIdentity } from './rbac';
import { checkClusterDomain } from '../core/cluster-domain';
import { clusterDomainOf } from '../core/cluster-domain';
import { WebConfigFile, toolkitHttps } from '../core/serving-tls';

const PORT = 9100;
const PORT_NAME = 'metrics';
/** `nobody` of the busybox image; its USER is not numeric, so the pod must say it. */
const NOBODY = 65534;

/**
 * Collectors that, without the node's namespaces and file systems, report the pod instead of the
 * node (its eth0, its sockets, its own mounts): turned off rather than left to mislead.
 */
const POD_SCOPED_COLLECTORS = ['filesystem', 'netdev', 'netstat', 'sockstat', 'conntrack', 'arp', 'netclass'];

/** Where the node's directories are mounted in host-access mode; the `--path.*` flags follow them. */
const HOST_MOUNTS = [
  { name: 'proc', path: '/proc', mountPath: '/host/proc', flag: 'path.procfs' },
  { name: 'sys', path: '/sys', mountPath: '/host/sys', flag: 'path.sysfs' },
  { name: 'root', path: '/', mountPath: '/host/root', flag: 'path.rootfs' },
] as const;

/** Kubernetes' own mounts (pod volumes, container layers) are not the node's disks. */
const MOUNT_POINTS_EXCLUDE = '^/(dev|proc|sys|run/k3s/containerd/.+|var/lib/docker/.+|var/lib/kubelet/pods/.+)($|/)';

/** Props of {@link NodeExporter}. */
export interface NodeExporterProps extends WorkloadOptions {
  /** Namespace of every object. With `hostAccess` it must admit privileged pods. */
  readonly namespace: string;
  /** Name of the DaemonSet, its headless Service and its ServiceAccount. @default "node-exporter" */
  readonly name?: string;
  /**
   * Give the exporter the node's network and process namespaces and read-only mounts of the
   * node's `/proc`, `/sys` and `/`, so that every collector reports the node.
   *
   * Such pods are below Pod Security "baseline" (host namespaces, hostPath volumes): the namespace
   * must enforce `privileged` (e.g. `RestrictedNamespace(..., 'privileged')`), or the API server
   * refuses them. The exporter binds port 9100 on every node, which must be free there.
   *
   * Without it, the pod stays "restricted" and still reports the node's CPU, memory, load,
   * vmstat, disk I/O, pressure, file descriptors, entropy and time (kernel files that are not
   * namespaced); the network, socket, conntrack, ARP and filesystem collectors are turned off,
   * because inside a pod they would report the pod.
   * @default false
   */
  readonly hostAccess?: boolean;
  /** Cluster DNS domain, for the scrape target. @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * Prometheus node-exporter: one pod per node (a DaemonSet tolerating every taint, so tainted
 * nodes are measured too) and a headless Service whose SRV record lists every node's exporter.
 * It needs no Kubernetes API access, so its ServiceAccount mounts no token.
 */
export class NodeExporter extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  /** The headless Service `<name>`. */
  readonly service: k8s.KubeService;
  /** Where every node's metrics are scraped (one SRV record, one target per node). */
  readonly scrapeTarget: ScrapeTarget;

  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id);
    const name = props.name ?? 'node-exporter';
    validate(this, props, name);
    const image = props.image ?? IMAGES.nodeExporter;
    this.identity = collectorIdentity('node-exporter', 'exporter', name, props.namespace, image);
    const hostAccess = props.hostAccess ?? false;

    this.service = createService(this, 'Service', { identity: this.identity, name, headless: true, ports: [{ name: PORT_NAME, port: PORT }] });
    createServiceAccount(this, 'ServiceAccount', this.identity, name);
    // With serving TLS, HTTPS only; the SRV record names each pod (`*.<name>`), which the certificate holds.
    const https = toolkitHttps(this, this.identity, { names: [], headless: [name] });
    const scheme = https ? 'HTTPS' : 'HTTP';
    this.workload = new Workload(this, 'Workload', {
      kind: 'DaemonSet',
      identity: this.identity,
      replicas: 1,
      podIdentity: { runAsUser: NOBODY, runAsGroup: NOBODY, fsGroup: NOBODY },
      serviceAccountName: name,
      ...podOptions(props),
      scheduling: nodeAgentScheduling(props.scheduling),
      hostAccess: hostAccess ? nodeAccess() : undefined,
      volumes: https ? [...https.volumes] : undefined,
      configChecksums: https ? [https.webConfig.file.checksum] : undefined,
      containers: [
        withOptions(props, {
          name: 'node-exporter',
          image,
          args: [...(hostAccess ? hostFlags() : restrictedFlags()), ...(https ? [`--web.config.file=${WebConfigFile.PATH}`] : [])],
          ports: [{ name: PORT_NAME, containerPort: PORT }],
          volumeMounts: [
            ...(hostAccess ? HOST_MOUNTS.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true, mountPropagation: 'HostToContainer' })) : []),
            ...(https?.mounts ?? []),
          ],
          // No health endpoint exists; the landing page answers as long as the HTTP server runs.
          readinessProbe: httpProbe('/', PORT_NAME, { initialDelaySeconds: 0, scheme }),
          livenessProbe: httpProbe('/', PORT_NAME, { scheme }),
          defaultResources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '180Mi' } },
        }),
      ],
    });
    this.scrapeTarget = srvScrapeTarget(name, PORT_NAME, this.identity.serviceHost(name, clusterDomainOf(this, props.clusterDomain)), undefined, {
      https: https ? { certificateSecret: https.certificate.secretName } : undefined,
    });
  }
}

/** Restricted mode: the pod's own /proc and /sys, and no collector that would describe the pod. */
function restrictedFlags(): string[] {
  return [...POD_SCOPED_COLLECTORS.map((c) => `--no-collector.${c}`), `--web.listen-address=:${PORT}`];
}

/** Host mode: every collector, reading the node's directories where they are mounted. */
function hostFlags(): string[] {
  return [
    `--web.listen-address=:${PORT}`,
    ...HOST_MOUNTS.map((m) => `--${m.flag}=${m.mountPath}`),
    // udev data of the node's disks (node_disk_info), under the node's root mount.
    `--path.udev.data=${HOST_MOUNTS[2].mountPath}/run/udev/data`,
    `--collector.filesystem.mount-points-exclude=${MOUNT_POINTS_EXCLUDE}`,
  ];
}

function nodeAccess(): HostAccess {
  return {
    reason: "node-exporter reads the node's /proc, /sys and mounts, and its network and process namespaces, to report the node instead of its own pod",
    hostNetwork: true,
    hostPID: true,
    hostPaths: HOST_MOUNTS.map((m) => ({ name: m.name, path: m.path })),
  };
}

/** A node agent runs on every Linux node, tainted or not, unless the user narrows it. */
function nodeAgentScheduling(user: SchedulingOptions | undefined): SchedulingOptions {
  return {
    ...user,
    tolerations: user?.tolerations ?? [{ operator: 'Exists' }],
    // The image is Linux-only; a Windows node would keep a pod in a crash loop.
    nodeSelector: user?.nodeSelector ?? { 'kubernetes.io/os': 'linux' },
  };
}

function validate(scope: Construct, props: NodeExporterProps, name: string): void {
  const v = new Validator(scope);
  v.apply('name', name, dnsLabel(name));
  v.apply('namespace', props.namespace, namespaceName(props.namespace));
  checkClusterDomain(v, props.clusterDomain);
  checkWorkloadOptions(v, '', props, IMAGES.nodeExporter);
  v.throwIfAny();
}
