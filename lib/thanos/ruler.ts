import { Construct, IConstruct } from 'constructs';
import { k8s } from '../core/k8s';
import { checkExternalLabels, checkLabelName, checkReplicas, checkVolumeSize, requireProps } from '../core/check-options';
import { ConfigFile } from '../core/config-file';
import { Validator } from '../core/errors';
import { declareExternal } from '../core/external';
import { dnsLabel } from '../core/rules';
import { AlertmanagerEndpoint } from '../core/alerting';
import { credentialNamespaceRule, passwordFileVolumes } from '../core/basic-auth';
import { jobsSelectedBy } from '../core/promql-jobs';
import { ScrapeTarget } from '../core/scrape-target';
import { addWarning } from '../core/warnings';
import { Wiring } from '../core/wiring';
import { Workload } from '../core/workload';
import { RuleGroup, checkRuleGroups, renderRuleFile } from '../core/rule-groups';
import { ThanosBucket } from './bucket';
import { POD_ENV, StoreApiEndpoint, grpcSrvAddress } from './common';
import { ThanosComponentProps, thanosIdentity, thanosScrapeTarget, thanosServices, thanosWorkload } from './component';
import { ThanosQuery } from './query';
import { rulerAlertmanagerFlags, rulerQueryFlags } from './ruler-clients';
import { checkPlatformTrust } from '../core/serving-tls';
import { checkDuration, checkThanosComponent, labelFlag } from './validate';
import { clusterDomainOf } from '../core/cluster-domain';

/** Props of {@link ThanosRuler}. */
export interface ThanosRulerProps extends ThanosComponentProps {
  /** The bucket its evaluation results are uploaded to. */
  readonly bucket: ThanosBucket;
  /** The queriers it evaluates rules against (over HTTP). */
  readonly query: ThanosQuery;
  /** Rule groups the construct writes into a ConfigMap. @default none */
  readonly ruleGroups?: readonly RuleGroup[];
  /** Names of existing ConfigMaps of rule files (`*.yaml`) in the same namespace. @default none */
  readonly ruleConfigMaps?: readonly string[];
  /** Alertmanagers the library runs (an {@link Alertmanager}'s `endpoint`): alerts go to every pod of each. @default none */
  readonly alertmanagers?: readonly AlertmanagerEndpoint[];
  /**
   * Alertmanager URLs outside the app, e.g. `dns+http://alertmanager.monitoring.svc:9093` (the
   * `dns+` prefix reaches every pod). Without any Alertmanager, alerting rules fire into nothing,
   * which the synth warns about. @default none
   */
  readonly alertmanagerUrls?: readonly string[];
  /** Ruler pods; each evaluates every rule, and query deduplicates them along `replicaLabel`. @default 2 */
  readonly replicas?: number;
  /** Default evaluation interval. @default "1m" */
  readonly evalInterval?: string;
  /** External label whose value is the pod name; dropped from alerts so Alertmanager deduplicates them. @default "rule_replica" */
  readonly replicaLabel?: string;
  /** More external labels on every result. @default none */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** How long results stay on the pod's volume after upload. @default "2d" */
  readonly retention?: string;
  /** Size of each pod's volume. @default "10Gi" */
  readonly storageSize?: string;
  /** Storage class of the volumes. @default the cluster default */
  readonly storageClass?: string;
}

const DATA_DIR = '/var/thanos/rule';
const RULES_DIR = '/etc/thanos/rules';
const DEFAULT_RESOURCES = { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } };
const ALERTMANAGER_URL = /^(dns\+|dnssrv\+)?https?:\/\/[^\s/]+/;

/**
 * Thanos Ruler: evaluates recording and alerting rules through Query, sends alerts to
 * Alertmanager, and serves and uploads what it records. Each rule ConfigMap is mounted as its own
 * directory (`/etc/thanos/rules/<configmap>/`) and read with one glob.
 */
export class ThanosRuler extends Construct {
  /** The rulers' StoreAPI, for Query. */
  readonly storeEndpoint: StoreApiEndpoint;
  /** Where its metrics are scraped. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  readonly workload: Workload;
  /** The ConfigMap of `ruleGroups`, when there are any. */
  readonly rules?: ConfigFile;
  /** The rules file as rendered, for checks such as `promtool check rules`. */
  readonly ruleFile?: string;

