import { PLATFORM_CA_FILE, platformTrustFor } from '../core/serving-tls';
import { Construct } from 'constructs';
import { checkExternalLabels, checkReplicas, checkScrapeInterval, checkUniqueJobs, checkWorkloadOptions, requireProps } from '../core/check-options';
import { ConfigFile, mergeOverrides, renderYaml } from '../core/config-file';
import { Validator } from '../core/errors';
import { IMAGES } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { quantityBytes, volumeSize } from '../core/rules';
import { credentialNamespaceRule, passwordFileVolumes } from '../core/basic-auth';
import { ScrapeOptions, ScrapeTarget, scrapeConfigJobs, srvScrapeConfigs } from '../core/scrape-target';
import { remoteWriteProblem } from '../core/remote-write';
import { Wiring } from '../core/wiring';
import { discoveryAccess, grantDiscoveryAccess } from '../core/discovery-access';
import { Workload } from '../core/workload';
import { RemoteWriteTarget } from '../core/remote-write';
import { VM_PORTS, VM_PORT_NAMES, VmComponentOptions, VmPlacement, checkPlacement, vmIdentity } from './common';
import { vmScrapeTarget, vmServices, vmWorkload } from './component';
import { RelabelConfig, checkRelabelConfigs } from './relabel';
import { clusterDomainOf } from '../core/cluster-domain';

const CONFIG_DIR = '/etc/vmagent';
const QUEUE_DIR = '/queue';

/** Scrape sharding: each pod scrapes its share of the targets. */
export interface VmAgentSharding {
  /** Pods that split the targets between them (`-promscrape.cluster.membersCount`). */
  readonly shards: number;
  /** How many pods scrape each target, for scraping that survives a pod loss; the backend must deduplicate. @default 1 */
  readonly replicationFactor?: number;
}

/** The on-disk queue that holds samples while a remote-write target is unreachable. */
export interface VmAgentQueue {
  /** Volume size per pod, shared by every remote-write URL. @default "10Gi" */
  readonly size?: string;
  /** Storage class. @default the cluster default */
  readonly storageClass?: string;
}

/** Props of {@link VmAgent}. */
export interface VmAgentProps extends VmComponentOptions, VmPlacement, ScrapeOptions {
  /**
   * Identical pods. Two make an HA pair: both scrape everything with the same labels, and the
   * backend keeps one copy (set its dedup interval to the scrape interval).
   * Leave at 1 when `sharding` is set.
   * @default 1
   */
  readonly replicas?: number;
  /** Split the targets over several pods instead. @default none */
  readonly sharding?: VmAgentSharding;
  /**
   * Labels stamped on every series the agent sends, scraped or pushed to it
   * (`-remoteWrite.label`; they replace a label of the same name), e.g. region and cluster.
   * @default none
   */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Relabeling applied to every series before it goes to any target (`-remoteWrite.relabelConfig`). @default none */
  readonly relabelConfigs?: readonly RelabelConfig[];
  /**
   * Where series go. Every target gets every series (after its own `writeRelabelConfigs`, sent
   * with its own `headers`), each with its own share of the queue.
   */
  readonly remoteWrite: readonly RemoteWriteTarget[];
  /** The on-disk queue on a PersistentVolumeClaim per pod, or `false` for an emptyDir that a restart empties. @default 10Gi per pod */
  readonly persistentQueue?: VmAgentQueue | false;
  /** Deep-merged over the generated scrape config (arrays replace). @default none */
  readonly configOverrides?: Record<string, unknown>;
}

/**
 * vmagent: scrapes targets found by DNS SRV (no Kubernetes API access needed), relabels, stamps
 * the external labels, and remote-writes to one or more targets, buffering on disk while a target
 * is down. A StatefulSet, so each pod keeps its queue volume and a stable name (scrape sharding
 * numbers the pods by it).
 */
