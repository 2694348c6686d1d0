import { PrometheusFederation } from './federation';
import { schemeAt } from '../core/serving-tls';
import { IConstruct } from 'constructs';
import { AlertmanagerEndpoint } from '../core/alerting';
import {
  checkExternalLabels,
  checkLabelName,
  checkReplicas,
  checkScrapeInterval,
  checkUniqueJobs,
  checkVolumeSize,
  checkWorkloadOptions,
} from '../core/check-options';
import { clusterDomainOf } from '../core/cluster-domain';
import { durationAtLeast, parseDuration } from '../core/duration';
import { Validator } from '../core/errors';
import { IMAGES, ImageRef, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { RemoteWriteTarget, remoteWriteProblem } from '../core/remote-write';
import { ResourceRequirements } from '../core/resources';
import { RuleGroup, checkRuleGroups } from '../core/rule-groups';
import { dnsLabel, namespaceName } from '../core/rules';
import { ScrapeOptions, ScrapeTarget, scrapeConfigJobs } from '../core/scrape-target';
import { WorkloadOptions } from '../core/workload';
import { ThanosBucket } from '../thanos/bucket';
import { ThanosComponentOptions } from '../thanos/common';

/** The port of Prometheus' web API and metrics. */
export const PROMETHEUS_PORT = 9090;

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
  /**
   * Federation: scrape other Prometheus servers' `/federate` endpoints for the series their
   * selectors pick, keeping the series' own labels (`honor_labels`).
   * @default none
   */
  readonly federate?: readonly PrometheusFederation[];
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

/** Every prop of a Prometheus with its default filled in: what the constructor emits from. */
export interface ResolvedPrometheus {
  readonly mode: PrometheusMode;
  readonly image: ImageRef;
  readonly identity: ComponentIdentity;
  /** The host of its headless Service (every pod's SRV record). */
  readonly headlessHost: string;
  /** `http://<service>:9090`. */
  readonly queryUrl: string;
  readonly replicas: number;
  readonly replicaLabel: string;
  readonly scrapeInterval: string;
  /** The user's targets (its own is added by the construct). */
  readonly scrapeTargets: readonly ScrapeTarget[];
  readonly extraScrapeConfigs: ReadonlyArray<Record<string, unknown>>;
  readonly remoteWrite: readonly RemoteWriteTarget[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly alertmanagers: readonly AlertmanagerEndpoint[];
  /** Local TSDB retention; none in agent mode. */
  readonly retention?: string;
  readonly sidecar?: ThanosSidecarOptions;
  readonly remoteWriteReceiver: boolean;
  /** Whether exemplars are kept (server mode only). */
  readonly exemplars: boolean;
  readonly storageSize: string;
  /** Requests and limits unless the props set `resources`. */
  readonly defaultResources: ResourceRequirements;
}

/** Fills in every default of a Prometheus of `mode` made under `scope`, in one place. */
export function resolvePrometheus(scope: IConstruct, props: PrometheusServerProps, mode: PrometheusMode): ResolvedPrometheus {
  const image = props.image ?? IMAGES.prometheus;
  const identity = new ComponentIdentity({
    app: 'prometheus',
    instance: props.name ?? 'prometheus',
    component: mode,
    namespace: props.namespace,
    version: imageVersion(image),
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
  });
  const sidecar = props.thanosSidecar;
  return {
    mode,
    image,
    identity,
    headlessHost: identity.headlessHost,
    queryUrl: `${schemeAt(scope)}://${identity.host()}:${PROMETHEUS_PORT}`,
    replicas: props.replicas ?? 2,
    replicaLabel: props.replicaLabel ?? 'prometheus_replica',
    scrapeInterval: props.scrapeInterval ?? '30s',
    scrapeTargets: props.scrapeTargets ?? [],
    extraScrapeConfigs: props.extraScrapeConfigs ?? [],
    remoteWrite: props.remoteWrite ?? [],
    ruleGroups: props.ruleGroups ?? [],
    alertmanagers: props.alertmanagers ?? [],
    retention: mode === 'server' ? (props.retention ?? (sidecar ? '1d' : '15d')) : undefined,
    sidecar,
    remoteWriteReceiver: props.remoteWriteReceiver ?? false,
    exemplars: mode === 'server' && (props.exemplarStorage ?? props.remoteWriteReceiver ?? false),
    storageSize: props.storageSize ?? '20Gi',
    defaultResources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
  };
}

/** Checks the props of either mode; `props` are the given ones, for what a default cannot show (a retention set at all). */
export function validatePrometheus(v: Validator, r: ResolvedPrometheus, props: PrometheusServerProps): void {
  const name = r.identity.instance;
  v.apply('name', name, dnsLabel(name, 63 - '-server-headless'.length));
  v.apply('namespace', props.namespace, namespaceName(props.namespace));
  checkReplicas(v, 'replicas', r.replicas);
  checkWorkloadOptions(v, '', props, IMAGES.prometheus);
  checkScrapeInterval(v, props.scrapeInterval);
  checkVolumeSize(v, 'storageSize', props.storageSize);
  checkLabelName(v, 'replicaLabel', r.replicaLabel);
  checkExternalLabels(v, props.externalLabels, [r.replicaLabel]);
  r.remoteWrite.forEach((rw, i) => {
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
    v.apply(`remoteWrite[${i}]`, rw.url, remoteWriteProblem(rw, { replicas: r.replicas, replicaLabels: [r.replicaLabel] }));
  });
  checkUniqueJobs(v, [r.identity.name, ...r.scrapeTargets.map((t) => t.job), ...scrapeConfigJobs(r.extraScrapeConfigs)]);
  if (r.mode === 'agent') {
    v.check(
      r.remoteWrite.length > 0,
      'remoteWrite',
      [],
      'is empty: an agent keeps nothing queryable, so its samples would go nowhere',
      'pass a remote-write target such as thanos.remoteWriteTarget()',
    );
    return;
  }
  checkRuleGroups(v, 'ruleGroups', r.ruleGroups);
  if (props.retention !== undefined || r.sidecar) {
    const retention = r.retention!;
    v.apply(
      'retention',
      retention,
      r.sidecar
        ? durationAtLeast(retention, 6 * 3600_000, 'the sidecar uploads 2h blocks and Prometheus must keep three of them')
        : parseDuration(retention) === undefined
          ? { problem: 'is not a duration', fix: 'write it as "15d"' }
          : undefined,
    );
  }
  if (r.sidecar) checkWorkloadOptions(v, 'thanosSidecar', r.sidecar, IMAGES.thanos);
}
