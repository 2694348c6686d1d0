import { setServingTls } from '../core/serving-tls';
import { warnOnUnknownRuleLabels } from './rule-labels';
import { thanosGrpcTlsFor, warnOnPlainHttp } from './tls';
import { entryLogins } from './entry-auth';
import { Construct } from 'constructs';
import { Chart } from 'cdk8s';
import { Alertmanager } from '../collectors/alertmanager';
import { AlloyGateway, AlloyLogAgent } from '../collectors/alloy';
import { MetricsServer } from '../collectors/metrics-server';
import { KubeStateMetrics } from '../collectors/kube-state-metrics';
import { NodeExporter } from '../collectors/node-exporter';
import { OtelCollectorGateway } from '../collectors/otel-collector';
import { RestrictedNamespace } from '../core/namespace';
import { setClusterDomain } from '../core/cluster-domain';
import { admitClients, setNetworkPolicies } from '../core/network-policy';
import { addWarning } from '../core/warnings';
import { ReplicatedStore, warnOnZoneLoss } from './zones';
import { ScrapeTarget, Scrapeable, scrapeTargetsOf } from '../core/scrape-target';
import { emitServiceMonitors } from '../core/service-monitor';
import { Grafana } from '../grafana/grafana';
import { LokiCluster } from '../loki';
import { AwsStorage } from '../object-storage/aws-storage';
import { planAwsStorage } from '../object-storage/aws-plan';
import { Minio } from '../object-storage/minio';
import { SeaweedFs } from '../object-storage/seaweedfs';
import { ObjectStorage } from '../object-storage/object-storage';
import { PrometheusAgent } from '../prometheus';
import { Pushgateway } from '../pushgateway';
import { RemoteWriteTarget } from '../core/remote-write';
import { Tempo } from '../tempo/tempo';
import { ThanosCluster } from '../thanos';
import { VictoriaMetricsCluster, VmAgent } from '../victoriametrics';
import { Kafka } from '../kafka/kafka';
import { Jaeger } from '../jaeger/jaeger';
import { platformGrafanaContent } from './grafana-wiring';
import { MetricsBackendKind, PlatformDatasourceKind, PlatformSpec, SelfMonitoringSpec, embeddedStoreOf } from './spec';
import { resolveTenants, validateSpec } from './validate';
import { applyProfile } from './profiles';

export * from './spec';

/** What the rest of the platform needs from the metrics backend, whichever it is. */
export interface PlatformMetrics {
  readonly backend: MetricsBackendKind;
  /** Where collectors write. */
  readonly remoteWrite: RemoteWriteTarget;
  /** The Prometheus-compatible query API (what a Grafana datasource takes). */
  readonly queryUrl: string;
  /** The backend's own metrics. */
  readonly scrapeTargets: readonly ScrapeTarget[];
}

/** The cluster collectors the platform runs. */
export interface PlatformCollectors {
  readonly logs?: AlloyLogAgent;
  readonly otlp?: OtelCollectorGateway | AlloyGateway;
  readonly metricsServer?: MetricsServer;
  readonly kubeStateMetrics?: KubeStateMetrics;
  readonly nodeExporter?: NodeExporter;
}

/**
 * The whole platform as one cdk8s Chart: object storage, logs, metrics, traces, Grafana and the
 * collectors, wired to each other through their typed endpoints. With no spec it needs no cloud
 * account: storage is SeaweedFS in the cluster.
 */