export class VmAgent extends Construct {
  readonly identity: ComponentIdentity;
  readonly config: ConfigFile;
  readonly workload: Workload;
  /** Its own metrics. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  /** The scrape config as rendered. */
  readonly scrapeConfigYaml: string;
  /** Where other programs can push series to the agent (Prometheus remote-write). */
  readonly remoteWriteUrl: string;
  /** The jobs it scrapes: itself, its targets and the extra scrape configs. */
  readonly scrapedJobs: readonly string[];

  constructor(scope: Construct, id: string, props: VmAgentProps) {
    super(scope, id);
    requireProps(this, props, {
      namespace: 'give the Kubernetes namespace of its objects',
      remoteWrite: 'pass where series go, e.g. [vm.remoteWriteTarget(0)]',
    });
    const r = resolveAgent(this, props);
    validateAgent(this, r, props);
    const { identity, clusterDomain, queue, sharding } = r;
    this.identity = identity;
    const self = vmScrapeTarget(identity, clusterDomain);
    this.scrapeTargets = [self];

    const scrapeConfig = mergeOverrides(
      { global: { scrape_interval: r.scrapeInterval }, scrape_configs: [...srvScrapeConfigs([self, ...r.scrapeTargets]), ...r.extraScrapeConfigs] },
      props.configOverrides,
    );
    this.scrapeConfigYaml = renderYaml(scrapeConfig);
    const files: Record<string, string> = { 'scrape.yaml': this.scrapeConfigYaml };
    if (r.relabelConfigs.length > 0) files['relabel.yaml'] = renderYaml(r.relabelConfigs);
    props.remoteWrite.forEach((rw, i) => {
      if (rw.writeRelabelConfigs?.length) files[`relabel-url-${i}.yaml`] = renderYaml(rw.writeRelabelConfigs);
    });
    this.config = new ConfigFile(this, 'Config', { identity, name: `${identity.name}-config`, files });

    const { service } = vmServices(this, identity, [{ name: VM_PORT_NAMES.http, port: VM_PORTS.vmagent }]);
    this.remoteWriteUrl = `http://${identity.serviceHost(service!.metadata.name!, clusterDomain)}:${VM_PORTS.vmagent}/api/v1/write`;

    this.scrapedJobs = [self.job, ...r.scrapeTargets.map((t) => t.job), ...scrapeConfigJobs(r.extraScrapeConfigs)];
    this.recordWiring(r);
    // Kubernetes discovery in the scrape config gets exactly the API access it needs, and the token.
    const access = discoveryAccess(scrapeConfig.scrape_configs as Array<Record<string, unknown>>, props.namespace);
    if (access) grantDiscoveryAccess(this, identity, identity.name, access);
    const trust = platformTrustFor(this, identity, [
      ...props.remoteWrite.map((rw, i) => ({ property: `remoteWrite[${i}].url`, value: rw.url, platformCa: rw.platformCa })),
      ...r.scrapeTargets.map((t, i) => ({ property: `scrapeTargets[${i}]`, value: t.job, platformCa: t.https !== undefined })),
    ]);
    // The passwords of the logins its scrape targets require, as files.
    const passwords = passwordFileVolumes(r.scrapeTargets.map((t) => t.basicAuth));
    this.workload = vmWorkload(this, 'Workload', {
      identity,
      kind: 'StatefulSet',
      replicas: r.pods,
      image: r.image,
      options: props,
      httpPort: VM_PORTS.vmagent,
      flags: [
        `-promscrape.config=${CONFIG_DIR}/scrape.yaml`,
        `-remoteWrite.tmpDataPath=${QUEUE_DIR}`,
        ...remoteWriteFlags(props.remoteWrite, files, queue?.size),
        // One value per URL, in order: the platform's CA for the stores that serve with it.
        ...(trust ? props.remoteWrite.map((rw) => `-remoteWrite.tlsCAFile=${rw.platformCa ? PLATFORM_CA_FILE : ''}`) : []),
        ...Object.entries(r.externalLabels).map(([k, v]) => `-remoteWrite.label=${k}=${v}`),
        ...(files['relabel.yaml'] ? [`-remoteWrite.relabelConfig=${CONFIG_DIR}/relabel.yaml`] : []),
        ...(sharding ? shardingFlags(sharding) : []),
      ],
      env: sharding ? [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] : [],
      volumes: [this.config.volume('config'), ...(queue ? [] : [{ name: 'queue', emptyDir: {} }]), ...(trust ? [trust.volume] : []), ...passwords.volumes],
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'queue', mountPath: QUEUE_DIR },
        ...(trust ? [trust.mount] : []),
        ...passwords.mounts,
      ],
      volumeClaims: queue ? [{ name: 'queue', size: queue.size, storageClass: queue.storageClass }] : undefined,
      configChecksums: [this.config.checksum],
      defaultResources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      // On SIGTERM vmagent writes its in-memory buffers to the queue directory.
      terminationGracePeriodSeconds: 60,
      liveness: true,
      readsApi: access !== undefined,
    });
  }

  /** Tells the app's wiring what the agent scrapes and where it writes. */
  private recordWiring(r: ResolvedAgent): void {
    const wiring = Wiring.of(this);
    wiring.scrapes({ path: this.node.path, jobs: this.scrapedJobs, into: r.remoteWrite.map((t) => t.url), targets: r.scrapeTargets });
    r.remoteWrite.forEach((target, i) =>
      wiring.writes({ path: this.node.path, property: `remoteWrite[${i}]`, url: target.url, replicas: r.sendersPerSeries, replicaLabels: [] }),
    );
  }
}