  constructor(scope: Construct, id: string, props: ThanosRulerProps) {
    super(scope, id);
    requireProps(this, props, {
      namespace: 'give the Kubernetes namespace of its objects',
      bucket: 'pass a ThanosBucket (or use ThanosCluster, which makes one)',
      query: 'pass the ThanosQuery the rules are evaluated against',
    });
    const r = resolveRuler(props);
    validateRuler(this, props, r);
    const identity = thanosIdentity(props, 'ruler');
    if (r.groups.length > 0) {
      this.ruleFile = renderRuleFile(r.groups);
      this.rules = new ConfigFile(this, 'Rules', { identity, name: `${identity.name}-rules`, files: { 'rules.yaml': this.ruleFile } });
    }
    const volumes = this.ruleVolumes(props, r);
    for (const url of props.alertmanagerUrls ?? []) declareInClusterService(this, url);
    const alertmanagerUrls = [...(props.alertmanagers ?? []).map((am) => am.peersUrl), ...(props.alertmanagerUrls ?? [])];
    const alertmanagerFlags = rulerAlertmanagerFlags(props.alertmanagers ?? [], props.alertmanagerUrls ?? []);
    // The passwords of the logins Alertmanagers require, as files.
    const passwords = passwordFileVolumes((props.alertmanagers ?? []).map((am) => am.basicAuth));
    this.recordAlertsAndReads(props, r, alertmanagerUrls);

    const { headless } = thanosServices(this, identity);
    this.workload = thanosWorkload(this, 'Workload', {
      identity,
      kind: 'StatefulSet',
      replicas: r.replicas,
      subcommand: 'rule',
      flags: [
        `--data-dir=${DATA_DIR}`,
        `--rule-file=${RULES_DIR}/*/*.yaml`,
        `--eval-interval=${r.evalInterval}`,
        `--tsdb.retention=${r.retention}`,
        ...rulerQueryFlags(props.query),
        labelFlag(r.replicaLabel, '$(NAME)'),
        ...Object.entries(props.externalLabels ?? {}).map(([k, val]) => labelFlag(k, val)),
        // Every replica fires the same alert; without its replica label Alertmanager sees one.
        `--alert.label-drop=${r.replicaLabel}`,
        ...alertmanagerFlags,
      ],
      options: props,
      bucket: props.bucket,
      bucketAccess: 'upload',
      env: POD_ENV,
      volumes: [...volumes, ...passwords.volumes],
      volumeMounts: [
        { name: 'data', mountPath: DATA_DIR },
        ...volumes.map((vol) => ({ name: vol.name, mountPath: `${RULES_DIR}/${vol.configMap!.name}`, readOnly: true })),
        ...passwords.mounts,
      ],
      volumeClaims: [{ name: 'data', size: props.storageSize ?? '10Gi', storageClass: props.storageClass }],
      configChecksums: this.rules ? [this.rules.checksum] : [],
      defaultResources: DEFAULT_RESOURCES,
    });
    this.scrapeTargets = [thanosScrapeTarget(this, identity, headless!, clusterDomainOf(this, props.clusterDomain))];
    this.storeEndpoint = ThanosRuler.endpointFor(this, props);
  }

  /** One volume per rule source: the generated rule file, then each ConfigMap the user provides. */
  private ruleVolumes(props: ThanosRulerProps, r: ResolvedRuler): k8s.Volume[] {
    const ruleVolumes: k8s.Volume[] = this.rules ? [this.rules.volume(this.rules.name)] : [];
    for (const name of r.configMaps) {
      ruleVolumes.push({ name: `rules-${ruleVolumes.length}`, configMap: { name } });
      declareExternal(this, { kind: 'ConfigMap', namespace: props.namespace, name, purpose: 'Prometheus rule files (*.yaml) for the Thanos ruler' });
    }
    return ruleVolumes.map((vol, i) => ({ ...vol, name: `rules-${i}` }));
  }

  /** A warning when its alerts reach no one, and the jobs its rules read, for the app's checks. */
  private recordAlertsAndReads(props: ThanosRulerProps, r: ResolvedRuler, alertmanagerUrls: readonly string[]): void {
    if (alertmanagerUrls.length === 0 && (r.groups.some((g) => g.rules.some((rule) => 'alert' in rule)) || r.configMaps.length > 0)) {
      addWarning(
        this,
        'alerts-go-nowhere',
        'alertmanagers',
        [],
        'is empty, so the alerts its rules fire reach no one',
        "pass an Alertmanager's endpoint in alertmanagers (or alertmanagerUrls for one outside the app), or acknowledge the warning if alerts are only read in Grafana",
      );
    }
    // Its rules select jobs from what Query serves: the app must scrape them into it.
    const ruleJobs = [...new Set(r.groups.flatMap((g) => g.rules.flatMap((rule) => jobsSelectedBy(rule.expr))))];
    if (ruleJobs.length > 0) {
      Wiring.of(this).reads({
        path: this.node.path,
        property: 'ruleGroups',
        source: props.query.queryApiAddress,
        jobs: ruleJobs,
        what: 'its rules',
        consequence: 'they would never find data, and their alerts never fire',
      });
    }
  }

