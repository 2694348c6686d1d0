import { Construct, IConstruct } from 'constructs';
import { clusterDomainOf } from '../core/cluster-domain';
import { mergeArgs, mergeEnv } from '../core/args';
import {
  checkExternalLabels,
  checkLabelName,
  checkReplicas,
  checkScrapeInterval,
  checkUniqueJobs,
  checkVolumeSize,
  checkWorkloadOptions,
} from '../core/check-options';
import { ConfigFile, mergeOverrides, renderYaml } from '../core/config-file';
import { durationAtLeast, parseDuration } from '../core/duration';
import { Validator } from '../core/errors';
import { IMAGES, ImageRef, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { ContainerDefinition, httpProbe } from '../core/pod';
import { dnsLabel, namespaceName } from '../core/rules';
import { ScrapeOptions, ScrapeTarget, scrapeConfigJobs, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions } from '../core/workload';
import { AlertmanagerEndpoint, prometheusAlertmanagerConfig } from '../core/alerting';
import { jobsSelectedBy } from '../core/promql-jobs';
import { RemoteWriteTarget, remoteWriteProblem } from '../core/remote-write';
import { addWarning } from '../core/warnings';
import { Wiring } from '../core/wiring';
import { discoveryAccess, grantDiscoveryAccess } from '../core/discovery-access';
import { ThanosBucket } from '../thanos/bucket';
import { StoreApiEndpoint, ThanosComponentOptions, grpcSrvAddress, thanosPorts } from '../thanos/common';
import { thanosContainer } from '../thanos/component';
import { buildPrometheusConfig } from './config';
import { RuleGroup, checkRuleGroups, renderRuleFile } from '../core/rule-groups';

const PROMETHEUS_PORT = 9090;
const CONFIG_DIR = '/etc/prometheus';
const RULES_DIR = '/etc/prometheus/rules';
const DATA_DIR = '/prometheus';
/** `nobody`, the user of the Prometheus image; the Thanos sidecar runs as it too to share the TSDB. */
const PROMETHEUS_UID = 65534;

/** What both Prometheus modes take. */
export interface PrometheusCommonProps extends WorkloadOptions, ScrapeOptions {
  /** Namespace of every object. */
  readonly namespace: string;
  /** Instance name; objects are `<name>-agent` or `<name>-server`. @default "prometheus" */
  readonly name?: string;
  /** Pods. Each scrapes every target; their series differ only in `replicaLabel`. @default 2 */
  readonly replicas?: number;
  /** External labels on every series, e.g. `{ cluster: 'prod-eu' }`. @default none */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** External label whose value is the pod name. @default "prometheus_replica" */
  readonly replicaLabel?: string;
  /** Where series are remote-written. @default none */
  readonly remoteWrite?: readonly RemoteWriteTarget[];
  /** Size of each pod's volume. @default "20Gi" */
  readonly storageSize?: string;
  /** Storage class of the volumes. @default the cluster default */
  readonly storageClass?: string;
  /** Deep-merged over the generated prometheus.yml (arrays replace). @default none */
  readonly configOverrides?: Record<string, unknown>;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
}

/** Props of {@link PrometheusAgent}. */
export type PrometheusAgentProps = PrometheusCommonProps;

/** Props of {@link PrometheusServer}. */
export interface PrometheusServerProps extends PrometheusCommonProps {
  /** How long samples stay in the local TSDB. With the sidecar at least 6h (three 2h blocks). @default "1d" with the sidecar, "15d" without */
  readonly retention?: string;
  /** Recording and alerting rules. @default none */
  readonly ruleGroups?: readonly RuleGroup[];
  /**
   * Alertmanagers its alerting rules send to: every pod of each, found by SRV lookup. The replica
   * label is dropped from alerts, so an HA pair's two copies of an alert are one to Alertmanager.
   * @default none (alerting rules are evaluated, and a synth warning says they reach no one)
   */
  readonly alertmanagers?: readonly AlertmanagerEndpoint[];
  /** A Thanos sidecar that uploads every 2h block to the bucket and serves recent data over the StoreAPI. @default none */
  readonly thanosSidecar?: ThanosSidecarOptions;
  /**
   * Accept Prometheus remote-write at `/api/v1/write` (`--web.enable-remote-write-receiver`), so
   * other Prometheus servers or agents can send their series here. Senders take
   * {@link PrometheusServer.remoteWriteTargets}: one target per pod, so that every replica gets
   * every series (a Service would hand each request to one pod only). Prometheus cannot
   * deduplicate, so an HA pair of senders is refused.
   * @default false
   */
  readonly remoteWriteReceiver?: boolean;
  /**
   * Keep exemplars (`--enable-feature=exemplar-storage`), scraped or written to it, so Grafana can
   * link a metric to its trace.
   * @default true with remoteWriteReceiver (Tempo's span metrics carry exemplars), else false
   */
  readonly exemplarStorage?: boolean;
}

/** Options of the Thanos sidecar of a {@link PrometheusServer}. */
export interface ThanosSidecarOptions extends ThanosComponentOptions {
  /** The bucket blocks are uploaded to. */
  readonly bucket: ThanosBucket;
}

/** How a Prometheus runs: an agent that only forwards, or a server that stores and queries. */
export type PrometheusMode = 'agent' | 'server';

const PROMETHEUS_DEFAULTS = { name: 'prometheus', replicaLabel: 'prometheus_replica' } as const;

/** Where a Prometheus of these props, made under `scope`, is reached: its identity and its Service hosts. */
function prometheusAddresses(scope: IConstruct, props: PrometheusCommonProps, mode: PrometheusMode) {
  const image = props.image ?? IMAGES.prometheus;
  const identity = new ComponentIdentity({
    app: 'prometheus',
    instance: props.name ?? PROMETHEUS_DEFAULTS.name,
    component: mode,
    namespace: props.namespace,
    version: imageVersion(image),
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
  });
  return { image, identity, headlessHost: identity.headlessHost, queryUrl: `http://${identity.host()}:${PROMETHEUS_PORT}` };
}

/**
 * The shared body of both modes: config, Services, ServiceAccount and a StatefulSet whose
 * volume keeps the WAL (agent) or the TSDB (server) across restarts.
 */
export abstract class PrometheusBase extends Construct {
  readonly identity: ComponentIdentity;
  readonly config: ConfigFile;
  readonly workload: Workload;
  /** Where its own metrics are scraped. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  /** The prometheus.yml as rendered. */
  readonly configYaml: string;
  /** The jobs it scrapes: itself, its targets and the extra scrape configs. */
  readonly scrapedJobs: readonly string[];
  protected readonly headlessHost: string;

  protected constructor(scope: Construct, id: string, mode: PrometheusMode, props: PrometheusServerProps, modeChecks: (v: Validator) => void) {
    super(scope, id);
    const v = new Validator(this);
    validateCommon(v, props, mode);
    modeChecks(v);
    v.throwIfAny();
    const { image, identity, headlessHost, queryUrl } = prometheusAddresses(this, props, mode);
    this.identity = identity;
    const replicas = props.replicas ?? 2;
    const replicaLabel = props.replicaLabel ?? PROMETHEUS_DEFAULTS.replicaLabel;
    this.headlessHost = headlessHost;
    const self = srvScrapeTarget(identity.name, 'web', this.headlessHost);
    this.scrapeTargets = [self];

    const rules = props.ruleGroups ?? [];
    const sidecar = props.thanosSidecar;
    const retention = mode === 'server' ? (props.retention ?? (sidecar ? '1d' : '15d')) : undefined;
    const alertmanagers = props.alertmanagers ?? [];
    const configObject = this.renderConfig(props, retention, self, replicaLabel, rules.length > 0, alertmanagers);
    this.configYaml = renderYaml(configObject);
    const files: Record<string, string> = { 'prometheus.yaml': this.configYaml };
    if (rules.length > 0) files['rules.yaml'] = renderRuleFile(rules);
    this.config = new ConfigFile(this, 'Config', { identity, name: `${identity.name}-config`, files });

    const ports = [{ name: 'web', port: PROMETHEUS_PORT }, ...(sidecar ? thanosPorts().map((p) => ({ name: p.name, port: p.containerPort })) : [])];
    createService(this, 'Service', { identity, name: identity.name, ports });
    createService(this, 'HeadlessService', { identity, name: identity.headlessName, ports, headless: true });
    if (sidecar) sidecar.bucket.serviceAccount(this, 'ServiceAccount', identity, 'upload');
    else createServiceAccount(this, 'ServiceAccount', identity, identity.name);

    const containers = [this.prometheusContainer(props, mode, image), ...(sidecar ? [this.sidecarContainer(sidecar)] : [])];

    // Kubernetes discovery in the scrape config gets exactly the API access it needs, and the token.
    const access = discoveryAccess((configObject.scrape_configs ?? []) as Array<Record<string, unknown>>, props.namespace);
    if (access) grantDiscoveryAccess(this, identity, identity.name, access);
    this.workload = new Workload(this, 'Workload', {
      kind: 'StatefulSet',
      identity,
      replicas,
      automountServiceAccountToken: access !== undefined,
      serviceName: identity.headlessName,
      podIdentity: { runAsUser: PROMETHEUS_UID, runAsGroup: PROMETHEUS_UID, fsGroup: PROMETHEUS_UID },
      serviceAccountName: identity.name,
      configChecksums: [this.config.checksum, ...(sidecar ? [sidecar.bucket.checksum] : [])],
      ...podOptions(props),
      // Rules live in the same ConfigMap; mounting it whole puts rules.yaml under /etc/prometheus/rules too.
      volumes: [
        {
          name: 'config',
          configMap: {
            name: this.config.name,
            items: [{ key: 'prometheus.yaml', path: 'prometheus.yaml' }, ...(rules.length > 0 ? [{ key: 'rules.yaml', path: 'rules/rules.yaml' }] : [])],
          },
        },
        ...(sidecar ? [sidecar.bucket.volume()] : []),
      ],
      volumeClaims: [{ name: 'data', size: props.storageSize ?? '20Gi', storageClass: props.storageClass }],
      // The head is written to disk (server) or the WAL closed (agent) on SIGTERM.
      terminationGracePeriodSeconds: 600,
      containers,
    });

    this.scrapedJobs = [self.job, ...(props.scrapeTargets ?? []).map((t) => t.job), ...scrapeConfigJobs(props.extraScrapeConfigs ?? [])];
    this.recordWiring(props, mode, replicas, replicaLabel, queryUrl);
    if (rules.some((g) => g.rules.some((r) => 'alert' in r)) && alertmanagers.length === 0) {
      addWarning(
        this,
        'alerts-go-nowhere',
        'alertmanagers',
        [],
        'is empty, so the alerts its rules fire reach no one',
        "pass an Alertmanager's endpoint in alertmanagers, or acknowledge the warning if alerts are only read in Grafana",
      );
    }
  }

  /** prometheus.yaml: scrape jobs, external labels, remote write, retention, rules and Alertmanagers, then the overrides. */
  private renderConfig(
    props: PrometheusServerProps,
    retention: string | undefined,
    self: ScrapeTarget,
    replicaLabel: string,
    hasRules: boolean,
    alertmanagers: readonly AlertmanagerEndpoint[],
  ): Record<string, unknown> {
    const generated = buildPrometheusConfig({
      scrapeInterval: props.scrapeInterval ?? '30s',
      externalLabels: { ...props.externalLabels, [replicaLabel]: '${POD_NAME}' },
      scrapeTargets: [self, ...(props.scrapeTargets ?? [])],
      extraScrapeConfigs: props.extraScrapeConfigs ?? [],
      remoteWrite: props.remoteWrite ?? [],
      retention,
      ruleFiles: hasRules ? [`${RULES_DIR}/*.yaml`] : undefined,
    });
    return mergeOverrides(
      alertmanagers.length > 0
        ? {
            ...generated,
            alerting: {
              // Both replicas fire each alert; without the replica label Alertmanager sees one.
              alert_relabel_configs: [{ action: 'labeldrop', regex: replicaLabel }],
              alertmanagers: alertmanagers.map(prometheusAlertmanagerConfig),
            },
          }
        : generated,
      props.configOverrides,
    );
  }

  /** The Prometheus container: agent or server flags, the config and data mounts, probes. */
  private prometheusContainer(props: PrometheusServerProps, mode: PrometheusMode, image: ImageRef): ContainerDefinition {
    const sidecar = props.thanosSidecar;
    const exemplars = mode === 'server' && (props.exemplarStorage ?? props.remoteWriteReceiver ?? false);
    const args =
      mode === 'agent'
        ? ['--agent', `--storage.agent.path=${DATA_DIR}`]
        : [
            `--storage.tsdb.path=${DATA_DIR}`,
            // The sidecar uploads blocks as Prometheus cuts them: local compaction would upload each sample twice.
            ...(sidecar ? ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h'] : []),
            ...(props.remoteWriteReceiver ? ['--web.enable-remote-write-receiver'] : []),
            ...(exemplars ? ['--enable-feature=exemplar-storage'] : []),
          ];
    return {
      name: 'prometheus',
      image,
      args: mergeArgs([`--config.file=${CONFIG_DIR}/prometheus.yaml`, `--web.listen-address=0.0.0.0:${PROMETHEUS_PORT}`, ...args], props.extraArgs),
      env: mergeEnv([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], props.extraEnv),
      ports: [{ name: 'web', containerPort: PROMETHEUS_PORT }],
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'data', mountPath: DATA_DIR },
      ],
      readinessProbe: httpProbe('/-/ready', 'web', { initialDelaySeconds: 5, periodSeconds: 5, failureThreshold: 60 }),
      livenessProbe: httpProbe('/-/healthy', 'web', { initialDelaySeconds: 30, periodSeconds: 15, failureThreshold: 8 }),
      resources: props.resources ?? { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
    };
  }

  /** Tells the app's wiring what it scrapes, where that lands, what it writes, and what its rules read. */
  private recordWiring(props: PrometheusServerProps, mode: PrometheusMode, replicas: number, replicaLabel: string, queryUrl: string): void {
    const wiring = Wiring.of(this);
    const remoteWrite = props.remoteWrite ?? [];
    const into = [...(mode === 'server' ? [queryUrl] : []), ...remoteWrite.map((t) => t.url)];
    wiring.scrapes({ path: this.node.path, jobs: this.scrapedJobs, into, targets: props.scrapeTargets ?? [] });
    remoteWrite.forEach((target, i) =>
      wiring.writes({ path: this.node.path, property: `remoteWrite[${i}]`, url: target.url, replicas, replicaLabels: [replicaLabel] }),
    );
    const ruleJobs = [...new Set((props.ruleGroups ?? []).flatMap((g) => g.rules.flatMap((r) => jobsSelectedBy(r.expr))))];
    if (ruleJobs.length > 0) {
      wiring.reads({
        path: this.node.path,
        property: 'ruleGroups',
        source: queryUrl,
        jobs: ruleJobs,
        what: 'its rules',
        consequence: 'they would never find data, and their alerts never fire',
      });
    }
  }

  /** The Thanos sidecar: uploads blocks and serves the StoreAPI next to Prometheus. */
  private sidecarContainer(sidecar: ThanosSidecarOptions): ContainerDefinition {
    return thanosContainer({
      name: 'thanos-sidecar',
      subcommand: 'sidecar',
      flags: [`--prometheus.url=http://localhost:${PROMETHEUS_PORT}`, `--tsdb.path=${DATA_DIR}`],
      options: sidecar,
      bucket: sidecar.bucket,
      bucketAccess: 'upload',
      volumeMounts: [{ name: 'data', mountPath: DATA_DIR }],
      defaultResources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      // It writes its upload state into Prometheus' TSDB directory, so it runs as Prometheus' user.
      runAsUser: PROMETHEUS_UID,
    });
  }
}

/**
 * Prometheus in agent mode: scrapes and remote-writes, with its WAL on a volume so that a restart
 * resends what was not yet delivered. It stores nothing queryable: the remote end (Thanos receive,
 * VictoriaMetrics) does.
 */
export class PrometheusAgent extends PrometheusBase {
  constructor(scope: Construct, id: string, props: PrometheusAgentProps) {
    super(scope, id, 'agent', props, (v) => {
      v.check(
        (props.remoteWrite ?? []).length > 0,
        'remoteWrite',
        [],
        'is empty: an agent keeps nothing queryable, so its samples would go nowhere',
        'pass a remote-write target such as thanos.remoteWriteTarget()',
      );
    });
  }
}

/**
 * Prometheus server, optionally with the Thanos sidecar: blocks are cut every 2h, uploaded to the
 * bucket, and the recent ones served to Thanos Query through {@link storeEndpoint}.
 */
export class PrometheusServer extends PrometheusBase {
  /**
   * The sidecar's StoreAPI a server with these props serves, for a Thanos Query made before the
   * server (when the server scrapes the Thanos components, each needs the other).
   */
  static sidecarEndpointFor(
    scope: IConstruct,
    props: Pick<PrometheusServerProps, 'namespace' | 'name' | 'clusterDomain' | 'replicaLabel' | 'image'>,
  ): StoreApiEndpoint {
    const { headlessHost } = prometheusAddresses(scope, props as PrometheusCommonProps, 'server');
    return { address: grpcSrvAddress(headlessHost), component: 'Prometheus sidecar', replicaLabels: [props.replicaLabel ?? PROMETHEUS_DEFAULTS.replicaLabel] };
  }

  /**
   * The remote-write targets a server with these props takes (one per pod; none without
   * `remoteWriteReceiver`), for writers made before it: Tempo writes span metrics to the
   * Prometheus that scrapes Tempo.
   */
  static remoteWriteTargetsFor(
    scope: IConstruct,
    props: Pick<PrometheusServerProps, 'namespace' | 'name' | 'clusterDomain' | 'replicas' | 'remoteWriteReceiver' | 'exemplarStorage'>,
  ): RemoteWriteTarget[] {
    if (!props.remoteWriteReceiver) return [];
    const { identity, headlessHost } = prometheusAddresses(scope, props as PrometheusCommonProps, 'server');
    return Array.from({ length: props.replicas ?? 2 }, (_, i) => ({
      name: `${identity.name}-${i}`,
      url: `http://${identity.name}-${i}.${headlessHost}:${PROMETHEUS_PORT}/api/v1/write`,
      // Prometheus keeps every copy it is sent: an HA pair of writers would double every series.
      deduplication: 'none' as const,
      keepsExemplars: props.exemplarStorage ?? true,
    }));
  }

  /** The sidecar's StoreAPI, when there is a sidecar. */
  readonly storeEndpoint?: StoreApiEndpoint;
  /** With `remoteWriteReceiver`: one remote-write target per pod, in ordinal order. Otherwise empty. */
  readonly remoteWriteTargets: readonly RemoteWriteTarget[];
  /**
   * `http://<service>:9090`, the query API a Grafana datasource takes. With several replicas each
   * request goes to one of them; put Thanos Query in front to deduplicate an HA pair.
   */
  readonly queryUrl: string;

  constructor(scope: Construct, id: string, props: PrometheusServerProps) {
    super(scope, id, 'server', props, (v) => {
      checkRuleGroups(v, 'ruleGroups', props.ruleGroups ?? []);
      if (props.retention !== undefined || props.thanosSidecar) {
        const retention = props.retention ?? '1d';
        v.apply(
          'retention',
          retention,
          props.thanosSidecar
            ? durationAtLeast(retention, 6 * 3600_000, 'the sidecar uploads 2h blocks and Prometheus must keep three of them')
            : parseDuration(retention) === undefined
              ? { problem: 'is not a duration', fix: 'write it as "15d"' }
              : undefined,
        );
      }
      if (props.thanosSidecar) checkWorkloadOptions(v, 'thanosSidecar', props.thanosSidecar, IMAGES.thanos);
    });
    this.queryUrl = prometheusAddresses(this, props, 'server').queryUrl;
    this.remoteWriteTargets = PrometheusServer.remoteWriteTargetsFor(this, props);
    const wiring = Wiring.of(this);
    for (const target of this.remoteWriteTargets) wiring.flow(target.url, this.queryUrl);
    if (props.thanosSidecar) {
      this.storeEndpoint = PrometheusServer.sidecarEndpointFor(this, props);
      wiring.flow(this.queryUrl, this.storeEndpoint.address);
    }
  }
}

function validateCommon(v: Validator, props: PrometheusCommonProps, mode: PrometheusMode): void {
  const name = props.name ?? 'prometheus';
  v.apply('name', name, dnsLabel(name, 63 - '-server-headless'.length));
  v.apply('namespace', props.namespace, namespaceName(props.namespace));
  const replicas = props.replicas ?? 2;
  checkReplicas(v, 'replicas', replicas);
  checkWorkloadOptions(v, '', props, IMAGES.prometheus);
  checkScrapeInterval(v, props.scrapeInterval);
  checkVolumeSize(v, 'storageSize', props.storageSize);
  const replicaLabel = props.replicaLabel ?? 'prometheus_replica';
  checkLabelName(v, 'replicaLabel', replicaLabel);
  checkExternalLabels(v, props.externalLabels, [replicaLabel]);
  (props.remoteWrite ?? []).forEach((rw, i) => {
    if (
      !v.check(
        typeof rw?.url === 'string' && /^https?:\/\/\S+$/.test(rw.url),
        `remoteWrite[${i}].url`,
        rw?.url,
        'is not an http(s) URL',
        'pass a URL such as thanos.remoteWriteUrl',
      )
    )
      return;
    v.apply(`remoteWrite[${i}]`, rw.url, remoteWriteProblem(rw, { replicas, replicaLabels: [replicaLabel] }));
  });
  const self = `${props.name ?? 'prometheus'}-${mode}`;
  checkUniqueJobs(v, [self, ...(props.scrapeTargets ?? []).map((t) => t.job), ...scrapeConfigJobs(props.extraScrapeConfigs ?? [])]);
}