/** Every prop of a vmagent with its default filled in. */
type ResolvedAgent = ReturnType<typeof resolveAgent>;

/** Fills in every default, in one place. */
function resolveAgent(scope: Construct, props: VmAgentProps) {
  const image = props.image ?? IMAGES.vmagent;
  const replicas = props.replicas ?? 1;
  const sharding = props.sharding;
  return {
    image,
    identity: vmIdentity(props, 'vmagent', image),
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
    pods: sharding ? sharding.shards : replicas,
    sendersPerSeries: sharding ? (sharding.replicationFactor ?? 1) : replicas,
    sharding,
    scrapeInterval: props.scrapeInterval ?? '30s',
    scrapeTargets: props.scrapeTargets ?? [],
    extraScrapeConfigs: props.extraScrapeConfigs ?? [],
    externalLabels: props.externalLabels ?? {},
    relabelConfigs: props.relabelConfigs ?? [],
    remoteWrite: props.remoteWrite,
    queue: props.persistentQueue === false ? undefined : { size: props.persistentQueue?.size ?? '10Gi', storageClass: props.persistentQueue?.storageClass },
  };
}

/**
 * `-remoteWrite.*` flags. Per-URL flags are positional: once one URL has a setting, every URL
 * gets an entry (empty where it has none) so that entries line up with the URLs.
 */
function remoteWriteFlags(targets: readonly RemoteWriteTarget[], files: Record<string, string>, queueSize: string | undefined): string[] {
  const urls = targets.map((rw) => `-remoteWrite.url=${rw.url}`);
  const relabel = targets.some((_, i) => files[`relabel-url-${i}.yaml`])
    ? targets.map((_, i) => `-remoteWrite.urlRelabelConfig=${files[`relabel-url-${i}.yaml`] ? `${CONFIG_DIR}/relabel-url-${i}.yaml` : ''}`)
    : [];
  const headers = targets.some((rw) => rw.headers && Object.keys(rw.headers).length > 0)
    ? targets.map(
        (rw) =>
          `-remoteWrite.headers=${Object.entries(rw.headers ?? {})
            .map(([k, v]) => `${k}:${v}`)
            .join('^^')}`,
      )
    : [];
  // Leave a tenth of the volume free; each URL gets an equal share of the rest.
  const share = queueSize ? Math.floor((quantityBytes(queueSize)! * 0.9) / targets.length) : undefined;
  const disk = share ? targets.map(() => `-remoteWrite.maxDiskUsagePerURL=${share}`) : [];
  return [...urls, ...relabel, ...headers, ...disk];
}

