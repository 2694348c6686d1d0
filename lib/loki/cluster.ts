import { PlatformCall, ServingCertificate, ownCertificate, servingCertificate, servingTlsOf } from '../core/serving-tls';
import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { ConfigFile, renderYaml } from '../core/config-file';
import { LogsDestination, OtlpLogsDestination } from '../core/logs-destination';
import { DashboardDefinition, DashboardProvider, DatasourceContext, DatasourceDefinition, DatasourceProvider } from '../core/grafana-provisioning';
import { IMAGES, imageVersion } from '../core/images';
import { ComponentIdentity, LABELS, OWN_PREFIX } from '../core/names';
import { ZONE_LABEL, httpProbe } from '../core/pod';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService } from '../core/service';
import { addWarning } from '../core/warnings';
import { Wiring } from '../core/wiring';
import { Workload, podOptions, withOptions } from '../core/workload';
import { Memcached, MemcachedOptions } from '../memcached/memcached';
import { ObjectStorage } from '../object-storage/object-storage';
import { declareKeySecret, storageServiceAccount } from '../object-storage/usage';
import {
  ALERTMANAGER_PASSWORD_ENV,
  CONFIG_DIR,
  DATA_DIR,
  CacheAddress,
  LOKI_PORTS,
  LokiAddresses,
  RUNTIME_CONFIG_DIR,
  buildLokiConfig,
  buildRuntimeConfig,
  rulesAsCode,
} from './config';
import { basicAuthPasswordEnv } from '../core/basic-auth';
import { createAutoscaler } from '../core/autoscaling';
import { renderRuleFile } from '../core/rule-groups';
import { RULES_DIR } from './rules';
import { lokiDashboards, lokiDatasources } from './grafana';
import { buildGatewayConfig } from './gateway';
import { emitLokiGateway } from './gateway-workload';
import { ALL_TARGET_LABEL, LokiComponentPlan, ingestingReplicas, lokiComponents, lokiRoutes } from './components';
import { LokiClusterProps, LokiMode, ResolvedLokiProps, resolveLokiProps } from './props';
import { LOKI_S3_ACTIONS, lokiChunkClaims } from './storage';
import { checkEmittedLoki, validateLokiProps } from './validate';

/** What a client of one tenant needs: URLs, tenant and, behind basic auth, credentials. */
export interface LokiClientEndpoint extends LogsDestination, OtlpLogsDestination {
  /** The Loki API base (the gateway), for Grafana and LogCLI. */
  readonly queryUrl: string;
}

/** The header that carries the tenant id on every Loki request. */
export const TENANT_HEADER = 'X-Scope-OrgID';
/** Pods with this label join the memberlist ring. */
const MEMBERLIST_LABEL = `${OWN_PREFIX}/memberlist`;
/** uid and gid of the distroless Loki image. */
const LOKI_UID = 10001;
/** uid and gid of the unprivileged nginx image. */

/** The env var that carries the pod's zone into its `-ingester.availability-zone`. */
const ZONE_ENV = 'ZONE';
/** The targets that run a ruler, and so send alerts. */
const RULER_TARGETS: ReadonlySet<string> = new Set(['backend', 'all', 'ruler']);

/**
 * Grafana Loki in Simple Scalable mode: write (StatefulSet, WAL on a volume), read (Deployment),
 * backend (StatefulSet) and an nginx gateway that routes each API path to its role. The three
 * roles share one config and find each other through memberlist.
 *
 * Other components wire to it through {@link pushUrl}, {@link queryUrl} and {@link tenantHeader}.
 */
