import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { checkReplicas, checkWorkloadOptions } from '../core/check-options';
import { parseDuration } from '../core/duration';
import { Validator } from '../core/errors';
import { IMAGES } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { volumeSize } from '../core/rules';
import { ScrapeTarget } from '../core/scrape-target';
import { Workload } from '../core/workload';
import { VM_PORTS, VM_PORT_NAMES, VmComponentOptions, VmPlacement, checkDedupInterval, checkPlacement, vmIdentity } from './common';
import { vmHttps, vmScrapeTarget, vmServices, vmWorkload } from './component';
import { retentionRule } from './retention';
import { clusterDomainOf } from '../core/cluster-domain';
import { VmBackupOptions, vmBackupParts } from './backup';

const DATA_DIR = '/storage';
/** Room after the vminsert connections are closed, to flush in-memory parts to disk. */
const FLUSH_MARGIN_SECONDS = 30;

/** How vmstorage runs, apart from what the cluster decides (retention, deduplication). */
export interface VmStorageOptions extends VmComponentOptions {
  /**
   * Storage nodes. vminsert and vmselect list every one by name, so a change re-renders both.
   * Adding nodes is safe; removing one hides its data from queries (its volume is kept).
   * @default 3
   */
  readonly replicas?: number;
  /** Size of each node's volume. @default "50Gi" */
  readonly storageSize?: string;
  /** Storage class of the volumes. @default the cluster default */
  readonly storageClass?: string;
  /**
   * How long a stopping node takes to close its vminsert connections one by one, so that the
   * other nodes take over the load gradually (`-storage.vminsertConnsShutdownDuration`).
   * @default "25s"
   */
  readonly vminsertConnsShutdownDuration?: string;
  /**
   * Seconds from SIGTERM to SIGKILL: the connection shutdown plus time to flush to disk.
   * @default 120
   */
  readonly terminationGracePeriodSeconds?: number;
  /** PodDisruptionBudget; `false` for none. @default maxUnavailable 1 */
  readonly disruptionBudget?: { readonly maxUnavailable: number } | false;
  /**
   * Not offered: vmstorage is never autoscaled. Nodes do not rebalance, so a node an autoscaler
   * removes takes its data out of every query. Size it with `replicas`.
   * @default none: it cannot be set
   */
  readonly autoscaling?: never;
}

/** Props of {@link VmStorage}. */
export interface VmStorageProps extends VmStorageOptions, VmPlacement {
  /** How long samples are kept (`-retentionPeriod`): at least 24h; a bare number counts months. */
  readonly retention: string;
  /** Keep one sample per series per interval (`-dedup.minScrapeInterval`). @default none */
  readonly dedupInterval?: string;
  /** Back every node up to object storage with vmbackup, and restore from there (see {@link VmBackupOptions}). @default no backups */
  readonly backup?: VmBackupOptions;
}

/**
 * vmstorage: a StatefulSet whose pods each keep a share of the series on their own volume, and a
 * headless Service that gives every pod a stable DNS name, published even while the pod is not
 * ready so that vminsert and vmselect can resolve all the names they are given at any time.
 */