export class ObservabilityPlatform extends Chart {
  readonly namespaceName: string;
  readonly storage: ObjectStorage;
  /** The AWS storage, when the spec has `aws`: the cdktf stack's input. */
  readonly aws?: AwsStorage;
  /** The embedded SeaweedFS, when the platform uses it (the default). */
  readonly seaweedfs?: SeaweedFs;
  /** The embedded MinIO, when the spec chose it. */
  readonly minio?: Minio;
  readonly loki: LokiCluster;
  /** The tenant the platform's collectors write logs as. */
  readonly logsTenant: string;
  /** The Thanos backend, when chosen. */
  readonly thanos?: ThanosCluster;
  /** The VictoriaMetrics backend, when chosen. */
  readonly victoriaMetrics?: VictoriaMetricsCluster;
  /** The in-cluster broker of a distributed Tempo or of Jaeger, when the platform runs one. */
  readonly kafka?: Kafka;
  /** Jaeger, when it is the traces backend. */
  readonly jaeger?: Jaeger;
  /** The chosen metrics backend's endpoints. */
  readonly metrics: PlatformMetrics;
  /** The Alertmanager, when the spec asks for one. */
  readonly alertmanager?: Alertmanager;
  /** The Pushgateway, when the spec asks for one. */
  readonly pushgateway?: Pushgateway;
  /** Tempo, unless turned off. */
  readonly tempo?: Tempo;
  /** Grafana, unless turned off. */
  readonly grafana?: Grafana;
  readonly collectors: PlatformCollectors;
  /** The collector that scrapes the platform, unless turned off. */
  readonly selfMonitoring?: PrometheusAgent | VmAgent;
  /** Every component the platform runs (Grafana and self-monitoring aside), in the order they are wired. */
  readonly components: ReadonlyArray<Construct & Scrapeable>;
  /** Every component's metrics endpoint: what self-monitoring scrapes and ServiceMonitors select. */
  readonly scrapeTargets: readonly ScrapeTarget[];

