import { Construct } from 'constructs';
import { schemeAt } from '../core/serving-tls';
import { receiveReplicationTlsFlags, thanosGrpcTlsOf } from './grpc-tls';
import { k8s } from '../core/k8s';
import { ConfigFile } from '../core/config-file';
import { Validator } from '../core/errors';
import { ComponentIdentity, LABELS, OWN_PREFIX } from '../core/names';
import { createService } from '../core/service';
import { ScrapeTarget } from '../core/scrape-target';
import { Wiring } from '../core/wiring';
import { Workload } from '../core/workload';
import { flagValue } from '../core/args';
import { checkExternalLabels, checkReplicas, checkVolumeSize, requireProps } from '../core/check-options';
import { RemoteWriteTarget } from '../core/remote-write';
import { ThanosBucket } from './bucket';
import { POD_ENV, StoreApiEndpoint, THANOS_PORTS, ThanosComponentOptions, grpcSrvAddress } from './common';
import { ThanosComponentProps, thanosIdentity, thanosScrapeTarget, thanosServicePorts, thanosWorkload } from './component';
import { HashringFileEntry, HashringMembers, buildHashrings, podEndpoint } from './hashring';
import { checkDuration, checkThanosComponent, labelFlag } from './validate';
import { clusterDomainOf } from '../core/cluster-domain';

/** One hashring: a StatefulSet of ingestors that owns the series of its tenants. */
export interface ThanosHashringOptions {
  /** Ring name; ring "default" runs as `<name>-receive`, any other as `<name>-receive-<ring>`. */
  readonly name: string;
  /** Tenants routed to this ring. A ring without tenants takes every other tenant (at most one such ring). @default none (catch-all) */
  readonly tenants?: readonly string[];
  /** How tenants are matched. @default "exact" */
  readonly tenantMatcher?: 'exact' | 'glob';
  /** Ingestor pods of this ring; at least the replication factor. @default the receive `replicas` */
  readonly replicas?: number;
  /** Size of each ingestor's TSDB volume. @default the receive `storageSize` */
  readonly storageSize?: string;
}

/** Props of {@link ThanosReceive}. */
export interface ThanosReceiveProps extends ThanosComponentProps {
  /** The bucket blocks are uploaded to. */
  readonly bucket: ThanosBucket;
  /** Ingestor pods per hashring. @default 3 */
  readonly replicas?: number;
  /** How many ingestors store each series; writes need a quorum of (RF / 2) + 1. @default 3 */
  readonly replicationFactor?: number;
  /** The hashrings, in any order (the catch-all is written last). @default one catch-all ring "default" */
  readonly hashrings?: readonly ThanosHashringOptions[];
  /**
   * `combined`: every ingestor also routes (RouterIngestor). `split`: a stateless router Deployment
   * reads the hashring and replicates to ingestors that only ingest, so hashring changes never touch
   * the ingestors.
   * @default "combined"
   */
  readonly routing?: 'combined' | 'split';
  /** The routers in `split` routing. @default 2 replicas */
  readonly router?: ThanosComponentOptions & { readonly replicas?: number };
  /** HTTP header that names the tenant of a write. @default "THANOS-TENANT" */
  readonly tenantHeader?: string;
  /** Tenant of writes without the header. @default "default-tenant" */
  readonly defaultTenant?: string;
  /** External label that carries the tenant on every block. @default "tenant_id" */
  readonly tenantLabel?: string;
  /** External label whose value is the pod name; query and compactor deduplicate along it. @default "replica" */
  readonly replicaLabel?: string;
  /** More external labels on every block, e.g. `{ cluster: 'prod-eu' }`. @default none */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** How long blocks stay on the ingestors after upload (queries of older data go to the store gateway). @default "1d" */
  readonly retention?: string;
  /** Size of each ingestor's TSDB volume. @default "20Gi" */
  readonly storageSize?: string;
  /** Storage class of the TSDB volumes. @default the cluster default */
  readonly storageClass?: string;
  /**
   * Exemplars kept in memory per ingestor (`--tsdb.max-exemplars`), so Grafana can link a metric
   * to the trace that produced it; 0 turns exemplar storage off.
   * @default 100000
   */
  readonly maxExemplars?: number;
}