export class LokiCluster extends Construct implements DatasourceProvider, DashboardProvider {
  readonly datasourceKind = 'loki';
  readonly signal = 'logs' as const;
  /** `http://<gateway>/loki/api/v1/push`: where log shippers push. */
  readonly pushUrl: string;
  /** `http://<gateway>`: the base URL of the Loki API, for Grafana and LogCLI. */
  readonly queryUrl: string;
  /** The tenant header name (`X-Scope-OrgID`). */
  readonly tenantHeader = TENANT_HEADER;
  /** Whether requests need a tenant. */
  readonly authEnabled: boolean;
  /** Whether the gateway requires basic auth (and maps the user to the tenant). */
  readonly basicAuth: boolean;
  /** Known tenant ids. */
  readonly tenantIds: readonly string[];
  /** Instance name and namespace. */
  readonly name: string;
  readonly namespace: string;
  /** Buckets Loki stores into. */
  readonly buckets: { readonly chunks: string; readonly ruler: string };
  /** The ServiceAccount of the read, write and backend pods (the subject of a cloud identity). */
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly config: ConfigFile;
  readonly runtimeConfig: ConfigFile;
  /** The tenants' rules as code (`<name>-rules`), when any tenant has rule groups. */
  readonly rules?: ConfigFile;
  readonly gatewayConfig: ConfigFile;
  /** Every Loki workload by component (`write`, `read`, `backend`; `all-main`, `all`; `distributor`, ...). */
  readonly workloads: Readonly<Record<string, Workload>>;
  /** The workloads whose pods hold ingesters in the mode that takes the traffic, and the prop that sizes them. */
  readonly ingesters: { readonly property: string; readonly workloads: readonly Workload[] };
  /** Copies of each stream the ingesters keep. */
  readonly replicationFactor: number;
  /** The zones of zone-aware replication, when on: each copy of a stream in a zone of its own. */
  readonly zones?: readonly string[];
  readonly gateway: Workload;
  /** Every emitted Service by name. */
  readonly services: Readonly<Record<string, k8s.KubeService>>;
  /** Where the metrics of the read, write and backend pods are scraped. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  readonly chunksCache?: Memcached;
  readonly resultsCache?: Memcached;

  private readonly props: ResolvedLokiProps;
  private readonly storage: ObjectStorage;
  private readonly base: ComponentIdentity;
  private readonly serviceMap: Record<string, k8s.KubeService> = {};
  /** With serving TLS: the certificate the gateway serves. */
  private readonly gatewayCertificate?: ServingCertificate;
  /** The calls of the roles that may need the platform's CA: the ruler's Alertmanager, the object store. */
  private readonly trustedCalls: PlatformCall[];
  /** With serving TLS: the name every role's certificate carries for its gRPC peers. */
  private readonly grpcPeerName?: string;
  /** With serving TLS: each component's certificate, by component. */
  private readonly componentCertificates: Record<string, ServingCertificate> = {};
  /** The mode the gateway sends the traffic to. */
  private readonly routedMode: LokiMode;