  constructor(scope: Construct, id: string, given: PlatformSpec = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    // Before any construct is added: context cannot change once the chart has children.
    if (given.clusterDomain !== undefined) setClusterDomain(this, given.clusterDomain);
    if (given.network?.policies === false) setNetworkPolicies(this, false);
    if (given.tls) setServingTls(this, given.tls);
    const spec = applyProfile(this, given);
    const namespace = (this.namespaceName = spec.namespace ?? 'observability');
    const backend = spec.metricsBackend ?? 'thanos';
    const tracesBackend = spec.tracesBackend ?? 'tempo';
    validateSpec(this, spec, namespace, backend);
    const scrapeInterval = (spec.selfMonitoring || undefined)?.scrapeInterval ?? '30s';

    if (spec.createNamespace ?? true) new RestrictedNamespace(this, 'namespace', namespace);
    if (spec.aws) {
      this.aws = new AwsStorage(spec.aws, this.node.path);
      this.storage = this.aws;
    } else if (spec.storage) {
      this.storage = spec.storage;
    } else if (embeddedStoreOf(spec) === 'minio') {
      this.storage = this.minio = new Minio(this, 'minio', { ...spec.minio, namespace });
    } else {
      this.storage = this.seaweedfs = new SeaweedFs(this, 'seaweedfs', { ...spec.seaweedfs, namespace });
    }
    if (spec.alertmanager !== false) this.alertmanager = new Alertmanager(this, 'alertmanager', { ...spec.alertmanager, namespace });
    const am = this.alertmanager;
    const tenants = resolveTenants(spec);
    // One tenants spec: with entryAuth every entry point takes the same logins.
    const logins = entryLogins(spec, tenants);
    this.loki = new LokiCluster(this, 'loki', {
      ...spec.loki,
      gateway: logins.lokiGateway,
      // Loki's part of each tenant: its retention, limits and rules (the metrics account is not Loki's).
      tenants: tenants.map(({ metricsAccount: _account, ...tenant }) => tenant),
      namespace,
      storage: this.storage,
      // Every ruler sends to every Alertmanager pod (upstream: never load-balance alerts between them).
      alertmanager: spec.loki?.alertmanager ?? (spec.loki?.alertmanagerUrl ? undefined : am?.endpoint),
    });
    this.logsTenant = spec.logsTenant ?? tenants[0]?.id ?? 'fake';

    if (backend === 'victoriametrics') {
      // The self-monitoring pair sends every series twice; one sample per scrape interval is kept.
      const selfInterval = spec.selfMonitoring === false ? undefined : scrapeInterval;
      const vmAuth = spec.victoriaMetrics?.auth ?? (logins.vmAuthUsers && { users: logins.vmAuthUsers, credentialsSecret: spec.entryAuth!.passwordsSecret });
      const vm = (this.victoriaMetrics = new VictoriaMetricsCluster(this, 'victoria-metrics', {
        ...spec.victoriaMetrics,
        backup: spec.victoriaMetrics?.backup === false ? undefined : { ...spec.victoriaMetrics?.backup, storage: this.storage },
        auth: vmAuth,
        namespace,
        dedupInterval: spec.victoriaMetrics?.dedupInterval ?? selfInterval,
      }));
      this.metrics = { backend, remoteWrite: vm.remoteWriteTarget(0), queryUrl: vm.queryUrl(0), scrapeTargets: vm.scrapeTargets };
    } else {
      const ruler =
        spec.thanos?.ruler === false || !am ? spec.thanos?.ruler : { ...spec.thanos?.ruler, alertmanagers: spec.thanos?.ruler?.alertmanagers ?? [am.endpoint] };
      const grpcTls = spec.thanos?.grpcTls ?? (spec.tls ? thanosGrpcTlsFor(namespace, spec.tls) : undefined);
      const tenantGateway = spec.thanos?.tenantGateway ?? logins.thanosTenantGateway;
      const thanos = (this.thanos = new ThanosCluster(this, 'thanos', { ...spec.thanos, ruler, grpcTls, tenantGateway, namespace, storage: this.storage }));
      this.metrics = { backend, remoteWrite: thanos.remoteWriteTarget(), queryUrl: thanos.queryUrl, scrapeTargets: thanos.scrapeTargets };
    }

    // A broker for what needs one and was given none: the platform runs one.
    let broker: Kafka | undefined;
    const kafka = () =>
      (broker ??= new Kafka(this, 'kafka', { ...(spec.profile === 'dev' ? { replicas: 1, storageSize: '2Gi' } : {}), ...spec.kafka, namespace }));
    if (tracesBackend === 'jaeger') {
      const { broker: given, ...jaeger } = spec.jaeger ?? {};
      this.jaeger = new Jaeger(this, 'jaeger', {
        ...(spec.profile === 'dev' ? { replicas: { collector: 1, ingester: 1, query: 1 }, storage: { kind: 'badger' as const, storageSize: '2Gi' } } : {}),
        ...jaeger,
        namespace,
        broker: given ?? kafka(),
      });
    } else if (spec.tempo !== false) {
      const { metricsGenerator, ...tempo } = spec.tempo ?? {};
      this.tempo = new Tempo(this, 'tempo', {
        ...tempo,
        // Distributed Tempo writes through a broker.
        kafka: tempo.kafka ?? (tempo.mode === 'distributed' ? { broker: kafka() } : undefined),
        namespace,
        storage: this.storage,
        metricsGenerator: metricsGenerator === false ? false : { remoteWrite: [this.metrics.remoteWrite] },
        gateway: logins.tempoGateway,
      });
    }
    this.kafka = broker;
    this.collectors = this.emitCollectors(spec, logins.otlpBasicAuthSecret);
    if (spec.pushgateway) this.pushgateway = new Pushgateway(this, 'pushgateway', { ...spec.pushgateway, namespace });

    // Every component the platform runs, in the order its scrape jobs and dashboards are listed.
    // The platform loops over this list for what it wires; each component says what it offers.
    const { logs, otlp, nodeExporter, kubeStateMetrics } = this.collectors;
    const metricsBackend = this.thanos ?? this.victoriaMetrics;
    this.components = [
      this.loki,
      metricsBackend,
      this.tempo,
      this.jaeger,
      logs,
      otlp,
      nodeExporter,
      this.alertmanager,
      this.pushgateway,
      kubeStateMetrics,
    ].filter((c): c is NonNullable<typeof c> => c !== undefined);
    const targets = scrapeTargetsOf(this.components);
    if (spec.grafana !== false) {
      this.grafana = this.emitGrafana(spec, targets, scrapeInterval);
      targets.push(this.grafana.scrapeTarget);
    }
    this.scrapeTargets = targets;
    if (spec.selfMonitoring !== false) this.selfMonitoring = this.collector(spec.selfMonitoring ?? {});
    if (spec.serviceMonitors === true) emitServiceMonitors(this, targets, scrapeInterval);
    this.admitOutsideClients(spec);
    if (spec.zones !== undefined) warnOnZoneLoss(this, spec.zones, this.replicatedStores());
    warnOnUnknownRuleLabels(this, tenants, logs?.streamLabels ?? [], otlp !== undefined);
    if (spec.tls) warnOnPlainHttp(this, [...targets, ...(this.selfMonitoring ? scrapeTargetsOf([this.selfMonitoring]) : [])], this.embeddedPlainHttp());
    // Expiries and role names depend on what the components declared: check them here too, so
    // the Kubernetes synth refuses a spec the Terraform synth would refuse.
    if (this.aws) planAwsStorage(this.aws, this.node.path, 'aws.');
  }