/** A label ingestor pods carry so one Service can select the pods of every ring. */
const INGESTOR_LABEL = `${OWN_PREFIX}/thanos-receive-ingestor`;
const DATA_DIR = '/var/thanos/receive';
const HASHRING_DIR = '/var/lib/thanos-receive';
const HASHRING_FILE = 'hashrings.json';

/** Replication to the other ingestors goes over the cluster's gRPC mutual TLS, when it has one. */
function receiveReplicationTls(scope: Construct): string[] {
  const tls = thanosGrpcTlsOf(scope);
  return tls ? receiveReplicationTlsFlags(tls) : [];
}
const DEFAULT_RESOURCES = {
  ingestor: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2Gi' } },
  router: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } },
};

/**
 * Thanos Receive: Prometheus remote-write in, TSDB blocks out to the bucket. Each hashring is a
 * StatefulSet of ingestors with their TSDB on a volume; series are spread over a ring with the
 * ketama algorithm and replicated `replicationFactor` times. Query reads the ingestors through
 * {@link storeEndpoints}; writers send to {@link remoteWriteUrl}.
 */
export class ThanosReceive extends Construct {
  /** `http://<name>-receive.<ns>.svc.<domain>:19291/api/v1/receive`: where Prometheus, vmagent and Tempo write. */
  readonly remoteWriteUrl: string;
  /** The ingestors of every ring, for Query. */
  readonly storeEndpoints: readonly StoreApiEndpoint[];
  /** The header that names the tenant of a write, and the tenant of writes without it. */
  readonly tenantHeader: string;
  readonly defaultTenant: string;
  readonly replicaLabel: string;
  readonly replicationFactor: number;
  /** Tenants named by the hashrings (any other tenant goes to the catch-all ring, if there is one). */
  readonly tenants: readonly string[];
  /** The hashrings file as written. */
  readonly hashrings: readonly HashringFileEntry[];
  readonly hashringsConfig: ConfigFile;
  /** One StatefulSet per ring, by ring name. */
  readonly ingestors: Readonly<Record<string, Workload>>;
  /** The router Deployment in `split` routing. */
  readonly router?: Workload;
  /** The Service writers send to. */
  readonly service: k8s.KubeService;
  /** Where the metrics of every ingestor (and router) are scraped. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  /** The jobs of the ingestors alone (they upload blocks; routers only forward). */
  readonly ingestorJobs: readonly string[];
  /** Whether the ingestors keep exemplars (`maxExemplars` above 0). */
  readonly keepsExemplars: boolean;

  constructor(scope: Construct, id: string, props: ThanosReceiveProps) {
    super(scope, id);
    requireProps(this, props, {
      namespace: 'give the Kubernetes namespace of its objects',
      bucket: 'pass a ThanosBucket (or use ThanosCluster, which makes one)',
    });
    const r = resolveReceive(this, props);
    validateReceive(this, props, r);
    checkEmittedReplication(this, props, r.rings, r.replicas);
    this.tenantHeader = r.tenantHeader;
    this.defaultTenant = r.defaultTenant;
    this.replicaLabel = r.replicaLabel;
    this.replicationFactor = r.rf;
    this.keepsExemplars = r.maxExemplars > 0;
    this.tenants = [...new Set(r.rings.flatMap((ring) => ring.tenants ?? []))];

    this.hashrings = buildHashrings(r.members, props.namespace, r.clusterDomain, THANOS_PORTS.grpc);
    this.hashringsConfig = new ConfigFile(this, 'Hashrings', {
      identity: r.base.sibling('hashrings'),
      name: `${r.base.name}-hashrings`,
      files: { [HASHRING_FILE]: JSON.stringify(this.hashrings, null, 2) },
    });
    const flags = receiveFlags(r, this.hashringsConfig.name);
    const ingestors = this.emitIngestors(props, r, flags);
    this.ingestors = ingestors.workloads;
    this.ingestorJobs = ingestors.scrapeTargets.map((t) => t.job);
    const router = r.routing === 'split' ? this.emitRouter(props, r, flags) : undefined;
    this.router = router?.workload;
    this.scrapeTargets = [...ingestors.scrapeTargets, ...(router ? [router.scrapeTarget] : [])];
    this.service = this.emitWriteService(r);

    this.remoteWriteUrl = `${schemeAt(this)}://${r.base.host()}:${THANOS_PORTS.remoteWrite}/api/v1/receive`;
    this.storeEndpoints = r.members.map((ring) => ({
      address: grpcSrvAddress(r.base.host(ring.headlessService)),
      component: `receive ring "${ring.name}"`,
      replicaLabels: [this.replicaLabel],
      // Replication hands every ingestor of a series the very same samples.
      identicalReplicas: true,
      ingestUrls: [this.remoteWriteUrl],
    }));
    const wiring = Wiring.of(this);
    for (const endpoint of this.storeEndpoints) wiring.flow(this.remoteWriteUrl, endpoint.address);
  }