  constructor(scope: Construct, id: string, props: LokiClusterProps) {
    super(scope, id);
    const p = resolveLokiProps(this, props);
    validateLokiProps(this, p);
    this.props = p;
    this.storage = p.storage!; // validated above
    this.name = p.name;
    this.namespace = p.namespace;
    this.buckets = p.buckets;
    this.authEnabled = p.authEnabled;
    this.basicAuth = p.gateway.basicAuthSecret !== undefined;
    this.tenantIds = p.tenants.map((t) => t.id);
    this.storage.usage.declareBucket(p.buckets.chunks, ...lokiChunkClaims(p));
    this.storage.usage.declareBucket(p.buckets.ruler);

    const image = p.image ?? IMAGES.loki;
    this.base = new ComponentIdentity({
      app: 'loki',
      instance: p.name,
      component: 'loki',
      namespace: p.namespace,
      version: imageVersion(image),
      clusterDomain: p.clusterDomain,
    });
    const host = (service: string) => this.base.host(service);

    this.chunksCache = this.emitCache('ChunksCache', 'chunks-cache', p.chunksCache);
    this.resultsCache = this.emitCache('ResultsCache', 'results-cache', p.resultsCache);

    // Every pod of every mode is behind the gossip Service: its name is the one all their certificates carry.
    this.grpcPeerName = servingTlsOf(this) && host(`${p.name}-memberlist`);
    const configIdentity = this.base.sibling('config');
    const stages = emittedModes(p);
    this.routedMode = routedMode(p);
    const configs = Object.fromEntries(
      stages.map(({ mode }) => {
        const config = buildLokiConfig(p, this.storage, this.addressesOf(mode));
        checkEmittedLoki(this, p, mode, config);
        const file = new ConfigFile(this, mode === 'simple-scalable' ? 'Config' : `Config-${mode}`, {
          identity: configIdentity,
          name: lokiConfigName(p.name, mode),
          files: { 'config.yaml': renderYaml(config) },
        });
        return [mode, file];
      }),
    ) as Partial<Record<LokiMode, ConfigFile>>;
    this.config = configs[this.routedMode]!;
    this.runtimeConfig = new ConfigFile(this, 'RuntimeConfig', {
      identity: configIdentity,
      name: `${p.name}-runtime-config`,
      files: { 'runtime-config.yaml': renderYaml(buildRuntimeConfig(p)) },
    });

    // Rules as code: one file per tenant, mounted by every pod that runs a ruler and re-read by it
    // (the kubelet updates the mount, the ruler polls it), so it takes no part in the pods' checksums.
    this.rules = rulesAsCode(p)
      ? new ConfigFile(this, 'Rules', {
          identity: configIdentity,
          name: `${p.name}-rules`,
          files: Object.fromEntries(p.tenants.filter((t) => t.ruleGroups?.length).map((t) => [`${t.id}.yaml`, renderRuleFile(t.ruleGroups!)])),
        })
      : undefined;

    // Every component of every mode shares one ServiceAccount, so Loki holds one cloud role.
    this.serviceAccount = storageServiceAccount(this, 'ServiceAccount', this.base, p.name, {
      storage: this.storage,
      buckets: [p.buckets.chunks, p.buckets.ruler],
      actions: LOKI_S3_ACTIONS,
    });
    declareKeySecret(this, this.storage, p.namespace, 'Loki');

    this.emitMemberlistService();
    // With serving TLS each component serves its HTTP port over HTTPS from a certificate of its own,
    // whose ca.crt the ruler trusts its Alertmanager by, and every component the object store. Without
    // it, a call to an HTTPS endpoint is refused (every component reads the same settings).
    this.trustedCalls = [
      { property: 'alertmanager', value: p.alertmanager?.path, platformCa: p.alertmanager?.https },
      { property: 'storage', value: this.storage.kind, platformCa: this.storage.platformCa },
    ];
    this.replicationFactor = p.replicationFactor;
    this.zones = p.zones;
    const workloads: Record<string, Workload> = {};
    for (const { mode, stopped } of stages) {
      for (const plan of lokiComponents(p, mode)) workloads[plan.component] = this.emitComponent(plan, configs[mode]!, stopped);
      if (mode === 'ha-monolithic') this.emitMonolithicGroup(stopped);
    }
    this.workloads = workloads;
    const ingesting = lokiComponents(p, this.routedMode).filter((c) => c.ingests);
    this.ingesters = {
      property: ingestingReplicas(p, this.routedMode).options,
      workloads: ingesting.map((c) => workloads[c.component]),
    };

    const gatewayIdentity = this.base.sibling('gateway', imageVersion(p.gateway.image ?? IMAGES.nginx));
    // The entry every client uses serves HTTPS with serving TLS on; behind it Loki still speaks plain HTTP.
    const serving = servingTlsOf(this);
    this.gatewayCertificate = serving && servingCertificate(this, gatewayIdentity, serving, { names: [gatewayIdentity.name], headless: [] });
    this.gatewayConfig = this.emitGatewayConfig(p, gatewayIdentity);
    const gateway = emitLokiGateway(this, {
      identity: gatewayIdentity,
      options: p.gateway,
      config: this.gatewayConfig,
      certificate: this.gatewayCertificate,
      tenantIds: this.tenantIds,
    });
    this.serviceMap[gatewayIdentity.name] = gateway.service;
    this.gateway = gateway.workload;
    this.queryUrl = `${serving ? 'https' : 'http'}://${host(`${p.name}-gateway`)}`;
    this.pushUrl = `${this.queryUrl}/loki/api/v1/push`;
    this.services = this.serviceMap;
    this.recordGuardsAndWarnings(p);
    this.scrapeTargets = Object.keys(workloads).map((component) => {
      const cert = this.componentCertificates[component];
      return srvScrapeTarget(`${p.name}-${component}`, 'http-metrics', host(`${p.name}-${component}-headless`), undefined, {
        https: cert ? { certificateSecret: cert.secretName } : undefined,
      });
    });
  }

