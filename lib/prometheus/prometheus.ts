import { FederationEndpoint, federationScrapeConfigs } from './federation';
import { Construct, IConstruct } from 'constructs';
import { ConfigFile, mergeOverrides, renderYaml } from '../core/config-file';
import { Validator } from '../core/errors';
import { ComponentIdentity } from '../core/names';
import { ContainerDefinition, httpProbe } from '../core/pod';
import { ScrapeTarget, scrapeConfigJobs, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, podOptions, withOptions } from '../core/workload';
import { prometheusAlertmanagerConfig } from '../core/alerting';
import { credentialNamespaceRule, passwordFileVolumes } from '../core/basic-auth';
import { jobsSelectedBy } from '../core/promql-jobs';
import { RemoteWriteTarget } from '../core/remote-write';
import { addWarning } from '../core/warnings';
import { ToolkitHttps, WebConfigFile, checkPlatformTrust, platformTlsConfig, schemeAt, servingTlsOf, toolkitHttps } from '../core/serving-tls';
import { Wiring } from '../core/wiring';
import { discoveryAccess, grantDiscoveryAccess } from '../core/discovery-access';
import { StoreApiEndpoint, grpcSrvAddress, thanosPorts } from '../thanos/common';
import { thanosContainer } from '../thanos/component';
import { buildPrometheusConfig } from './config';
import { renderRuleFile } from '../core/rule-groups';
import {
  PROMETHEUS_PORT,
  PrometheusAgentProps,
  PrometheusMode,
  PrometheusServerProps,
  ResolvedPrometheus,
  ThanosSidecarOptions,
  resolvePrometheus,
  validatePrometheus,
} from './props';

export type { PrometheusAgentProps, PrometheusCommonProps, PrometheusMode, PrometheusServerProps, ThanosSidecarOptions } from './props';