  /** One StatefulSet per ring, each with the headless Service that names its pods. */
  private emitIngestors(
    props: ThanosReceiveProps,
    r: ResolvedReceive,
    flags: ReceiveFlags,
  ): { workloads: Record<string, Workload>; scrapeTargets: ScrapeTarget[] } {
    const workloads: Record<string, Workload> = {};
    const scrapeTargets: ScrapeTarget[] = [];
    const combined = r.routing === 'combined';
    r.members.forEach((ring, i) => {
      const identity = ringIdentity(r.base, ring.name);
      // Not-ready pods are published too: a pod replaying its WAL must still be reachable by name.
      const headless = createService(this, identity.headlessName, {
        identity,
        name: ring.headlessService,
        headless: true,
        publishNotReadyAddresses: true,
        ports: thanosServicePorts({ remoteWrite: true }),
      });
      scrapeTargets.push(thanosScrapeTarget(this, identity, headless, r.clusterDomain));
      const localEndpoint = podEndpoint('$(NAME)', ring.headlessService, props.namespace, r.clusterDomain, THANOS_PORTS.grpc);
      workloads[ring.name] = thanosWorkload(this, identity.name, {
        identity,
        kind: 'StatefulSet',
        replicas: ring.replicas,
        // Each series is replicated to several receivers: two on one node would lose both copies together.
        exclusiveNodes: true,
        subcommand: 'receive',
        flags: [
          // Replication to the other ingestors goes over the same mutual TLS as the StoreAPI.
          ...receiveReplicationTls(this),
          `--remote-write.address=0.0.0.0:${THANOS_PORTS.remoteWrite}`,
          `--tsdb.path=${DATA_DIR}`,
          `--tsdb.retention=${r.retention}`,
          `--tsdb.max-exemplars=${r.maxExemplars}`,
          ...flags.labels,
          ...flags.tenant,
          // Combined routing: the pod finds itself in the ring by this address (`$(NAME)` is the pod name).
          ...(combined ? [...flags.routing, `--receive.local-endpoint=${localEndpoint}`] : []),
        ],
        options: props,
        bucket: props.bucket,
        bucketAccess: 'upload',
        env: POD_ENV,
        volumes: combined ? [flags.hashringVolume] : [],
        volumeMounts: [{ name: 'data', mountPath: DATA_DIR }, ...(combined ? [flags.hashringMount] : [])],
        volumeClaims: [{ name: 'data', size: r.rings[i].storageSize ?? props.storageSize ?? '20Gi', storageClass: props.storageClass }],
        defaultResources: DEFAULT_RESOURCES.ingestor,
        // The head block is flushed and uploaded on shutdown; a large head needs minutes.
        terminationGracePeriodSeconds: 900,
        livenessFailures: 8,
        listeners: { remoteWrite: true },
        extraPodLabels: { [INGESTOR_LABEL]: 'true' },
        // Writers reach every ring through the one write Service.
        serviceNames: { names: [r.base.name, identity.name], headless: [ring.headlessService] },
        // A write needs a quorum: never take down more than RF/2 ingestors at once.
        disruptionBudget: ring.replicas > 1 ? { maxUnavailable: Math.max(1, Math.floor(r.rf / 2)) } : false,
      });
    });
    return { workloads, scrapeTargets };
  }