  /** A memcached cache of the cluster, when the props ask for one. */
  private emitCache(id: string, component: string, options: MemcachedOptions | undefined): Memcached | undefined {
    if (!options) return undefined;
    // With serving TLS the caches take only Loki's pods, over mutual TLS (Loki's memcached client speaks it).
    const tls = servingTlsOf(this) !== undefined;
    return new Memcached(this, id, { ...options, owner: this.base, component, clusterDomain: this.props.clusterDomain, tls });
  }

  /** The gateway's nginx.conf: each API path to the role that serves it, by the roles' Services. */
  private emitGatewayConfig(p: ResolvedLokiProps, identity: ComponentIdentity): ConfigFile {
    const scheme = servingTlsOf(this) ? 'https' : 'http';
    const url = (component: string) => `${scheme}://${this.base.host(`${p.name}-${component}`)}:${LOKI_PORTS.http}`;
    const routes = lokiRoutes(this.routedMode);
    return new ConfigFile(this, 'GatewayConfig', {
      identity,
      name: `${p.name}-gateway`,
      files: {
        'nginx.conf': buildGatewayConfig({
          push: url(routes.push),
          query: url(routes.query),
          tail: url(routes.tail),
          rules: url(routes.rules),
          deletes: url(routes.deletes),
          resolver: p.gateway.dnsResolver,
          basicAuth: p.gateway.basicAuthSecret !== undefined,
          https: this.gatewayCertificate !== undefined,
        }),
      },
    });
  }

  /** What the app's checks need to know: the gateway's guard on every client, and alerts that reach no one. */
  private recordGuardsAndWarnings(p: ResolvedLokiProps): void {
    if (this.basicAuth) {
      // Every client of the gateway must send credentials: the app refuses one that does not.
      Wiring.of(this).guards({
        path: this.node.path,
        urlPrefix: this.queryUrl,
        what: 'the Loki gateway, which requires basic auth',
        fix: p.gateway.clientPasswordsSecret
          ? 'take the destination from loki.clientEndpoint("<tenant>"), which carries the credentials'
          : 'give the gateway clientPasswordsSecret (a Secret with each tenant\'s password under its id) and take the destination from loki.clientEndpoint("<tenant>")',
      });
    }
    if (!p.alertmanager && !p.alertmanagerUrl) {
      addWarning(
        this,
        'alerts-go-nowhere',
        'alertmanager',
        undefined,
        'is unset, so the alerts of the rules tenants upload to the ruler reach no one',
        "pass an Alertmanager's endpoint in alertmanager (or alertmanagerUrl for one outside the app), or acknowledge the warning if tenants keep no alerting rules",
      );
    }
  }

  /**
   * Everything a client of `tenant` needs: the push, OTLP and query URLs, the tenant, and, when
   * the gateway requires basic auth, the credentials (the tenant's key of
   * `gateway.clientPasswordsSecret`). Every log shipper and datasource should take this, so a
   * client of an authenticating gateway cannot be wired without its credentials.
   */
  clientEndpoint(tenant?: string): LokiClientEndpoint {
    const id = tenant === undefined ? undefined : this.tenantHeaderFor(tenant).value;
    const passwords = this.props.gateway.clientPasswordsSecret;
    const basicAuth =
      this.basicAuth && id !== undefined && passwords ? { username: id, passwordSecret: { name: passwords, key: id }, namespace: this.namespace } : undefined;
    return {
      pushUrl: this.pushUrl,
      otlpUrl: `${this.queryUrl}/otlp`,
      queryUrl: this.queryUrl,
      ...(this.authEnabled && id !== undefined ? { tenant: id } : {}),
      ...(basicAuth ? { basicAuth } : {}),
      ...(this.gatewayCertificate ? { platformCa: true } : {}),
    };
  }