function shardingFlags(sharding: VmAgentSharding): string[] {
  return [
    `-promscrape.cluster.membersCount=${sharding.shards}`,
    // vmagent takes the number at the end of a StatefulSet pod name as its member number.
    '-promscrape.cluster.memberNum=$(POD_NAME)',
    ...(sharding.replicationFactor && sharding.replicationFactor > 1 ? [`-promscrape.cluster.replicationFactor=${sharding.replicationFactor}`] : []),
  ];
}

/** Checks the props; `props` are the given ones, for what a default cannot show (replicas set at all). */
function validateAgent(scope: Construct, r: ResolvedAgent, props: VmAgentProps): void {
  const v = new Validator(scope);
  checkPlacement(v, props, 'vmagent');
  checkReplicas(v, 'replicas', props.replicas ?? 1);
  checkWorkloadOptions(v, '', props, IMAGES.vmagent);
  checkScrapeInterval(v, props.scrapeInterval);
  (props.scrapeTargets ?? []).forEach((t, i) => v.apply(`scrapeTargets[${i}].basicAuth`, t.job, credentialNamespaceRule(t.basicAuth, props.namespace)));
  checkExternalLabels(v, props.externalLabels, []);
  for (const [key, value] of Object.entries(r.externalLabels)) {
    v.check(
      !/[,"']/.test(value),
      `externalLabels.${key}`,
      value,
      'contains a comma or quote, which would split the -remoteWrite.label flag',
      'remove it from the value',
    );
  }
  checkRelabelConfigs(v, 'relabelConfigs', r.relabelConfigs);
  v.check(r.remoteWrite.length > 0, 'remoteWrite', [], 'is empty, so scraped series would go nowhere', 'pass a target such as vm.remoteWriteTarget(0)');
  r.remoteWrite.forEach((rw, i) => {
    v.check(
      /^https?:\/\/[^\s,]+$/.test(rw.url),
      `remoteWrite[${i}].url`,
      rw.url,
      'is not an http(s) URL (commas are not allowed either)',
      'pass a URL such as vm.remoteWriteUrl(0)',
    );
    for (const [header, value] of Object.entries(rw.headers ?? {})) {
      v.check(
        /^[A-Za-z0-9-]+$/.test(header) && !/[,^]/.test(value),
        `remoteWrite[${i}].headers.${header}`,
        value,
        'cannot be passed in -remoteWrite.headers (header names are letters, digits and "-"; values cannot hold "," or "^")',
        'rename the header or change its value',
      );
    }
    checkRelabelConfigs(v, `remoteWrite[${i}].writeRelabelConfigs`, rw.writeRelabelConfigs ?? []);
    // Its pods send identical series (no replica label): only a store with a dedup interval keeps one copy.
    v.apply(`remoteWrite[${i}]`, rw.url, remoteWriteProblem(rw, { replicas: r.sendersPerSeries, replicaLabels: [] }));
  });
  checkUniqueJobs(v, [r.identity.name, ...r.scrapeTargets.map((t) => t.job), ...scrapeConfigJobs(r.extraScrapeConfigs)]);
  // A size of 0 would make -remoteWrite.maxDiskUsagePerURL=0, which vmagent reads as no limit at all.
  if (props.persistentQueue && props.persistentQueue.size !== undefined)
    v.apply('persistentQueue.size', props.persistentQueue.size, volumeSize(props.persistentQueue.size));
  const sharding = r.sharding;
  if (sharding) {
    if (checkReplicas(v, 'sharding.shards', sharding.shards)) {
      const rf = sharding.replicationFactor ?? 1;
      v.check(
        Number.isInteger(rf) && rf >= 1 && rf <= sharding.shards,
        'sharding.replicationFactor',
        rf,
        `is not a whole number from 1 to the ${sharding.shards} shards`,
        `set it between 1 and ${sharding.shards}`,
      );
    }
    v.check(
      (props.replicas ?? 1) === 1,
      'replicas',
      props.replicas,
      'is set together with sharding, which decides the pod count itself',
      'leave replicas unset and use sharding.replicationFactor for redundant scraping',
    );
  }
  v.throwIfAny();
}