  /** Split routing: routers that only forward to the rings, with their own headless Service. */
  private emitRouter(props: ThanosReceiveProps, r: ResolvedReceive, flags: ReceiveFlags): { workload: Workload; scrapeTarget: ScrapeTarget } {
    const identity = r.base.sibling('receive-router');
    const router = props.router ?? {};
    const workload = thanosWorkload(this, 'Router', {
      identity,
      kind: 'Deployment',
      replicas: router.replicas ?? 2,
      subcommand: 'receive',
      // No local endpoint: with a hashring and without one, receive only routes (RouterOnly).
      flags: [...receiveReplicationTls(this), `--remote-write.address=0.0.0.0:${THANOS_PORTS.remoteWrite}`, ...flags.labels, ...flags.tenant, ...flags.routing],
      options: { ...router, logLevel: router.logLevel ?? props.logLevel },
      env: POD_ENV,
      volumes: [flags.hashringVolume],
      volumeMounts: [flags.hashringMount],
      defaultResources: DEFAULT_RESOURCES.router,
      listeners: { remoteWrite: true },
      serviceNames: { names: [r.base.name], headless: [identity.headlessName] },
    });
    const headless = createService(this, 'RouterHeadlessService', {
      identity,
      name: identity.headlessName,
      headless: true,
      ports: thanosServicePorts({ remoteWrite: true }),
    });
    return { workload, scrapeTarget: thanosScrapeTarget(this, identity, headless, r.clusterDomain) };
  }

  /** The Service writers send to: the routers in split routing, else every ring's ingestors. */
  private emitWriteService(r: ResolvedReceive): k8s.KubeService {
    const split = r.routing === 'split';
    const writeTarget = split ? r.base.sibling('receive-router') : r.base;
    // Every ring's ingestors, whatever their component label.
    const ingestors = { [LABELS.name]: r.base.app, [LABELS.instance]: r.base.instance, [INGESTOR_LABEL]: 'true' };
    return createService(this, 'Service', {
      identity: writeTarget,
      name: r.base.name,
      ports: thanosServicePorts({ remoteWrite: true }),
      selector: split ? writeTarget.selector : ingestors,
    });
  }

  /**
   * A remote-write target for `tenant`: the URL and the tenant header. Fails for a tenant no ring
   * would take, so a typo is caught at synth time rather than as rejected writes.
   */
  remoteWriteTarget(tenant: string = this.defaultTenant): RemoteWriteTarget {
    if (typeof tenant !== 'string' || tenant.trim() === '' || /[\s,^]/.test(tenant)) {
      const v = new Validator(this);
      v.check(
        false,
        'tenant',
        tenant,
        'is not a tenant id (empty, or with spaces or commas), so writes would land in no tenant you can name',
        'give a tenant id such as "team-a"',
      );
      v.throwIfAny();
    }
    const catchAll = this.hashrings.some((ring) => !ring.tenants || ring.tenants.length === 0);
    const globs = this.hashrings.filter((ring) => ring.tenant_matcher_type === 'glob').length > 0;
    if (!catchAll && !globs && !this.tenants.includes(tenant)) {
      throw new Error(
        `[${this.node.path}] tenant "${tenant}" is in no hashring (${this.tenants.join(', ')}) and there is no catch-all ring. Fix: add it to a ring's tenants or add a ring without tenants.`,
      );
    }
    return {
      url: this.remoteWriteUrl,
      headers: { [this.tenantHeader]: tenant },
      name: `thanos-${tenant}`,
      // HA writers are kept apart by their replica label, which Query then deduplicates along.
      deduplication: 'replica-label',
      keepsExemplars: this.keepsExemplars,
      ...(this.remoteWriteUrl.startsWith('https://') ? { platformCa: true } : {}),
    };
  }
}