export class VmStorage extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly headlessService: k8s.KubeService;
  readonly replicas: number;
  /** Where the nodes' backups go (`s3://<bucket>/<prefix>/<pod>/latest`), when backed up. */
  readonly backup?: { readonly bucket: string; readonly prefix: string };
  /** Where its metrics are scraped. */
  readonly scrapeTarget: ScrapeTarget;
  private readonly clusterDomain: string;
  /** `<headless>.<namespace>.svc.<domain>`: each pod is `<name>-<i>.` under it. */
  private readonly headlessHost: string;

  constructor(scope: Construct, id: string, props: VmStorageProps) {
    super(scope, id);
    const r = resolveStorage(this, props);
    validateStorage(this, props, r);
    this.identity = r.identity;
    this.replicas = r.replicas;
    this.clusterDomain = r.clusterDomain;

    this.headlessService = vmServices(
      this,
      this.identity,
      [
        { name: VM_PORT_NAMES.http, port: VM_PORTS.vmstorage },
        { name: VM_PORT_NAMES.storageInsert, port: VM_PORTS.storageInsert },
        { name: VM_PORT_NAMES.storageSelect, port: VM_PORTS.storageSelect },
      ],
      { clusterIp: false, publishNotReadyAddresses: true },
    ).headless;

    // HTTPS on the HTTP port only (metrics, snapshots): the RPC ports have no TLS in the open-source build.
    const https = vmHttps(this, this.identity, { clusterIp: false });
    this.headlessHost = this.identity.serviceHost(this.headlessService.metadata.name!, this.clusterDomain);
    const backup = props.backup
      ? vmBackupParts(this, props.backup, {
          instance: props.name ?? 'vm',
          namespace: props.namespace,
          replicas: this.replicas,
          dataDir: DATA_DIR,
          dataVolume: 'storage',
          https,
          serverName: this.headlessHost,
        })
      : undefined;
    this.backup = backup && { bucket: backup.bucket, prefix: backup.prefix };
    this.workload = vmWorkload(this, 'Workload', {
      identity: this.identity,
      kind: 'StatefulSet',
      // vminsert writes each sample's copies to distinct storage nodes: they must be distinct machines too.
      exclusiveNodes: true,
      replicas: this.replicas,
      image: r.image,
      options: props,
      httpPort: VM_PORTS.vmstorage,
      extraPorts: [
        { name: VM_PORT_NAMES.storageInsert, containerPort: VM_PORTS.storageInsert },
        { name: VM_PORT_NAMES.storageSelect, containerPort: VM_PORTS.storageSelect },
      ],
      flags: [
        `-storageDataPath=${DATA_DIR}`,
        `-retentionPeriod=${props.retention}`,
        `-vminsertAddr=:${VM_PORTS.storageInsert}`,
        `-vmselectAddr=:${VM_PORTS.storageSelect}`,
        `-storage.vminsertConnsShutdownDuration=${r.shutdown}`,
        ...(props.dedupInterval ? [`-dedup.minScrapeInterval=${props.dedupInterval}`] : []),
      ],
      volumeMounts: [{ name: 'storage', mountPath: DATA_DIR }],
      volumeClaims: [{ name: 'storage', size: r.storageSize, storageClass: props.storageClass }],
      defaultResources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '4Gi' } },
      terminationGracePeriodSeconds: r.grace,
      liveness: false,
      disruptionBudget: r.disruptionBudget,
      https,
      sidecars: backup ? [backup.sidecar] : [],
      initContainers: backup?.initContainers,
      storageUse: backup?.storageUse,
    });
    this.scrapeTarget = vmScrapeTarget(this.identity, this.clusterDomain, https);
  }

  /** `host:port` of every node for vminsert (`-storageNode`), in ordinal order. */
  get insertNodes(): string[] {
    return this.nodes(VM_PORTS.storageInsert);
  }

  /** `host:port` of every node for vmselect (`-storageNode`), in ordinal order. */
  get selectNodes(): string[] {
    return this.nodes(VM_PORTS.storageSelect);
  }

  /**
   * Each pod by its stable name: vminsert spreads series over the listed nodes by consistent
   * hashing, so a Service name (one address for all) would be wrong, and the open-source
   * binaries cannot discover nodes by SRV.
   */
  private nodes(port: number): string[] {
    return Array.from({ length: this.replicas }, (_, i) => `${this.identity.name}-${i}.${this.headlessHost}:${port}`);
  }
}

/** Every prop of vmstorage with its default filled in. */
type ResolvedStorage = ReturnType<typeof resolveStorage>;

/** Fills in every default, in one place. */
function resolveStorage(scope: Construct, props: VmStorageProps) {
  const image = props.image ?? IMAGES.vmstorage;
  return {
    image,
    identity: vmIdentity(props, 'vmstorage', image),
    replicas: props.replicas ?? 3,
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
    shutdown: props.vminsertConnsShutdownDuration ?? '25s',
    grace: props.terminationGracePeriodSeconds ?? 120,
    storageSize: props.storageSize ?? '50Gi',
    disruptionBudget: props.disruptionBudget ?? { maxUnavailable: 1 },
  };
}

function validateStorage(scope: Construct, props: VmStorageProps, r: ResolvedStorage): void {
  const { shutdown, grace } = r;
  const v = new Validator(scope);
  checkPlacement(v, props, 'vmstorage');
  checkReplicas(v, 'replicas', r.replicas);
  checkWorkloadOptions(v, '', props, IMAGES.vmstorage);
  v.check(
    (props as { autoscaling?: unknown }).autoscaling === undefined,
    'autoscaling',
    (props as { autoscaling?: unknown }).autoscaling,
    'is not offered for vmstorage: nodes do not rebalance, so a node an autoscaler removes takes its data out of every query',
    'leave autoscaling unset and size vmstorage with replicas; autoscale vminsert and vmselect instead',
  );
  v.apply('retention', props.retention, retentionRule(props.retention));
  checkDedupInterval(v, props.dedupInterval, 'write it as the scrape interval, e.g. "30s"');
  if (props.storageSize !== undefined) v.apply('storageSize', props.storageSize, volumeSize(props.storageSize));
  const shutdownMs = parseDuration(shutdown);
  if (v.check(shutdownMs !== undefined, 'vminsertConnsShutdownDuration', shutdown, 'is not a duration', 'write it as "25s"')) {
    const needed = Math.ceil(shutdownMs! / 1000) + FLUSH_MARGIN_SECONDS;
    v.check(
      grace >= needed,
      'terminationGracePeriodSeconds',
      grace,
      `leaves no time to flush after the ${shutdown} vminsert connection shutdown, so a rollout would kill vmstorage mid-write`,
      `set it to ${needed} or more, or shorten vminsertConnsShutdownDuration`,
    );
  }
  v.throwIfAny();
}
