import { PLATFORM_CA_FILE, SERVING_CERT_FILE, SERVING_KEY_FILE, ServingCertificate, WebConfigFile, toolkitHttps } from '../core/serving-tls';
import { IMAGES } from '../core/images';
import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { checkReplicas, checkWorkloadOptions } from '../core/check-options';
import { ConfigFile, renderYaml } from '../core/config-file';
import { Validator } from '../core/errors';
import { ComponentIdentity } from '../core/names';
import { ContainerDefinition, httpProbe, tcpProbe } from '../core/pod';
import { dnsLabel, namespaceName, volumeSize } from '../core/rules';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { AlertmanagerEndpoint } from '../core/alerting';
import { addWarning } from '../core/warnings';
import { declareExternal } from '../core/external';
import { collectorIdentity } from './rbac';
import { checkClusterDomain } from '../core/cluster-domain';
import { clusterDomainOf } from '../core/cluster-domain';
import { BasicAuthCredential } from '../core/basic-auth';
import { WebConfigWithLogins, WebLogins, webConfigWithLogins } from '../core/web-logins';

const PORTS = { http: 9093, cluster: 9094 } as const;
const CONFIG_DIR = '/etc/alertmanager';
const CONFIG_FILE = 'alertmanager.yml';
/** Where the gossip's TLS settings are mounted (`--cluster.tls-config`). */
const GOSSIP_TLS_DIR = '/etc/alertmanager/gossip-tls';
const GOSSIP_TLS_FILE = 'cluster-tls.yaml';
const DATA_DIR = '/alertmanager';
const NOBODY = 65534;

/** A routing tree node, in Alertmanager's own keys. */
export interface AlertmanagerRoute {
  /** The receiver of alerts this route matches. Required on the root route; children inherit it. */
  readonly receiver?: string;
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  /** Matchers such as `severity="critical"`. Not allowed on the root route. */
  readonly matchers?: readonly string[];
  /** Keep matching sibling routes after this one. Not allowed on the root route. */
  readonly continue?: boolean;
  readonly mute_time_intervals?: readonly string[];
  readonly active_time_intervals?: readonly string[];
  readonly routes?: readonly AlertmanagerRoute[];
}

/**
 * A receiver: a name, and any `<integration>_configs` lists (`webhook_configs`, `slack_configs`,
 * ...) in Alertmanager's keys. One with no integration drops what it receives.
 */
export interface AlertmanagerReceiver {
  readonly name: string;
  readonly [integration: string]: unknown;
}

/** alertmanager.yml as plain objects, in Alertmanager's own keys (rendered as given). */
export interface AlertmanagerConfig {
  readonly route: AlertmanagerRoute;
  readonly receivers: readonly AlertmanagerReceiver[];
  readonly global?: Readonly<Record<string, unknown>>;
  readonly inhibit_rules?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly time_intervals?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly templates?: readonly string[];
}

/**
 * Routes everything, grouped by alert and namespace, to a receiver that drops it: the library
 * cannot know your pager. An Alertmanager on it warns at synth until a receiver gets an integration.
 */