/** Ring "default" is `<name>-receive`; any other ring `<name>-receive-<ring>`. */
function ringIdentity(base: ComponentIdentity, ring: string): ComponentIdentity {
  return ring === 'default' ? base : base.sibling(`receive-${ring}`);
}

/** The props with every default filled in: what the rest of the construct reads. */
interface ResolvedReceive {
  readonly clusterDomain: string;
  readonly replicas: number;
  readonly rf: number;
  readonly routing: 'combined' | 'split';
  readonly rings: readonly ThanosHashringOptions[];
  readonly retention: string;
  readonly tenantHeader: string;
  readonly defaultTenant: string;
  readonly tenantLabel: string;
  readonly replicaLabel: string;
  readonly maxExemplars: number;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly base: ComponentIdentity;
  /** Each ring as the hashrings file and the StatefulSets name it. */
  readonly members: readonly HashringMembers[];
}

/** Fills in every default, in one place. */
function resolveReceive(scope: Construct, props: ThanosReceiveProps): ResolvedReceive {
  const clusterDomain = clusterDomainOf(scope, props.clusterDomain);
  const replicas = props.replicas ?? 3;
  const rings = props.hashrings ?? [{ name: 'default' }];
  const base = thanosIdentity(props, 'receive', clusterDomain);
  const members = rings.map((ring) => {
    const identity = ringIdentity(base, ring.name);
    return {
      name: ring.name,
      tenants: ring.tenants ?? [],
      tenantMatcher: ring.tenantMatcher ?? 'exact',
      statefulSet: identity.name,
      headlessService: identity.headlessName,
      replicas: ring.replicas ?? replicas,
    };
  });
  return {
    clusterDomain,
    replicas,
    rf: props.replicationFactor ?? 3,
    routing: props.routing ?? 'combined',
    rings,
    retention: props.retention ?? '1d',
    tenantHeader: props.tenantHeader ?? 'THANOS-TENANT',
    defaultTenant: props.defaultTenant ?? 'default-tenant',
    tenantLabel: props.tenantLabel ?? 'tenant_id',
    replicaLabel: props.replicaLabel ?? 'replica',
    maxExemplars: props.maxExemplars ?? 100000,
    externalLabels: props.externalLabels ?? {},
    base,
    members,
  };
}

/** The flags and hashring mount that ingestors and routers share. */
interface ReceiveFlags {
  readonly routing: readonly string[];
  readonly tenant: readonly string[];
  readonly labels: readonly string[];
  readonly hashringVolume: k8s.Volume;
  readonly hashringMount: k8s.VolumeMount;
}

function receiveFlags(r: ResolvedReceive, hashringsConfigMap: string): ReceiveFlags {
  return {
    routing: [
      `--receive.hashrings-file=${HASHRING_DIR}/${HASHRING_FILE}`,
      // The flag, not the file's `algorithm` field, decides whether a ring change flushes the TSDB.
      '--receive.hashrings-algorithm=ketama',
      `--receive.replication-factor=${r.rf}`,
    ],
    tenant: [`--receive.tenant-header=${r.tenantHeader}`, `--receive.default-tenant-id=${r.defaultTenant}`, `--receive.tenant-label-name=${r.tenantLabel}`],
    labels: [labelFlag(r.replicaLabel, '$(NAME)'), ...Object.entries(r.externalLabels).map(([k, val]) => labelFlag(k, val))],
    hashringVolume: { name: 'hashrings', configMap: { name: hashringsConfigMap } },
    // Mounted as a directory: a subPath mount would never see the updated ring.
    hashringMount: { name: 'hashrings', mountPath: HASHRING_DIR, readOnly: true },
  };
}

