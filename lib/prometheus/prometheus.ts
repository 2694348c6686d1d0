import { Construct } from 'constructs';
import { mergeArgs, mergeEnv } from '../core/args';
import { checkExternalLabels, checkLabelName, checkReplicas, checkScrapeInterval, checkWorkloadOptions } from '../core/check-options';
import { ConfigFile, mergeOverrides, renderYaml } from '../core/config-file';
import { durationAtLeast, parseDuration } from '../core/duration';
import { Validator } from '../core/errors';
import { IMAGES, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { ContainerDefinition, httpProbe } from '../core/pod';
import { dnsLabel, namespaceName } from '../core/rules';
import { ScrapeOptions, ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions } from '../core/workload';
import { ThanosBucket } from '../thanos/bucket';
import { StoreApiEndpoint, ThanosComponentOptions, grpcSrvAddress, thanosPorts } from '../thanos/common';
import { thanosContainer } from '../thanos/component';
import { RemoteWriteTarget, buildPrometheusConfig } from './config';
import { RuleGroup, checkRuleGroups, renderRuleFile } from './rule-groups';

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

export type PrometheusAgentProps = PrometheusCommonProps;

export interface PrometheusServerProps extends PrometheusCommonProps {
  /** How long samples stay in the local TSDB. With the sidecar at least 6h (three 2h blocks). @default "1d" with the sidecar, "15d" without */
  readonly retention?: string;
  /** Recording and alerting rules. @default none */
  readonly ruleGroups?: readonly RuleGroup[];
  /** A Thanos sidecar that uploads every 2h block to the bucket and serves recent data over the StoreAPI. @default none */
  readonly thanosSidecar?: ThanosSidecarOptions;
  /**
   * Accept Prometheus remote-write at `/api/v1/write` (`--web.enable-remote-write-receiver`), so
   * other Prometheus servers or agents can send their series here. Senders take
   * {@link PrometheusServer.remoteWriteTargets}: one target per pod, so that every replica gets
   * every series (a Service would hand each request to one pod only).
   * @default false
   */
  readonly remoteWriteReceiver?: boolean;
}

export interface ThanosSidecarOptions extends ThanosComponentOptions {
  /** The bucket blocks are uploaded to. */
  readonly bucket: ThanosBucket;
}

type Mode = 'agent' | 'server';

/**
 * The shared body of both modes: config, Services, ServiceAccount and a StatefulSet whose
 * volume keeps the WAL (agent) or the TSDB (server) across restarts.
 */
abstract class PrometheusBase extends Construct {
  readonly identity: ComponentIdentity;
  readonly config: ConfigFile;
  readonly workload: Workload;
  /** Where its own metrics are scraped. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  /** The prometheus.yml as rendered. */
  readonly configYaml: string;
  protected readonly headlessHost: string;

  protected constructor(scope: Construct, id: string, mode: Mode, props: PrometheusServerProps, modeChecks: (v: Validator) => void) {
    super(scope, id);
    const v = new Validator(this);
    validateCommon(v, props);
    modeChecks(v);
    v.throwIfAny();
    const image = props.image ?? IMAGES.prometheus;
    this.identity = new ComponentIdentity({ app: 'prometheus', instance: props.name ?? 'prometheus', component: mode, namespace: props.namespace, version: imageVersion(image) });
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    const replicas = props.replicas ?? 2;
    const replicaLabel = props.replicaLabel ?? 'prometheus_replica';
    const identity = this.identity;
    this.headlessHost = identity.serviceHost(`${identity.name}-headless`, clusterDomain);
    const self = srvScrapeTarget(identity.name, 'web', this.headlessHost);
    this.scrapeTargets = [self];

    const rules = props.ruleGroups ?? [];
    const sidecar = props.thanosSidecar;
    const retention = mode === 'server' ? props.retention ?? (sidecar ? '1d' : '15d') : undefined;
    const configObject = mergeOverrides(buildPrometheusConfig({
      scrapeInterval: props.scrapeInterval ?? '30s',
      externalLabels: { ...props.externalLabels, [replicaLabel]: '${POD_NAME}' },
      scrapeTargets: [self, ...(props.scrapeTargets ?? [])],
      extraScrapeConfigs: props.extraScrapeConfigs ?? [],
      remoteWrite: props.remoteWrite ?? [],
      retention,
      ruleFiles: rules.length > 0 ? [`${RULES_DIR}/*.yaml`] : undefined,
    }), props.configOverrides);
    this.configYaml = renderYaml(configObject);
    const files: Record<string, string> = { 'prometheus.yaml': this.configYaml };
    if (rules.length > 0) files['rules.yaml'] = renderRuleFile(rules);
    this.config = new ConfigFile(this, 'Config', { identity, name: `${identity.name}-config`, files });

    const ports = [{ name: 'web', port: PROMETHEUS_PORT }, ...(sidecar ? thanosPorts().map((p) => ({ name: p.name, port: p.containerPort })) : [])];
    createService(this, 'Service', { identity, name: identity.name, ports });
    createService(this, 'HeadlessService', { identity, name: `${identity.name}-headless`, ports, headless: true });
    if (sidecar) sidecar.bucket.serviceAccount(this, 'ServiceAccount', identity);
    else createServiceAccount(this, 'ServiceAccount', identity, identity.name);

    const args = mode === 'agent'
      ? ['--agent', `--storage.agent.path=${DATA_DIR}`]
      : [
        `--storage.tsdb.path=${DATA_DIR}`,
        // The sidecar uploads blocks as Prometheus cuts them: local compaction would upload each sample twice.
        ...(sidecar ? ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h'] : []),
        ...(props.remoteWriteReceiver ? ['--web.enable-remote-write-receiver'] : []),
      ];
    const containers: ContainerDefinition[] = [{
      name: 'prometheus',
      image,
      args: mergeArgs([
        `--config.file=${CONFIG_DIR}/prometheus.yaml`,
        `--web.listen-address=0.0.0.0:${PROMETHEUS_PORT}`,
        ...args,
      ], props.extraArgs),
      env: mergeEnv([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], props.extraEnv),
      ports: [{ name: 'web', containerPort: PROMETHEUS_PORT }],
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'data', mountPath: DATA_DIR },
      ],
      readinessProbe: httpProbe('/-/ready', 'web', { initialDelaySeconds: 5, periodSeconds: 5, failureThreshold: 60 }),
      livenessProbe: httpProbe('/-/healthy', 'web', { initialDelaySeconds: 30, periodSeconds: 15, failureThreshold: 8 }),
      resources: props.resources ?? { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
    }];
    if (sidecar) containers.push(this.sidecarContainer(sidecar));

    this.workload = new Workload(this, 'Workload', {
      kind: 'StatefulSet',
      identity,
      replicas,
      serviceName: `${identity.name}-headless`,
      podIdentity: { runAsUser: PROMETHEUS_UID, runAsGroup: PROMETHEUS_UID, fsGroup: PROMETHEUS_UID },
      serviceAccountName: identity.name,
      configChecksums: [this.config.checksum, ...(sidecar ? [sidecar.bucket.checksum] : [])],
      podAnnotations: props.podAnnotations,
      scheduling: props.scheduling,
      // Rules live in the same ConfigMap; mounting it whole puts rules.yaml under /etc/prometheus/rules too.
      volumes: [
        { name: 'config', configMap: { name: this.config.name, items: [{ key: 'prometheus.yaml', path: 'prometheus.yaml' }, ...(rules.length > 0 ? [{ key: 'rules.yaml', path: 'rules/rules.yaml' }] : [])] } },
        ...(sidecar ? [sidecar.bucket.volume()] : []),
      ],
      volumeClaims: [{ name: 'data', size: props.storageSize ?? '20Gi', storageClass: props.storageClass }],
      // The head is written to disk (server) or the WAL closed (agent) on SIGTERM.
      terminationGracePeriodSeconds: 600,
      containers,
    });
  }

  /** The Thanos sidecar: uploads blocks and serves the StoreAPI next to Prometheus. */
  private sidecarContainer(sidecar: ThanosSidecarOptions): ContainerDefinition {
    return thanosContainer({
      name: 'thanos-sidecar',
      subcommand: 'sidecar',
      flags: [`--prometheus.url=http://localhost:${PROMETHEUS_PORT}`, `--tsdb.path=${DATA_DIR}`],
      options: sidecar,
      bucket: sidecar.bucket,
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
      v.check((props.remoteWrite ?? []).length > 0, 'remoteWrite', [], 'is empty: an agent keeps nothing queryable, so its samples would go nowhere',
        'pass a remote-write target such as thanos.remoteWriteTarget()');
    });
  }
}

/**
 * Prometheus server, optionally with the Thanos sidecar: blocks are cut every 2h, uploaded to the
 * bucket, and the recent ones served to Thanos Query through {@link storeEndpoint}.
 */
export class PrometheusServer extends PrometheusBase {
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
        v.apply('retention', retention, props.thanosSidecar
          ? durationAtLeast(retention, 6 * 3600_000, 'the sidecar uploads 2h blocks and Prometheus must keep three of them')
          : parseDuration(retention) === undefined ? { problem: 'is not a duration', fix: 'write it as "15d"' } : undefined);
      }
      if (props.thanosSidecar) checkWorkloadOptions(v, 'thanosSidecar', props.thanosSidecar);
    });
    const replicas = props.replicas ?? 2;
    // The client Service is the headless one's name without "-headless", in the same namespace and domain.
    this.queryUrl = `http://${this.headlessHost.replace(`${this.identity.name}-headless.`, `${this.identity.name}.`)}:${PROMETHEUS_PORT}`;
    this.remoteWriteTargets = props.remoteWriteReceiver
      ? Array.from({ length: replicas }, (_, i) => ({
        name: `${this.identity.name}-${i}`,
        url: `http://${this.identity.name}-${i}.${this.headlessHost}:${PROMETHEUS_PORT}/api/v1/write`,
      }))
      : [];
    if (props.thanosSidecar) {
      this.storeEndpoint = {
        address: grpcSrvAddress(this.headlessHost),
        component: 'Prometheus sidecar',
        replicaLabels: [props.replicaLabel ?? 'prometheus_replica'],
      };
    }
  }
}

function validateCommon(v: Validator, props: PrometheusCommonProps): void {
  const name = props.name ?? 'prometheus';
  v.apply('name', name, dnsLabel(name, 63 - '-server-headless'.length));
  v.apply('namespace', props.namespace, namespaceName(props.namespace));
  checkReplicas(v, 'replicas', props.replicas ?? 2);
  checkWorkloadOptions(v, '', props);
  checkScrapeInterval(v, props.scrapeInterval);
  const replicaLabel = props.replicaLabel ?? 'prometheus_replica';
  checkLabelName(v, 'replicaLabel', replicaLabel);
  checkExternalLabels(v, props.externalLabels, [replicaLabel]);
  (props.remoteWrite ?? []).forEach((rw, i) => v.check(/^https?:\/\/\S+$/.test(rw.url), `remoteWrite[${i}].url`, rw.url,
    'is not an http(s) URL', 'pass a URL such as thanos.remoteWriteUrl'));
}