export const DEFAULT_ALERTMANAGER_CONFIG: AlertmanagerConfig = {
  route: { receiver: 'default', group_by: ['alertname', 'namespace'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h' },
  receivers: [{ name: 'default' }],
};

/** Logins on Alertmanager's UI and API, and the one its senders use. */
export interface AlertmanagerWebAuth extends WebLogins {
  /**
   * The login the library's senders use (the Thanos ruler, Loki's ruler, Prometheus, and the
   * scrapers of `/metrics`, which needs a login too): a user of the htpasswd file, with its
   * password in plain text in a Secret of yours in Alertmanager's namespace. Senders in another
   * namespace are refused at synth: they could not read it.
   */
  readonly sender: Omit<BasicAuthCredential, 'namespace'>;
}

/** Props of {@link Alertmanager}. */
export interface AlertmanagerProps extends WorkloadOptions {
  /** Namespace of every object. */
  readonly namespace: string;
  /** Name of the StatefulSet and the Service; the headless Service is `<name>-headless`. @default "alertmanager" */
  readonly name?: string;
  /** Pods; more than one form a gossip cluster that shares silences and deduplicates notifications. @default 2 */
  readonly replicas?: number;
  /** Routes and receivers. @default DEFAULT_ALERTMANAGER_CONFIG (everything to a receiver that drops it) */
  readonly config?: AlertmanagerConfig;
  /**
   * A Secret you create that holds what receivers must not show (webhook URLs with tokens, API and
   * routing keys, passwords): each key is a file under `/etc/alertmanager/secrets/`, which the
   * config names with the `*_file` form of the setting (`api_url_file`, `routing_key_file`,
   * `auth_password_file`, ...). The config itself is a ConfigMap and may not hold such a value.
   * @default none
   */
  readonly secretFiles?: { readonly secretName: string };
  /** Size of each pod's volume (silences and the notification log). @default "2Gi" */
  readonly storageSize?: string;
  /** Storage class of the volumes. @default the cluster default */
  readonly storageClass?: string;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
  /**
   * Require a login on everything Alertmanager serves (UI, API, `/metrics`): without it any pod the
   * NetworkPolicies admit can read alerts and silence them. Probes then check the port only, since
   * the kubelet has no login.
   * @default none: the API is open to every client the NetworkPolicies admit
   */
  readonly webAuth?: AlertmanagerWebAuth;
}

/**
 * Prometheus Alertmanager: a StatefulSet whose pods keep silences and the notification log on
 * their own volumes (so both survive restarts), gossiping with each other to share them.
 *
 * Gossip runs on port 9094 over TCP only: the shared pod builder and Services declare TCP ports,
 * and memberlist falls back to TCP when its UDP probes get no answer. Peers still converge; only
 * failure detection is slower than with UDP.
 *
 * Senders wire to {@link peersUrl} (Thanos ruler) or each pod, never to one load-balanced address:
 * every Alertmanager must receive every alert for the cluster to deduplicate.
 */
export class Alertmanager extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly config: ConfigFile;
  /** The rendered alertmanager.yml. */
  readonly configYaml: string;
  /** `<name>` (ClusterIP, for people and Grafana) and `<name>-headless` (peers, senders, scraping). */
  readonly services: Readonly<Record<string, k8s.KubeService>>;
  /** `http://<name>.<ns>.svc.<domain>:9093`: the UI and API through the ClusterIP Service. */
  readonly url: string;
  /** `dns+http://<name>-headless.<ns>.svc.<domain>:9093`: every pod, for Thanos ruler `--alertmanagers.url`. */
  readonly peersUrl: string;
  readonly scrapeTarget: ScrapeTarget;
  readonly replicas: number;
  /** How senders reach every pod: what the Thanos ruler, Loki's ruler and Prometheus take. */
  readonly endpoint: AlertmanagerEndpoint;

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const r = resolveAlertmanager(this, props);
    validate(this, props, r.name, r.replicas, r.config);
    const { name, headless, headlessHost, prefix } = r;
    this.replicas = r.replicas;
    this.identity = r.identity;
    this.configYaml = renderYaml(r.config);
    this.config = new ConfigFile(this, 'Config', {
      identity: this.identity,
      name: `${name}-config`,
      files: { [CONFIG_FILE]: this.configYaml },
    });
    if (props.secretFiles) {
      declareExternal(this, {
        kind: 'Secret',
        namespace: props.namespace,
        name: props.secretFiles.secretName,
        purpose: `Alertmanager receivers' secrets, each key a file under ${SECRETS_DIR}/ that the config names with a *_file setting`,
      });
    }
    this.services = {
      [name]: createService(this, 'Service', { identity: this.identity, name, ports: [{ name: 'http', port: PORTS.http }] }),
      // Published before ready: a starting pod must find its peers to become ready at all.
      [headless]: createService(this, 'HeadlessService', {
        identity: this.identity,
        name: headless,
        headless: true,
        publishNotReadyAddresses: true,
        ports: [
          { name: 'http', port: PORTS.http },
          { name: 'cluster', port: PORTS.cluster },
        ],
      }),
    };
    createServiceAccount(this, 'ServiceAccount', this.identity, name);
    const served = toolkitHttps(this, this.identity, { names: [name], headless: [headless] });
    const https = served && { ...served, gossip: r.replicas > 1 ? this.gossipTls(headlessHost) : undefined };
    const sender: BasicAuthCredential | undefined = props.webAuth && { ...props.webAuth.sender, namespace: props.namespace };
    const logins = props.webAuth && webConfigWithLogins(this, this.identity, props.webAuth, https?.webConfig);
    if (props.webAuth) {
      declareExternal(this, {
        kind: 'Secret',
        namespace: props.namespace,
        name: props.webAuth.sender.passwordSecret.name,
        purpose: `the password of ${props.webAuth.sender.username}, the login Alertmanager's senders and scrapers use, under "${props.webAuth.sender.passwordSecret.key}"`,
      });
    }
    this.workload = this.emitStatefulSet(r, props, https, logins);
    const scheme = https ? 'https' : 'http';
    this.url = `${scheme}://${this.identity.serviceHost(name, r.domain)}:${PORTS.http}${prefix}`;
    this.peersUrl = `dns+${scheme}://${headlessHost}:${PORTS.http}${prefix}`;
    this.endpoint = {
      path: this.node.path,
      peersUrl: this.peersUrl,
      srvRecord: `_http._tcp.${headlessHost}`,
      pathPrefix: prefix,
      ...(https ? { https: true } : {}),
      ...(sender ? { basicAuth: sender } : {}),
    };
    warnOnSilentReceivers(this, r.config);
    this.scrapeTarget = srvScrapeTarget(name, 'http', headlessHost, prefix ? `${prefix}/metrics` : undefined, {
      https: https ? { certificateSecret: https.certificate.secretName } : undefined,
      basicAuth: sender,
    });
  }

  /** The pods, gossiping with each other by their stable names when there are several. */
  /**
   * Mutual TLS between the peers' gossip, from the pod's certificate. Peers dial each other's pod
   * IPs (the advertised addresses), which no certificate names, so the headless Service's name is
   * checked instead.
   */
  private gossipTls(headlessHost: string): ConfigFile {
    const tls = {
      tls_server_config: {
        cert_file: SERVING_CERT_FILE,
        key_file: SERVING_KEY_FILE,
        client_auth_type: 'RequireAndVerifyClientCert',
        client_ca_file: PLATFORM_CA_FILE,
      },
      tls_client_config: { cert_file: SERVING_CERT_FILE, key_file: SERVING_KEY_FILE, ca_file: PLATFORM_CA_FILE, server_name: headlessHost },
    };
    return new ConfigFile(this, 'GossipTls', {
      identity: this.identity,
      name: `${this.identity.name}-gossip-tls`,
      files: { [GOSSIP_TLS_FILE]: renderYaml(tls) },
    });
  }

  private emitStatefulSet(
    r: ResolvedAlertmanager,
    props: AlertmanagerProps,
    https: { readonly webConfig: WebConfigFile; readonly certificate: ServingCertificate; readonly gossip?: ConfigFile } | undefined,
    logins: WebConfigWithLogins | undefined,
  ): Workload {
    const scheme = https ? 'HTTPS' : 'HTTP';
    // The web config: the TLS part as a ConfigMap, or, with logins, the file the init container writes.
    const webConfig = logins
      ? { volumes: [...logins.volumes], mount: logins.mount, initContainers: [logins.initContainer] }
      : https
        ? { volumes: [https.webConfig.volume], mount: https.webConfig.mount, initContainers: [] as ContainerDefinition[] }
        : undefined;
    const peers = Array.from({ length: r.replicas }, (_, i) => `--cluster.peer=${r.name}-${i}.${r.headlessHost}:${PORTS.cluster}`);
    const cluster =
      r.replicas > 1
        ? [
            `--cluster.listen-address=0.0.0.0:${PORTS.cluster}`,
            `--cluster.advertise-address=$(POD_IP):${PORTS.cluster}`,
            ...peers,
            ...(https?.gossip ? [`--cluster.tls-config=${GOSSIP_TLS_DIR}/${GOSSIP_TLS_FILE}`] : []),
          ]
        : // An empty listen address turns gossip off: a lone pod has no one to talk to.
          ['--cluster.listen-address='];
    return new Workload(this, 'Workload', {
      kind: 'StatefulSet',
      // Notifications leave the cluster: webhooks and chat over HTTPS, mail by SMTP submission
      // (the receivers may sit in a Secret of the user's, which the policy cannot read).
      outsidePorts: [443, 465, 587],
      // Silences and the notification log are gossiped copies: an HA pair on one node is no pair.
      exclusiveNodes: true,
      identity: this.identity,
      replicas: r.replicas,
      serviceName: r.headless,
      podIdentity: { runAsUser: NOBODY, runAsGroup: NOBODY, fsGroup: NOBODY },
      serviceAccountName: r.name,
      configChecksums: [this.config.checksum, ...(https ? [https.webConfig.file.checksum] : []), ...(https?.gossip ? [https.gossip.checksum] : [])],
      ...podOptions(props),
      volumes: [
        this.config.volume('config'),
        ...(props.secretFiles ? [{ name: 'secrets', secret: { secretName: props.secretFiles.secretName } }] : []),
        ...(webConfig?.volumes ?? []),
        ...(https ? [https.certificate.volume] : []),
        ...(https?.gossip ? [https.gossip.volume('gossip-tls')] : []),
      ],
      volumeClaims: [{ name: 'data', size: r.storageSize, storageClass: props.storageClass }],
      // Silences and the notification log are snapshotted to disk on SIGTERM.
      terminationGracePeriodSeconds: 60,
      initContainers: webConfig?.initContainers,
      containers: [
        withOptions(props, {
          name: 'alertmanager',
          image: r.image,
          args: [
            `--config.file=${CONFIG_DIR}/${CONFIG_FILE}`,
            `--storage.path=${DATA_DIR}`,
            `--web.listen-address=:${PORTS.http}`,
            ...(webConfig ? [`--web.config.file=${WebConfigFile.PATH}`] : []),
            ...cluster,
          ],
          // The advertised address must be the pod's IP: peers cannot use a name there.
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
          ports: [
            { name: 'http', containerPort: PORTS.http },
            { name: 'cluster', containerPort: PORTS.cluster },
          ],
          volumeMounts: [
            { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
            { name: 'data', mountPath: DATA_DIR },
            ...(props.secretFiles ? [{ name: 'secrets', mountPath: SECRETS_DIR, readOnly: true }] : []),
            ...(webConfig ? [webConfig.mount] : []),
            ...(https ? [https.certificate.mount] : []),
            ...(https?.gossip ? [{ name: 'gossip-tls', mountPath: GOSSIP_TLS_DIR, readOnly: true }] : []),
          ],
          // The kubelet has no login: behind one, the probes can only see the port open.
          readinessProbe: logins ? tcpProbe('http', { initialDelaySeconds: 5 }) : httpProbe(`${r.prefix}/-/ready`, 'http', { initialDelaySeconds: 5, scheme }),
          livenessProbe: logins
            ? tcpProbe('http', { initialDelaySeconds: 30 })
            : httpProbe(`${r.prefix}/-/healthy`, 'http', { initialDelaySeconds: 30, scheme }),
          defaultResources: r.defaultResources,
        }),
      ],
    });
  }
}

/**
 * The path Alertmanager serves under, from `--web.route-prefix` or else the path of
 * `--web.external-url` in the extra args: probes and URLs must carry it. `''` when at the root.
 */
function routePrefix(extraArgs: readonly string[] | undefined): string {
  const last = (flag: string) =>
    [...(extraArgs ?? [])]
      .reverse()
      .find((a) => a.startsWith(`--${flag}=`))
      ?.slice(flag.length + 3);
  let path = last('web.route-prefix');
  const external = last('web.external-url');
  if (path === undefined && external) {
    try {
      path = new URL(external).pathname;
    } catch {
      path = '';
    }
  }
  // No trailing slash, and a leading one unless empty: `am/` and `/am` both give `/am`.
  return (path ?? '').replace(/\/+$/, '').replace(/^(?=[^/])/, '/');
}

/** Every receiver a route or its children name, with the property path it is named at. */
function routeReceivers(route: AlertmanagerRoute, at: string): Array<[string, string]> {
  const own: Array<[string, string]> = route.receiver !== undefined ? [[`${at}.receiver`, route.receiver]] : [];
  return [...own, ...(route.routes ?? []).flatMap((r, i) => routeReceivers(r, `${at}.routes[${i}]`))];
}

/** Keys of a receiver that are not integrations. */
const RECEIVER_KEYS = new Set(['name']);

/**
 * Warns when an alert can be routed to a receiver with no integration (`webhook_configs`,
 * `slack_configs`, ...): Alertmanager accepts it and drops every alert that reaches it.
 */
function warnOnSilentReceivers(scope: Construct, config: AlertmanagerConfig): void {
  const used = new Set(routeReceivers(config.route ?? {}, 'config.route').map(([, r]) => r));
  const silent = (config.receivers ?? []).filter(
    (r) => used.has(r.name) && !Object.entries(r).some(([key, value]) => !RECEIVER_KEYS.has(key) && Array.isArray(value) && value.length > 0),
  );
  if (silent.length === 0) return;
  addWarning(
    scope,
    'alerts-delivered-nowhere',
    'config.receivers',
    silent.map((r) => r.name),
    `${silent.length === 1 ? 'is a receiver' : 'are receivers'} that routes send alerts to, with no integration: Alertmanager drops every alert that reaches ${silent.length === 1 ? 'it' : 'them'}`,
    'give each an integration (webhook_configs, slack_configs, pagerduty_configs, ...), with its keys in the Secret of secretFiles; acknowledge the warning while there is none yet',
  );
}

/** The checks Alertmanager itself makes on load, so a bad config fails the synth instead of the pods. */
function checkConfig(v: Validator, config: AlertmanagerConfig): void {
  const names = (config.receivers ?? []).map((r) => r.name);
  v.check(
    names.length > 0,
    'config.receivers',
    config.receivers,
    'is empty, so no route can deliver anything',
    'add at least one receiver, e.g. { name: "default" }',
  );
  names.forEach((n, i) =>
    v.check(
      typeof n === 'string' && n.length > 0 && names.indexOf(n) === i,
      `config.receivers[${i}].name`,
      n,
      'is empty or used by an earlier receiver too',
      'give every receiver its own name',
    ),
  );
  const root = config.route ?? {};
  v.check(
    root.receiver !== undefined,
    'config.route.receiver',
    root.receiver,
    'is unset: the root route must name the default receiver',
    `set it to one of the receivers (${names.join(', ') || 'none yet'})`,
  );
  v.check(
    !root.matchers || root.matchers.length === 0,
    'config.route.matchers',
    root.matchers,
    'is set on the root route, which must match every alert',
    'move the matchers to a child route under config.route.routes',
  );
  v.check(!root.continue, 'config.route.continue', root.continue, 'is set on the root route, where Alertmanager refuses it', 'remove it');
  for (const [at, receiver] of routeReceivers(root, 'config.route')) {
    v.check(
      names.includes(receiver),
      at,
      receiver,
      'names no receiver of config.receivers',
      `use one of: ${names.join(', ') || '(none)'}, or add a receiver of that name`,
    );
  }
}

/** Every prop of an Alertmanager with its default filled in. */
type ResolvedAlertmanager = ReturnType<typeof resolveAlertmanager>;

/** Fills in every default, in one place. */
function resolveAlertmanager(scope: Construct, props: AlertmanagerProps) {
  const name = props.name ?? 'alertmanager';
  const image = props.image ?? IMAGES.alertmanager;
  const identity = collectorIdentity('alertmanager', 'alert-router', name, props.namespace, image);
  const domain = clusterDomainOf(scope, props.clusterDomain);
  const headless = identity.headlessName;
  return {
    name,
    image,
    identity,
    domain,
    replicas: props.replicas ?? 2,
    config: props.config ?? DEFAULT_ALERTMANAGER_CONFIG,
    headless,
    headlessHost: identity.serviceHost(headless, domain),
    prefix: routePrefix(props.extraArgs),
    storageSize: props.storageSize ?? '2Gi',
    defaultResources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  };
}

function validate(scope: Construct, props: AlertmanagerProps, name: string, replicas: number, config: AlertmanagerConfig): void {
  const v = new Validator(scope);
  // Pods are `<name>-<ordinal>`, which must still fit the 63-character pod-name label.
  v.apply('name', name, dnsLabel(name, 52));
  v.apply('namespace', props.namespace, namespaceName(props.namespace));
  checkClusterDomain(v, props.clusterDomain);
  checkReplicas(v, 'replicas', replicas);
  if (props.storageSize !== undefined) v.apply('storageSize', props.storageSize, volumeSize(props.storageSize));
  checkWorkloadOptions(v, '', props, IMAGES.alertmanager);
  checkConfig(v, config);
  for (const path of secretValuesIn(config, 'config')) {
    const key = path.slice(path.lastIndexOf('.') + 1);
    v.check(
      false,
      path,
      '(hidden)',
      'is a secret written into the config, which is a ConfigMap in the output',
      `put it in a Secret, give it as secretFiles: { secretName }, and write ${FILE_FORM[key] ?? `${key}_file`}: ${SECRETS_DIR}/<its key> instead`,
    );
  }
  v.throwIfAny();
}

/** Where the keys of the `secretFiles` Secret are mounted. */
const SECRETS_DIR = '/etc/alertmanager/secrets';

/** Settings whose value is a secret, by name: receivers' keys and tokens, global defaults, HTTP client credentials. */
const SECRET_SETTINGS = new Set([
  'api_key',
  'api_secret',
  'routing_key',
  'service_key',
  'auth_password',
  'auth_secret',
  'bot_token',
  'token',
  'user_key',
  'password',
  'credentials',
  'client_secret',
  'slack_api_url',
  'smtp_auth_password',
  'smtp_auth_secret',
  'opsgenie_api_key',
  'victorops_api_key',
  'wechat_api_secret',
  'telegram_bot_token',
]);
/** Settings that are secret only under some integrations: a Slack or Teams webhook URL carries its token. */
const SECRET_URL_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  slack_configs: ['api_url'],
  discord_configs: ['webhook_url'],
  msteams_configs: ['webhook_url'],
  msteamsv2_configs: ['webhook_url'],
};
/** The file form of a global setting, where it is not `<name>_file`. */
const FILE_FORM: Readonly<Record<string, string>> = { slack_api_url: 'slack_api_url_file', smtp_auth_password: 'smtp_auth_password_file' };

/** The paths of secret settings given a value anywhere in `value`. */
function secretValuesIn(value: unknown, path: string, integration?: string): string[] {
  if (Array.isArray(value)) return value.flatMap((x, i) => secretValuesIn(x, `${path}[${i}]`, integration));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = `${path}.${k}`;
    const secret = SECRET_SETTINGS.has(k) || (integration !== undefined && (SECRET_URL_SETTINGS[integration] ?? []).includes(k));
    if (secret && typeof v === 'string' && v !== '') return [here];
    return secretValuesIn(v, here, k in SECRET_URL_SETTINGS ? k : integration);
  });
}