  /**
   * The header a client of `tenant` sends. Fails when Loki does not know the tenant, so a typo in
   * a datasource or shipper is caught at synth time rather than as empty dashboards.
   */
  tenantHeaderFor(tenant: string): { readonly name: string; readonly value: string } {
    if (!this.authEnabled) return { name: TENANT_HEADER, value: 'fake' };
    if (this.tenantIds.length > 0 && !this.tenantIds.includes(tenant)) {
      throw new Error(
        `[${this.node.path}] tenant "${tenant}" is not one of Loki's tenants (${this.tenantIds.join(', ')}). Fix: add it to LokiCluster tenants or use a listed one.`,
      );
    }
    return { name: TENANT_HEADER, value: tenant };
  }

  /** One Loki datasource per tenant, `context.tenant` first (see {@link lokiDatasources}). */
  datasources(context: DatasourceContext): DatasourceDefinition[] {
    return lokiDatasources(this, context);
  }

  dashboards(): DashboardDefinition[] {
    return lokiDashboards(this);
  }

  private service(id: string, spec: Parameters<typeof createService>[2]): void {
    this.serviceMap[spec.name] = createService(this, id, spec);
  }

  private emitMemberlistService(): void {
    // Every role joins one gossip ring, so the selector spans components: app, instance and the ring label.
    this.service('MemberlistService', {
      identity: this.base.sibling('memberlist'),
      name: `${this.props.name}-memberlist`,
      headless: true,
      publishNotReadyAddresses: true,
      selector: { [LABELS.name]: 'loki', [LABELS.instance]: this.props.name, [MEMBERLIST_LABEL]: 'true' },
      ports: [{ name: 'tcp-memberlist', port: LOKI_PORTS.memberlist, targetPort: 'memberlist' }],
      // Ingesters, index gateways, schedulers and compactors are found in the rings, by pod address.
      ringPorts: ['grpc'],
    });
  }

  /** The rules ConfigMap as the ruler reads it: each tenant's file in the tenant's own folder. */
  private rulesVolume(): k8s.Volume | undefined {
    if (!this.rules) return undefined;
    const items = Object.keys(this.rules.files).map((key) => ({ key, path: `${key.replace(/\.yaml$/, '')}/rules.yaml` }));
    return { name: 'rules', configMap: { name: this.rules.name, items } };
  }

  /** What the config of `mode` points at: the Services of that mode's components. */
  private addressesOf(mode: LokiMode): LokiAddresses {
    const p = this.props;
    const host = (service: string) => this.base.host(`${p.name}-${service}`);
    return {
      memberlist: host('memberlist'),
      gossipClusterLabel: this.base.gossipClusterLabel,
      compactor: host(mode === 'simple-scalable' ? 'backend' : 'compactor'),
      indexGateway: mode === 'simple-scalable' ? host('backend-headless') : mode === 'distributed' ? host('index-gateway-headless') : undefined,
      queryScheduler: mode === 'distributed' ? host('query-scheduler-headless') : undefined,
      compactorWorkers: mode === 'ha-monolithic',
      chunksCache: this.chunksCache && cacheAddress(this.chunksCache),
      resultsCache: this.resultsCache && cacheAddress(this.resultsCache),
      tls: this.grpcPeerName ? { peerName: this.grpcPeerName } : undefined,
    };
  }