  /** The embedded store's name when it serves plain HTTP (it serves HTTPS under the platform's TLS). */
  private embeddedPlainHttp(): string | undefined {
    const embedded = this.seaweedfs ?? this.minio;
    return embedded?.insecure ? embedded.kind : undefined;
  }

  /** The stores that keep copies of their data on several pods, with what each needs to go on. */
  private replicatedStores(): ReplicatedStore[] {
    const quorum = (copies: number) => Math.floor(copies / 2) + 1;
    // A zone-aware Loki puts each copy in a zone of its own: a zone's loss costs one copy, which
    // leaves a quorum from three copies up.
    const lokiCopies = this.loki.replicationFactor;
    const stores: ReplicatedStore[] =
      this.loki.zones && lokiCopies - 1 >= quorum(lokiCopies)
        ? []
        : [
            {
              property: `loki.${this.loki.ingesters.property}`,
              workloads: this.loki.ingesters.workloads,
              copies: this.loki.replicationFactor,
              needed: quorum(this.loki.replicationFactor),
              fails: 'pushes fail',
            },
          ];
    const receive = this.thanos?.receive;
    if (receive) {
      const copies = receive.replicationFactor;
      stores.push({ property: 'thanos.receive', workloads: Object.values(receive.ingestors), copies, needed: quorum(copies), fails: 'remote writes fail' });
    }
    const vm = this.victoriaMetrics;
    if (vm)
      stores.push({
        property: 'victoriaMetrics.vmstorage',
        workloads: [vm.vmstorage.workload],
        copies: vm.replicationFactor,
        needed: 1,
        fails: 'queries miss series',
      });
    const am = this.alertmanager;
    if (am) stores.push({ property: 'alertmanager', workloads: [am.workload], copies: am.replicas, needed: 1, fails: 'alerts reach no one' });
    return stores;
  }

  /** The clients the spec admits from outside the platform, each to the entry points of what it does. */
  private admitOutsideClients(spec: PlatformSpec): void {
    const { writers = [], readers = [], scrapers = [], policies = true } = spec.network ?? {};
    if (!policies) return;
    const otlp = this.collectors.otlp;
    // Behind vmauth, outside clients write and query through it, as the tenant of their login.
    const metricsEntry = this.victoriaMetrics?.auth?.url ?? this.thanos?.tenantGateway?.url;
    const entries = (urls: ReadonlyArray<string | undefined>) => [...new Set(urls.filter((u): u is string => u !== undefined))];
    if (writers.length > 0) {
      for (const url of entries([
        this.loki.pushUrl,
        metricsEntry ?? this.metrics.remoteWrite.url,
        otlp?.otlpHttpUrl,
        otlp && `http://${otlp.otlpGrpcEndpoint}`,
      ])) {
        admitClients(this, url, writers);
      }
    }
    if (readers.length > 0) {
      const tracesEntry = this.tempo?.gateway?.url ?? this.tempo?.queryUrl ?? this.jaeger?.queryUrl;
      for (const url of entries([this.grafana?.url, this.loki.queryUrl, metricsEntry ?? this.metrics.queryUrl, tracesEntry])) admitClients(this, url, readers);
    }
    if (scrapers.length > 0) for (const target of this.scrapeTargets) admitClients(this, target.srvRecord, scrapers);
    if (spec.serviceMonitors === true && scrapers.length === 0) {
      addWarning(
        this,
        'service-monitors-not-admitted',
        'network.scrapers',
        scrapers,
        "is empty while serviceMonitors is on: the components' NetworkPolicies refuse the Prometheus that would use the ServiceMonitors, and its targets stay down",
        "admit it, e.g. network: { scrapers: [{ namespaces: ['monitoring'] }] }",
      );
    }
  }