const CONFIG_DIR = '/etc/prometheus';
const RULES_DIR = '/etc/prometheus/rules';
const DATA_DIR = '/prometheus';
/** `nobody`, the user of the Prometheus image; the Thanos sidecar runs as it too to share the TSDB. */
const PROMETHEUS_UID = 65534;

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
  /** With serving TLS: the web config and certificate it serves HTTPS with. */
  private readonly https?: ToolkitHttps;
  private readonly passwords: ReturnType<typeof passwordFileVolumes>;

  protected constructor(scope: Construct, id: string, mode: PrometheusMode, props: PrometheusServerProps) {
    super(scope, id);
    const v = new Validator(this);
    const resolved = resolvePrometheus(this, props, mode);
    // Federation jobs come first among the scrape configs of the user's own format.
    const r = { ...resolved, extraScrapeConfigs: [...federationScrapeConfigs(v, props.federate ?? []), ...resolved.extraScrapeConfigs] };
    validatePrometheus(v, r, props);
    (props.federate ?? []).forEach((f, i) => typeof f.from !== 'string' && checkPlatformTrust(v, this, `federate[${i}].from`, f.from.url, f.from.platformCa));
    r.remoteWrite.forEach((rw, i) => checkPlatformTrust(v, this, `remoteWrite[${i}].url`, rw.url, rw.platformCa));
    r.scrapeTargets.forEach((t, i) => checkPlatformTrust(v, this, `scrapeTargets[${i}]`, t.job, t.https !== undefined));
    r.alertmanagers.forEach((am, i) => checkPlatformTrust(v, this, `alertmanagers[${i}]`, am.path, am.https));
    checkPlatformTrust(v, this, 'thanosSidecar.bucket', r.sidecar?.bucket.storage.kind, r.sidecar?.bucket.storage.platformCa);
    r.scrapeTargets.forEach((t, i) => v.apply(`scrapeTargets[${i}].basicAuth`, t.job, credentialNamespaceRule(t.basicAuth, props.namespace)));
    r.alertmanagers.forEach((am, i) => v.apply(`alertmanagers[${i}].basicAuth`, am.path, credentialNamespaceRule(am.basicAuth, props.namespace)));
    v.throwIfAny();
    // The passwords of the logins it sends to scrape targets and Alertmanagers, as files.
    this.passwords = passwordFileVolumes([...r.scrapeTargets.map((t) => t.basicAuth), ...r.alertmanagers.map((am) => am.basicAuth)]);
    const { identity, sidecar, ruleGroups: rules } = r;
    this.identity = identity;
    this.headlessHost = r.headlessHost;
    this.https = toolkitHttps(this, identity, { names: [identity.name], headless: [identity.headlessName] });
    const self = srvScrapeTarget(identity.name, 'web', this.headlessHost, undefined, {
      https: this.https ? { certificateSecret: this.https.certificate.secretName } : undefined,
    });
    this.scrapeTargets = [self];

    const configObject = this.renderConfig(r, props, self);
    this.configYaml = renderYaml(configObject);
    const files: Record<string, string> = { 'prometheus.yaml': this.configYaml };
    if (rules.length > 0) files['rules.yaml'] = renderRuleFile(rules);
    this.config = new ConfigFile(this, 'Config', { identity, name: `${identity.name}-config`, files });

    const ports = [{ name: 'web', port: PROMETHEUS_PORT }, ...(sidecar ? thanosPorts().map((p) => ({ name: p.name, port: p.containerPort })) : [])];
    createService(this, 'Service', { identity, name: identity.name, ports });
    createService(this, 'HeadlessService', { identity, name: identity.headlessName, ports, headless: true });
    if (sidecar) sidecar.bucket.serviceAccount(this, 'ServiceAccount', identity, 'upload');
    else createServiceAccount(this, 'ServiceAccount', identity, identity.name);

    const containers = [this.prometheusContainer(r, props), ...(sidecar ? [this.sidecarContainer(sidecar, identity)] : [])];

    // Kubernetes discovery in the scrape config gets exactly the API access it needs, and the token.
    const access = discoveryAccess((configObject.scrape_configs ?? []) as Array<Record<string, unknown>>, props.namespace);
    if (access) grantDiscoveryAccess(this, identity, identity.name, access);
    this.workload = new Workload(this, 'Workload', {
      kind: 'StatefulSet',
      identity,
      replicas: r.replicas,
      automountServiceAccountToken: access !== undefined,
      podIdentity: { runAsUser: PROMETHEUS_UID, runAsGroup: PROMETHEUS_UID, fsGroup: PROMETHEUS_UID },
      serviceAccountName: identity.name,
      configChecksums: [this.config.checksum, ...(sidecar ? [sidecar.bucket.checksum] : []), ...(this.https ? [this.https.webConfig.file.checksum] : [])],
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
        ...(this.https?.volumes ?? []),
        ...this.passwords.volumes,
      ],
      volumeClaims: [{ name: 'data', size: r.storageSize, storageClass: props.storageClass }],
      // The head is written to disk (server) or the WAL closed (agent) on SIGTERM.
      terminationGracePeriodSeconds: 600,
      containers,
    });

    this.scrapedJobs = [self.job, ...r.scrapeTargets.map((t) => t.job), ...scrapeConfigJobs(r.extraScrapeConfigs)];
    this.recordWiring(r);
    if (rules.some((g) => g.rules.some((rule) => 'alert' in rule)) && r.alertmanagers.length === 0) {
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
  private renderConfig(r: ResolvedPrometheus, props: PrometheusServerProps, self: ScrapeTarget): Record<string, unknown> {
    const { replicaLabel, alertmanagers } = r;
    const generated = buildPrometheusConfig({
      scrapeInterval: r.scrapeInterval,
      externalLabels: { ...props.externalLabels, [replicaLabel]: '${POD_NAME}' },
      scrapeTargets: [self, ...r.scrapeTargets],
      extraScrapeConfigs: r.extraScrapeConfigs,
      remoteWrite: r.remoteWrite,
      retention: r.retention,
      ruleFiles: r.ruleGroups.length > 0 ? [`${RULES_DIR}/*.yaml`] : undefined,
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
  private prometheusContainer(r: ResolvedPrometheus, props: PrometheusServerProps): ContainerDefinition {
    const { sidecar, exemplars } = r;
    const scheme = this.https ? 'HTTPS' : 'HTTP';
    const args =
      r.mode === 'agent'
        ? ['--agent', `--storage.agent.path=${DATA_DIR}`]
        : [
            `--storage.tsdb.path=${DATA_DIR}`,
            // The sidecar uploads blocks as Prometheus cuts them: local compaction would upload each sample twice.
            ...(sidecar ? ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h'] : []),
            ...(r.remoteWriteReceiver ? ['--web.enable-remote-write-receiver'] : []),
            ...(exemplars ? ['--enable-feature=exemplar-storage'] : []),
          ];
    return withOptions(props, {
      name: 'prometheus',
      image: r.image,
      args: [
        `--config.file=${CONFIG_DIR}/prometheus.yaml`,
        `--web.listen-address=0.0.0.0:${PROMETHEUS_PORT}`,
        ...(this.https ? [`--web.config.file=${WebConfigFile.PATH}`] : []),
        ...args,
      ],
      env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      ports: [{ name: 'web', containerPort: PROMETHEUS_PORT }],
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'data', mountPath: DATA_DIR },
        ...(this.https?.mounts ?? []),
        ...this.passwords.mounts,
      ],
      readinessProbe: httpProbe('/-/ready', 'web', { initialDelaySeconds: 5, periodSeconds: 5, failureThreshold: 60, scheme }),
      livenessProbe: httpProbe('/-/healthy', 'web', { initialDelaySeconds: 30, periodSeconds: 15, failureThreshold: 8, scheme }),
      defaultResources: r.defaultResources,
    });
  }

  /** Tells the app's wiring what it scrapes, where that lands, what it writes, and what its rules read. */
  private recordWiring(r: ResolvedPrometheus): void {
    const wiring = Wiring.of(this);
    const { remoteWrite, replicas, replicaLabel, queryUrl } = r;
    const into = [...(r.mode === 'server' ? [queryUrl] : []), ...remoteWrite.map((t) => t.url)];
    wiring.scrapes({ path: this.node.path, jobs: this.scrapedJobs, into, targets: r.scrapeTargets });
    remoteWrite.forEach((target, i) =>
      wiring.writes({ path: this.node.path, property: `remoteWrite[${i}]`, url: target.url, replicas, replicaLabels: [replicaLabel] }),
    );
    const ruleJobs = [...new Set(r.ruleGroups.flatMap((g) => g.rules.flatMap((rule) => jobsSelectedBy(rule.expr))))];
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
  private sidecarContainer(sidecar: ThanosSidecarOptions, identity: ComponentIdentity): ContainerDefinition {
    // Over HTTPS it checks Prometheus' certificate for the Service name, which the certificate holds ("localhost" it does not).
    const client = this.https ? [`--prometheus.http-client=${renderYaml({ tls_config: platformTlsConfig(identity.name) })}`] : [];
    return thanosContainer({
      name: 'thanos-sidecar',
      subcommand: 'sidecar',
      flags: [`--prometheus.url=${this.https ? 'https' : 'http'}://localhost:${PROMETHEUS_PORT}`, ...client, `--tsdb.path=${DATA_DIR}`],
      https: this.https,
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
    super(scope, id, 'agent', props);
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
    const { headlessHost, replicaLabel } = resolvePrometheus(scope, props as PrometheusServerProps, 'server');
    return { address: grpcSrvAddress(headlessHost), component: 'Prometheus sidecar', replicaLabels: [replicaLabel] };
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
    const { identity, headlessHost, replicas } = resolvePrometheus(scope, props as PrometheusServerProps, 'server');
    return Array.from({ length: replicas }, (_, i) => ({
      name: `${identity.name}-${i}`,
      url: `${schemeAt(scope)}://${identity.name}-${i}.${headlessHost}:${PROMETHEUS_PORT}/api/v1/write`,
      ...(servingTlsOf(scope) ? { platformCa: true } : {}),
      // Prometheus keeps every copy it is sent: an HA pair of writers would double every series.
      deduplication: 'none' as const,
      keepsExemplars: props.exemplarStorage ?? true,
    }));
  }

  /** The sidecar's StoreAPI, when there is a sidecar. */
  readonly storeEndpoint?: StoreApiEndpoint;

  /**
   * Its `/federate` endpoint on one pod, for another Prometheus' `federate`. One pod, not the
   * Service: the pods of an HA pair each answer with their own copy (their replica label differs),
   * and a federation that took both would count every series twice.
   */
  federationEndpoint(ordinal = 0): FederationEndpoint {
    const v = new Validator(this);
    v.check(
      Number.isInteger(ordinal) && ordinal >= 0 && ordinal < this.pods.names.length,
      'federationEndpoint(ordinal)',
      ordinal,
      `is not one of its pods (0 to ${this.pods.names.length - 1})`,
      'give the ordinal of one of its pods, e.g. 0',
    );
    v.throwIfAny();
    const scheme = this.pods.https ? 'https' : 'http';
    return { url: `${scheme}://${this.pods.names[ordinal]}.${this.pods.headlessHost}:${PROMETHEUS_PORT}/federate`, platformCa: this.pods.https };
  }
  /** With `remoteWriteReceiver`: one remote-write target per pod, in ordinal order. Otherwise empty. */
  readonly remoteWriteTargets: readonly RemoteWriteTarget[];
  /**
   * `http://<service>:9090`, the query API a Grafana datasource takes. With several replicas each
   * request goes to one of them; put Thanos Query in front to deduplicate an HA pair.
   */
  readonly queryUrl: string;

  private readonly pods: { readonly names: readonly string[]; readonly headlessHost: string; readonly https: boolean };

  constructor(scope: Construct, id: string, props: PrometheusServerProps) {
    super(scope, id, 'server', props);
    const resolved = resolvePrometheus(this, props, 'server');
    this.queryUrl = resolved.queryUrl;
    this.pods = {
      names: Array.from({ length: resolved.replicas }, (_, i) => `${resolved.identity.name}-${i}`),
      headlessHost: resolved.headlessHost,
      https: servingTlsOf(this) !== undefined,
    };
    this.remoteWriteTargets = PrometheusServer.remoteWriteTargetsFor(this, props);
    const wiring = Wiring.of(this);
    for (const target of this.remoteWriteTargets) wiring.flow(target.url, this.queryUrl);
    if (props.thanosSidecar) {
      this.storeEndpoint = PrometheusServer.sidecarEndpointFor(this, props);
      wiring.flow(this.queryUrl, this.storeEndpoint.address);
    }
  }
}