  /**
   * ha-monolithic: `<name>-compactor`, the main compactor alone, for delete requests and the
   * workers' jobs; and one disruption budget over every `-target=all` pod, since a stream's copies
   * may sit on the main and on the workers alike.
   */
  private emitMonolithicGroup(stopped: boolean): void {
    const all = this.base.sibling('all');
    if (!stopped && this.props.monolithic.replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'MonolithicPdb', {
        metadata: { name: all.name, namespace: all.namespace, labels: all.labels },
        spec: { selector: { matchLabels: allTargetSelector(this.props.name) }, maxUnavailable: k8s.IntOrString.fromNumber(1) },
      });
    }
    const main = this.base.sibling('all-main');
    this.service('MainCompactorService', {
      identity: this.base.sibling('compactor'),
      name: `${this.props.name}-compactor`,
      selector: main.selector,
      ports: [
        { name: 'http-metrics', port: LOKI_PORTS.http },
        { name: 'grpc', port: LOKI_PORTS.grpc },
      ],
    });
  }

  /**
   * One Loki workload: its Services (`<name>-<component>` and the headless one its pods are
   * named and scraped by), its certificate with serving TLS, and its pods. `stopped` keeps the
   * objects at zero replicas (the cut-over stage of a migration).
   */
  private emitComponent(plan: LokiComponentPlan, config: ConfigFile, stopped: boolean): Workload {
    const p = this.props;
    const options = plan.options;
    const identity = this.base.sibling(plan.component, imageVersion(options.image ?? p.image ?? IMAGES.loki));
    const ports = [
      { name: 'http-metrics', port: LOKI_PORTS.http },
      { name: 'grpc', port: LOKI_PORTS.grpc },
    ];
    const id = plan.component
      .split('-')
      .map((part) => cap(part))
      .join('');
    // `<name>-all` takes every `-target=all` pod, the main compactor's too: one group of ring members.
    const selector = plan.podLabels ? allTargetSelector(p.name) : undefined;
    this.service(`${id}Service`, { identity, name: identity.name, ports, selector });
    this.service(`${id}HeadlessService`, { identity, name: identity.headlessName, ports, headless: true });

    const trust = ownCertificate(this, identity, { names: [identity.name], headless: [identity.headlessName], peerName: this.grpcPeerName }, this.trustedCalls);
    const rules = RULER_TARGETS.has(plan.target) ? this.rulesVolume() : undefined;
    const zoned = plan.ingests && p.zones !== undefined;
    if (servingTlsOf(this) && trust) this.componentCertificates[plan.component] = trust;
    const scheme = servingTlsOf(this) ? 'HTTPS' : 'HTTP';
    const container = withOptions(options, {
      name: 'loki',
      // A component's own image (applied by withOptions) wins over the cluster's (a canary of one component), which wins over the pin.
      image: p.image ?? IMAGES.loki,
      args: [
        `-config.file=${CONFIG_DIR}/config.yaml`,
        `-target=${plan.target}`,
        '-config.expand-env=true',
        // Pod CIDRs outside RFC 1918 make memberlist find "no private IP": advertise the pod IP.
        '-memberlist.advertise-addr=$(POD_IP)',
        ...(zoned ? [`-ingester.availability-zone=$(${ZONE_ENV})`] : []),
        ...(plan.extraFlags ?? []),
      ],
      env: [
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        // The node's zone, copied to the pod's labels when it is bound (PodTopologyLabels).
        ...(zoned ? [{ name: ZONE_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${ZONE_LABEL}']` } } }] : []),
        ...this.storage.credentials.env(),
        // Only the pods that run a ruler get the password of its Alertmanager login.
        ...(RULER_TARGETS.has(plan.target) && p.alertmanager?.basicAuth ? [basicAuthPasswordEnv(ALERTMANAGER_PASSWORD_ENV, p.alertmanager.basicAuth)] : []),
      ],
      ports: [
        { name: 'http-metrics', containerPort: LOKI_PORTS.http },
        { name: 'grpc', containerPort: LOKI_PORTS.grpc },
        { name: 'memberlist', containerPort: LOKI_PORTS.memberlist },
      ],
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR },
        { name: 'runtime-config', mountPath: RUNTIME_CONFIG_DIR },
        { name: 'data', mountPath: DATA_DIR },
        ...(trust ? [trust.mount] : []),
        ...(rules ? [{ name: rules.name, mountPath: RULES_DIR, readOnly: true }] : []),
      ],
      readinessProbe: httpProbe('/ready', 'http-metrics', { initialDelaySeconds: 15, scheme }),
      livenessProbe: httpProbe('/loki/api/v1/status/buildinfo', 'http-metrics', { initialDelaySeconds: 30, failureThreshold: 5, scheme }),
      defaultResources: plan.defaultResources,
    });
    const autoscaling = stopped ? undefined : options.autoscaling;
    const common = {
      identity,
      // An autoscaler owns the count of a stateless component; its minimum sizes the defaults.
      replicas: stopped ? 0 : (autoscaling?.minReplicas ?? plan.replicas),
      autoscaled: autoscaling !== undefined,
      podIdentity: { runAsUser: LOKI_UID, runAsGroup: LOKI_UID, fsGroup: LOKI_UID },
      serviceAccountName: p.name,
      configChecksums: [config.checksum],
      extraPodLabels: { [MEMBERLIST_LABEL]: 'true', ...plan.podLabels },
      ...podOptions(options),
      containers: [container],
      // Ingesters flush their WAL, the compactor and ruler finish their pass before exiting.
      ...(plan.stateful ? { terminationGracePeriodSeconds: plan.grace } : {}),
    };
    const configVolumes: k8s.Volume[] = [
      config.volume('config'),
      this.runtimeConfig.volume('runtime-config'),
      ...(trust ? [trust.volume] : []),
      ...(rules ? [rules] : []),
    ];
    if (!plan.stateful) {
      if (autoscaling) createAutoscaler(this, `${id}Autoscaler`, identity, autoscaling);
      return new Workload(this, id, {
        ...common,
        kind: 'Deployment',
        volumes: [...configVolumes, { name: 'data', emptyDir: {} }],
        // A surge pod would join the ring before an old one leaves: replace one at a time instead.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) } },
      });
    }
    return new Workload(this, id, {
      ...common,
      kind: 'StatefulSet',
      // The ingesters of a stream's copies are distinct pods; on one node they would fail together.
      // The `-target=all` pods are one group over two StatefulSets, with one budget (emitted once).
      exclusiveNodes: plan.ingests ? (selector ?? true) : false,
      zones: zoned ? p.zones : undefined,
      disruptionBudget: selector ? false : undefined,
      volumes: configVolumes,
      volumeClaims: [{ name: 'data', size: options.storageSize ?? '10Gi', storageClass: options.storageClass }],
    });
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** How Loki's config reaches a cache: every pod by SRV (no A lookups: the targets are pod names), over TLS when it serves it. */
function cacheAddress(cache: Memcached): CacheAddress {
  return { srv: `dnssrvnoa+_${cache.portName}._tcp.${cache.serviceHost}`, tlsServerName: cache.tlsServerName };
}

/** The modes a cluster emits workloads for: the target mode, and during a migration Simple Scalable too. */
function emittedModes(p: ResolvedLokiProps): Array<{ readonly mode: LokiMode; readonly stopped: boolean }> {
  const m = p.migration;
  if (!m) return [{ mode: p.mode, stopped: false }];
  if (m.stage === 1) return [{ mode: 'simple-scalable', stopped: false }];
  // Stage 2 runs both; stage 3 keeps Simple Scalable's objects at zero replicas while its write pods flush and stop.
  return [
    { mode: 'simple-scalable', stopped: m.stage === 3 },
    { mode: p.mode, stopped: false },
  ];
}

/** The mode the gateway sends the traffic to: Simple Scalable until the cut-over stage. */
function routedMode(p: ResolvedLokiProps): LokiMode {
  return p.migration && p.migration.stage < 3 ? 'simple-scalable' : p.mode;
}

/** The ConfigMap of a mode's config: Simple Scalable keeps `<name>-config`, so no running pod rolls for the new modes' configs. */
export function lokiConfigName(name: string, mode: LokiMode): string {
  return mode === 'simple-scalable' ? `${name}-config` : `${name}-${mode}-config`;
}

/** The labels of every `-target=all` pod of a cluster, the main compactor's included. */
function allTargetSelector(name: string): Record<string, string> {
  return { [LABELS.name]: 'loki', [LABELS.instance]: name, [ALL_TARGET_LABEL]: 'true' };
}