  /**
   * The StoreAPI a ruler with these props serves. Query needs it before the ruler exists, since
   * the ruler in turn needs Query.
   */
  static endpointFor(scope: IConstruct, props: ThanosComponentProps & { readonly replicaLabel?: string }): StoreApiEndpoint {
    const identity = thanosIdentity(props, 'ruler', clusterDomainOf(scope, props.clusterDomain));
    return {
      address: grpcSrvAddress(identity.headlessHost),
      component: 'ruler',
      replicaLabels: [props.replicaLabel ?? 'rule_replica'],
    };
  }
}

/** An Alertmanager inside the cluster that this app does not emit is the user's to provide. */
function declareInClusterService(scope: Construct, url: string): void {
  const match = /^(?:dns\+|dnssrv\+)?https?:\/\/(?:_[a-z0-9-]+\._tcp\.)?([a-z0-9-]+)\.([a-z0-9-]+)\.svc\b/.exec(url);
  if (match) declareExternal(scope, { kind: 'Service', namespace: match[2], name: match[1], purpose: `Alertmanager for the Thanos ruler (${url})` });
}

/** The props with every default filled in. */
interface ResolvedRuler {
  readonly replicas: number;
  readonly replicaLabel: string;
  readonly groups: readonly RuleGroup[];
  readonly configMaps: readonly string[];
  readonly retention: string;
  readonly evalInterval: string;
}

function resolveRuler(props: ThanosRulerProps): ResolvedRuler {
  return {
    replicas: props.replicas ?? 2,
    replicaLabel: props.replicaLabel ?? 'rule_replica',
    groups: props.ruleGroups ?? [],
    configMaps: props.ruleConfigMaps ?? [],
    retention: props.retention ?? '2d',
    evalInterval: props.evalInterval ?? '1m',
  };
}

function validateRuler(scope: Construct, props: ThanosRulerProps, r: ResolvedRuler): void {
  const v = new Validator(scope);
  checkThanosComponent(v, props, '-ruler-headless'.length);
  checkReplicas(v, 'replicas', r.replicas);
  checkLabelName(v, 'replicaLabel', r.replicaLabel);
  checkExternalLabels(v, props.externalLabels, [r.replicaLabel]);
  checkDuration(v, 'evalInterval', r.evalInterval, 1000, 'a duration');
  checkDuration(v, 'retention', r.retention, 2 * 3600_000, 'results are cut into 2h blocks and kept until uploaded');
  checkVolumeSize(v, 'storageSize', props.storageSize);
  checkPlatformTrust(v, scope, 'query', props.query?.httpUrl, props.query?.httpUrl.startsWith('https://'));
  (props.alertmanagers ?? []).forEach((am, i) => checkPlatformTrust(v, scope, `alertmanagers[${i}]`, am.path, am.https));
  (props.alertmanagers ?? []).forEach((am, i) => v.apply(`alertmanagers[${i}].basicAuth`, am.path, credentialNamespaceRule(am.basicAuth, props.namespace)));
  v.check(
    r.groups.length + r.configMaps.length > 0,
    'ruleGroups',
    [],
    'is empty and no ruleConfigMaps are given: the ruler would evaluate nothing',
    'give ruleGroups or ruleConfigMaps, or leave the ruler out',
  );
  checkRuleGroups(v, 'ruleGroups', r.groups);
  r.configMaps.forEach((name, i) => v.apply(`ruleConfigMaps[${i}]`, name, dnsLabel(name, 253, false)));
  (props.alertmanagerUrls ?? []).forEach((url, i) =>
    v.check(
      ALERTMANAGER_URL.test(url),
      `alertmanagerUrls[${i}]`,
      url,
      'has no http:// or https:// scheme',
      'write it as "http://alertmanager.monitoring.svc:9093"',
    ),
  );
  v.throwIfAny();
}