function validateReceive(scope: Construct, props: ThanosReceiveProps, r: ResolvedReceive): void {
  const v = new Validator(scope);
  // The longest name: `<name>-receive-<ring>-headless`, or the router's hashrings ConfigMap.
  checkThanosComponent(v, props, Math.max('-receive-hashrings'.length, '-receive--headless'.length + Math.max(0, ...r.rings.map((ring) => ring.name.length))));
  checkReplicas(v, 'replicas', r.replicas);
  checkReplicas(v, 'replicationFactor', r.rf);
  if (props.router?.replicas !== undefined) checkReplicas(v, 'router.replicas', props.router.replicas);
  if (props.maxExemplars !== undefined) {
    v.check(
      Number.isInteger(props.maxExemplars) && props.maxExemplars >= 0,
      'maxExemplars',
      props.maxExemplars,
      'is not a whole number of exemplars',
      'give 0 to keep none, or a count such as 100000',
    );
  }
  v.check(
    r.rings.length > 0,
    'hashrings',
    [],
    'is empty: receive refuses to start with an empty hashrings file',
    'leave hashrings unset for one catch-all ring, or list at least one ring',
  );
  const names = new Set<string>();
  let catchAll = 0;
  r.rings.forEach((ring, i) => {
    const at = `hashrings[${i}]`;
    v.check(
      /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(ring.name) && ring.name !== 'router',
      `${at}.name`,
      ring.name,
      'is not a DNS label other than "router" (it names the ring\'s StatefulSet)',
      'use a name such as "team-a"',
    );
    v.check(!names.has(ring.name), `${at}.name`, ring.name, 'is used by two rings', 'give every ring its own name');
    names.add(ring.name);
    const ringReplicas = ring.replicas ?? r.replicas;
    if (checkReplicas(v, `${at}.replicas`, ringReplicas) && Number.isInteger(r.rf) && r.rf >= 1) {
      v.check(
        ringReplicas >= r.rf,
        ring.replicas !== undefined ? `${at}.replicas` : 'replicationFactor',
        ring.replicas !== undefined ? ringReplicas : r.rf,
        `leaves ring "${ring.name}" with ${ringReplicas} ingestors for a replication factor of ${r.rf}; ketama refuses a ring with fewer endpoints than the replication factor`,
        `lower replicationFactor to ${ringReplicas} or give ring "${ring.name}" at least ${r.rf} replicas`,
      );
    }
    if ((ring.tenants ?? []).length === 0) catchAll++;
    v.check(!(ring.tenants ?? []).some((t) => t === ''), `${at}.tenants`, ring.tenants, 'contains an empty tenant', 'remove it');
  });
  v.check(
    catchAll <= 1,
    'hashrings',
    r.rings.map((ring) => ring.name),
    `has ${catchAll} rings without tenants; only one ring can take the tenants no other ring lists`,
    'give every ring but one its tenants',
  );
  checkDuration(v, 'retention', r.retention, 2 * 3600_000, 'receive cuts a block every 2h and must keep it until it is uploaded');
  checkVolumeSize(v, 'storageSize', props.storageSize);
  r.rings.forEach((ring, i) => checkVolumeSize(v, `hashrings[${i}].storageSize`, ring.storageSize));
  checkExternalLabels(v, props.externalLabels, [props.replicaLabel ?? 'replica', r.tenantLabel]);
  v.throwIfAny();
}

/**
 * The replication factor again, as emitted: a `--receive.replication-factor` in extraArgs replaces
 * the generated one, and ketama refuses a ring with fewer ingestors than it.
 */
function checkEmittedReplication(scope: Construct, props: ThanosReceiveProps, rings: readonly ThanosHashringOptions[], replicas: number): void {
  const v = new Validator(scope);
  for (const [property, args] of [
    ['extraArgs', props.extraArgs],
    ['router.extraArgs', props.router?.extraArgs],
  ] as const) {
    const given = flagValue(args, 'receive.replication-factor');
    if (given === undefined) continue;
    const smallest = Math.min(...rings.map((r) => r.replicas ?? replicas));
    v.check(
      /^\d+$/.test(given) && Number(given) >= 1 && Number(given) <= smallest,
      property,
      `--receive.replication-factor=${given}`,
      `sets a replication factor above the ${smallest} ingestors of the smallest ring (or no whole number): ketama refuses the ring and every write fails`,
      `set replicationFactor instead, at most ${smallest}`,
    );
  }
  v.throwIfAny();
}