  /** The collectors; `otlpLogins` is the htpasswd Secret of `entryAuth`, for the OTLP gateway. */
  private emitCollectors(spec: PlatformSpec, otlpLogins: string | undefined): PlatformCollectors {
    const c = spec.collectors ?? {};
    const namespace = this.namespaceName;
    // URLs, tenant and, behind a basic-auth gateway, the tenant's credentials.
    const loki = this.loki.clientEndpoint(this.loki.authEnabled ? this.logsTenant : undefined);
    const logs = c.logs === false ? undefined : new AlloyLogAgent(this, 'alloy-logs', { ...c.logs, namespace, loki });
    let otlp: OtelCollectorGateway | AlloyGateway | undefined;
    const traces = this.tempo ?? this.jaeger;
    if (c.otlp !== false && traces) {
      const destinations = { namespace, traces, metrics: this.metrics.remoteWrite };
      if (c.otlp?.implementation === 'alloy') {
        const { implementation: _alloy, ...options } = c.otlp;
        otlp = new AlloyGateway(this, 'alloy-gateway', { ...options, ...destinations, logs: loki });
      } else {
        const { implementation: _otel, ...options } = c.otlp ?? {};
        const auth = options.auth ?? (otlpLogins ? { basicAuthSecret: otlpLogins } : undefined);
        otlp = new OtelCollectorGateway(this, 'otel-gateway', { ...options, auth, ...destinations, logs: loki });
      }
    }
    const metricsServer = c.metricsServer ? new MetricsServer(this, 'metrics-server', { ...c.metricsServer, namespace }) : undefined;
    const kubeStateMetrics = c.kubeStateMetrics === false ? undefined : new KubeStateMetrics(this, 'kube-state-metrics', { ...c.kubeStateMetrics, namespace });
    let nodeExporter: NodeExporter | undefined;
    if (c.nodeExporter !== false) {
      // Host access is only admitted in a namespace of its own, so the platform's stays "restricted".
      const hostAccess = c.nodeExporter?.hostAccess ?? false;
      const hostNamespace = `${namespace}-host`;
      if (hostAccess && (spec.createNamespace ?? true)) new RestrictedNamespace(this, 'host-namespace', hostNamespace, 'privileged');
      nodeExporter = new NodeExporter(this, 'node-exporter', { ...c.nodeExporter, namespace: hostAccess ? hostNamespace : namespace });
    }
    return { logs, otlp, kubeStateMetrics, nodeExporter, metricsServer };
  }

  private emitGrafana(spec: PlatformSpec, targets: readonly ScrapeTarget[], scrapeInterval: string): Grafana {
    const { datasources, extraDatasources, extraDashboards, persistence, ...options } = spec.grafana || {};
    const kinds: PlatformDatasourceKind[] = datasources
      ? [...datasources]
      : ['loki', this.metrics.backend, ...(this.tempo ? ['tempo' as const] : []), ...(this.jaeger ? ['jaeger' as const] : [])];
    const content = platformGrafanaContent({ components: this.components, kinds, scrapeInterval, logsTenant: this.logsTenant, allTargets: targets });
    // Grafana's own state (users, UI-made dashboards, annotations) lives in SQLite: on a volume
    // unless a shared database holds it, or several pods (which need one) run.
    const sharedDatabase = ['mysql', 'postgres'].includes(String(options.ini?.database?.type));
    const ownVolume = !sharedDatabase && (options.replicas ?? 1) <= 1 ? { size: spec.profile === 'dev' ? '1Gi' : '10Gi' } : undefined;
    return new Grafana(this, 'grafana', {
      ...options,
      persistence: persistence === false ? undefined : (persistence ?? ownVolume),
      namespace: this.namespaceName,
      datasources: [...content.datasources, ...(extraDatasources ?? [])],
      dashboards: [...content.dashboards, ...(extraDashboards ?? [])],
    });
  }

  /** The collector that suits the backend, scraping every component and writing to the backend. */
  private collector(options: SelfMonitoringSpec): PrometheusAgent | VmAgent {
    const { storageSize, storageClass, ...rest } = options;
    const common = {
      ...rest,
      namespace: this.namespaceName,
      replicas: options.replicas ?? 2,
      scrapeTargets: [...this.scrapeTargets, ...(options.scrapeTargets ?? [])],
      remoteWrite: [this.metrics.remoteWrite],
    };
    if (this.metrics.backend === 'victoriametrics') {
      return new VmAgent(this, 'self-monitoring', { ...common, name: 'self-monitoring', persistentQueue: { size: storageSize, storageClass } });
    }
    return new PrometheusAgent(this, 'self-monitoring', { ...common, storageSize, storageClass });
  }
}
