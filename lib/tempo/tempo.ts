import { IMAGES, imageVersion } from '../core/images';
import { TempoGateway } from './gateway';
import { PlatformCall, ServingCertificate, ownCertificate, servingTlsOf } from '../core/serving-tls';
import { OtlpEndpoint } from '../core/otlp';
import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { ConfigFile, mergeOverrides, renderYaml } from '../core/config-file';
import { ComponentIdentity, LABELS, OWN_PREFIX } from '../core/names';
import { ContainerDefinition, httpProbe } from '../core/pod';
import { DashboardDefinition, DashboardProvider, DatasourceContext, DatasourceDefinition, DatasourceProvider } from '../core/grafana-provisioning';
import { Wiring } from '../core/wiring';
import { tempoDashboard } from './dashboard';
import { tempoDatasource } from '../core/grafana-datasources';
import { ResourceRequirements } from '../core/resources';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { ServicePortSpec, createService } from '../core/service';
import { Workload, podOptions, withOptions } from '../core/workload';
import { declareKeySecret, storageServiceAccount } from '../object-storage/usage';
import { CONFIG_DIR, DATA_DIR, TEMPO_PORTS, TempoAddresses, buildTempoConfig, tempoTopic } from './config';
import { ResolvedTempo, TempoProps, resolveTempo } from './props';
import { TEMPO_S3_ACTIONS, tempoClaim } from './storage';
import { validateTempoProps } from './validate';

/** uid and gid of the distroless Tempo image, which owns /var/tempo. */
const TEMPO_UID = 10001;
/** Served by the HTTP server as soon as it runs, ready or not (Tempo has no `/-/healthy`). */
const BUILD_INFO = '/api/status/buildinfo';
/** Pods with this label join the memberlist ring (distributed mode). */
const GOSSIP_LABEL = `${OWN_PREFIX}/tempo-gossip`;

/** One distributed component: its `-target`, whether it keeps state, and what it serves. */
interface ComponentSpec {
  readonly target: string;
  readonly replicas: number;
  /** `volume`: a PVC at /var/tempo; `scratch`: an emptyDir; `none`: nothing written. */
  readonly data: 'volume' | 'scratch' | 'none';
  /** A StatefulSet, for a stable ordinal (the Kafka partitions it consumes) or its volume. */
  readonly stateful: boolean;
  readonly receivers?: boolean;
  readonly resources: ResourceRequirements;
  /** Long enough to flush what it holds in memory. */
  readonly grace?: number;
}

/**
 * Grafana Tempo 3 on object storage.
 *
 * Monolithic (the default): one `-target=all` pod in a StatefulSet of one, its WALs on a volume.
 * Tempo's backend scheduler is a singleton, so the StatefulSet's stop-then-start rollout (never
 * two pods at once) is what keeps it correct. Distributed: a workload per component, with spans
 * written through a Kafka-compatible broker, which Tempo 3 requires for that mode.
 *
 * Clients wire to {@link otlpGrpcEndpoint} / {@link otlpHttpUrl}; Grafana to {@link queryUrl}.
 */
export class Tempo extends Construct implements DatasourceProvider, DashboardProvider, OtlpEndpoint {
  readonly datasourceKind = 'tempo';
  readonly signal = 'traces' as const;
  readonly name: string;
  readonly namespace: string;
  readonly mode: 'monolithic' | 'distributed';
  /** `host:4317`, where OTLP gRPC clients send spans (no scheme, as OTel exporters take it). */
  readonly otlpGrpcEndpoint: string;
  /** `http://host:4318`, the OTLP HTTP base URL (clients append `/v1/traces`); `https://` with serving TLS. */
  readonly otlpHttpUrl: string;
  /** With serving TLS its receivers and API serve HTTPS from certificates of the platform's CA. */
  readonly platformCa?: boolean;
  /** `http://host:3200`, the query API a Grafana datasource takes. */
  readonly queryUrl: string;
  readonly bucket: string;
  readonly retention: string;
  /** Whether the metrics generator writes span metrics and service graphs. */
  readonly generatesMetrics: boolean;
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly config: ConfigFile;
  /** Every workload by its `-target` (`all` in monolithic mode). */
  readonly workloads: Readonly<Record<string, Workload>>;
  readonly services: Readonly<Record<string, k8s.KubeService>>;
  readonly scrapeTargets: readonly ScrapeTarget[];
  /** The authenticated read entry, when `gateway` is given. */
  readonly gateway?: TempoGateway;

  private readonly props: TempoProps;
  private readonly resolved: ResolvedTempo;
  private readonly base: ComponentIdentity;
  private readonly clusterDomain: string;
  private readonly workloadMap: Record<string, Workload> = {};
  private readonly serviceMap: Record<string, k8s.KubeService> = {};
  private readonly targets: ScrapeTarget[] = [];
  /** The calls that may need the platform's CA: the generator's remote write, the object store. */
  private readonly trustedCalls: PlatformCall[];
  /** Serving TLS is on: every component serves its HTTP port over HTTPS. */
  private readonly https: boolean;
  /** With serving TLS: the name every component's certificate carries for its gRPC peers. */
  private readonly grpcPeerName?: string;

  constructor(scope: Construct, id: string, props: TempoProps) {
    super(scope, id);
    const r = (this.resolved = resolveTempo(this, props));
    validateTempoProps(this, props, r.bucket, r.retention);
    this.name = r.name;
    this.retention = r.retention;
    this.bucket = r.bucket!;
    this.props = props;
    this.namespace = props.namespace;
    this.mode = r.mode;
    this.clusterDomain = r.clusterDomain;
    this.generatesMetrics = r.generatesMetrics;
    this.base = r.base;
    const host = (service: string) => this.base.serviceHost(service, this.clusterDomain);

    props.storage.usage.declareBucket(this.bucket, tempoClaim(this.name, this.retention));
    this.serviceAccount = storageServiceAccount(this, 'ServiceAccount', this.base, this.name, {
      storage: props.storage,
      buckets: [this.bucket],
      actions: TEMPO_S3_ACTIONS,
    });
    declareKeySecret(this, props.storage, this.namespace, 'Tempo');
    // With serving TLS each component serves its HTTP port over HTTPS from a certificate of its own,
    // whose ca.crt the generator trusts the metrics store by, and every component the object store.
    const remoteWrite = (props.metricsGenerator || undefined)?.remoteWrite ?? [];
    this.trustedCalls = [
      ...remoteWrite.map((t, i) => ({ property: `metricsGenerator.remoteWrite[${i}].url`, value: t.url, platformCa: t.platformCa })),
      { property: 'storage', value: props.storage.kind, platformCa: props.storage.platformCa },
    ];
    this.https = servingTlsOf(this) !== undefined;
    if (this.https) this.platformCa = true;
    // The name every certificate carries for gRPC peers: the gossip Service all distributed
    // components are behind, or the single binary's own Service.
    this.grpcPeerName = this.https ? host(this.mode === 'distributed' ? `${this.name}-gossip-ring` : this.name) : undefined;

    const addresses: TempoAddresses | undefined =
      this.mode === 'distributed'
        ? {
            memberlist: host(`${this.name}-gossip-ring`),
            partitionsPerBlockBuilder: Math.ceil(r.sizes.liveStore / r.sizes.blockBuilder),
            partitions: r.sizes.liveStore,
            queryFrontendDiscovery: host(`${this.name}-query-frontend-discovery`),
            backendScheduler: `${host(`${this.name}-backend-scheduler`)}:${TEMPO_PORTS.grpc}`,
          }
        : undefined;
    // The typed broker makes the topic (or checks an external one has it) with a partition per live-store.
    if (addresses && props.kafka?.broker) {
      props.kafka.broker.requireTopic({
        name: tempoTopic(props.kafka),
        partitions: addresses.partitions,
        reason: `Tempo "${this.name}" (one partition per live-store, ${addresses.partitions})`,
        askedBy: { path: this.node.path, property: 'kafka.broker' },
      });
    }
    const generated = buildTempoConfig({
      props,
      bucket: this.bucket,
      retention: this.retention,
      addresses,
      gossipClusterLabel: this.base.gossipClusterLabel,
      tls: this.grpcPeerName ? { peerName: this.grpcPeerName } : undefined,
    });
    const api = this.https ? 'https' : 'http';
    this.config = new ConfigFile(this, 'Config', {
      identity: this.base.sibling('config'),
      name: `${this.name}-config`,
      files: { 'tempo.yaml': renderYaml(mergeOverrides(generated, props.configOverrides)) },
    });

    if (this.mode === 'monolithic') {
      this.emitMonolithic();
      this.otlpGrpcEndpoint = `${host(this.name)}:${TEMPO_PORTS.otlpGrpc}`;
      this.otlpHttpUrl = `${api}://${host(this.name)}:${TEMPO_PORTS.otlpHttp}`;
      this.queryUrl = `${api}://${host(this.name)}:${TEMPO_PORTS.http}`;
    } else {
      this.emitDistributed();
      this.otlpGrpcEndpoint = `${host(`${this.name}-distributor`)}:${TEMPO_PORTS.otlpGrpc}`;
      this.otlpHttpUrl = `${api}://${host(`${this.name}-distributor`)}:${TEMPO_PORTS.otlpHttp}`;
      this.queryUrl = `${api}://${host(`${this.name}-query-frontend`)}:${TEMPO_PORTS.http}`;
    }
    this.workloads = this.workloadMap;
    if (props.gateway) {
      this.gateway = new TempoGateway(
        this,
        'Gateway',
        this.base.sibling('gateway', imageVersion(props.gateway.image ?? IMAGES.nginx)),
        this.queryUrl,
        props.gateway,
      );
    }
    // Generators split the spans between them: each series is sent once, whatever the replicas.
    for (const [i, target] of (props.metricsGenerator || undefined)?.remoteWrite.entries() ?? []) {
      Wiring.of(this).writes({ path: this.node.path, property: `metricsGenerator.remoteWrite[${i}]`, url: target.url, replicas: 1, replicaLabels: [] });
    }
    this.services = this.serviceMap;
    this.scrapeTargets = this.targets;
  }

  private receiverPorts(): ServicePortSpec[] {
    const r = this.resolved.receivers;
    return [
      { name: 'otlp-grpc', port: TEMPO_PORTS.otlpGrpc },
      { name: 'otlp-http', port: TEMPO_PORTS.otlpHttp },
      ...(r.jaeger
        ? [
            { name: 'jaeger-grpc', port: TEMPO_PORTS.jaegerGrpc },
            { name: 'jaeger-thrift-h', port: TEMPO_PORTS.jaegerThriftHttp },
          ]
        : []),
      ...(r.zipkin ? [{ name: 'zipkin', port: TEMPO_PORTS.zipkin }] : []),
    ];
  }

  private emitMonolithic(): void {
    const identity = this.base.sibling('monolithic');
    const ports: ServicePortSpec[] = [{ name: 'http-metrics', port: TEMPO_PORTS.http }, ...this.receiverPorts()];
    // The stable client address, whatever the mode: `<name>` carries the API and every receiver.
    this.serviceMap[this.name] = createService(this, 'Service', { identity, name: this.name, ports });
    this.serviceMap[identity.headlessName] = createService(this, 'HeadlessService', {
      identity,
      name: identity.headlessName,
      headless: true,
      ports: [{ name: 'http-metrics', port: TEMPO_PORTS.http }],
    });
    const cert = ownCertificate(this, identity, { names: [this.name], headless: [identity.headlessName], peerName: this.grpcPeerName }, this.trustedCalls);
    this.workloadMap.all = new Workload(this, 'Monolithic', {
      kind: 'StatefulSet',
      ...this.podCommon(identity, 1),
      containers: [this.container('all', this.receiverPorts(), true, { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '4Gi' } }, cert)],
      volumes: [this.config.volume('config'), ...(cert ? [cert.volume] : [])],
      volumeClaims: [{ name: 'data', size: this.resolved.storageSize, storageClass: this.props.storageClass }],
      // A single replica: the budget would block every node drain. The rollout stops the old pod first.
      disruptionBudget: false,
      // The live-store flushes its traces to a block before it exits (upstream gives it 20 minutes).
      terminationGracePeriodSeconds: 1200,
    });
    this.targets.push(
      srvScrapeTarget(this.name, 'http-metrics', this.base.serviceHost(identity.headlessName, this.clusterDomain), undefined, this.servedWith(cert)),
    );
  }

  private emitDistributed(): void {
    const { sizes } = this.resolved;
    const small: ResourceRequirements = { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } };
    const specs: ComponentSpec[] = [
      {
        target: 'distributor',
        replicas: sizes.distributor,
        data: 'none',
        stateful: false,
        receivers: true,
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      },
      {
        target: 'live-store',
        replicas: sizes.liveStore,
        data: 'volume',
        stateful: true,
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '8Gi' } },
        grace: 1200,
      },
      {
        target: 'block-builder',
        replicas: sizes.blockBuilder,
        data: 'scratch',
        stateful: true,
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '8Gi' } },
        grace: 300,
      },
      {
        target: 'querier',
        replicas: sizes.querier,
        data: 'none',
        stateful: false,
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '4Gi' } },
      },
      { target: 'query-frontend', replicas: sizes.queryFrontend, data: 'none', stateful: false, resources: small },
      { target: 'backend-scheduler', replicas: 1, data: 'volume', stateful: true, resources: small },
      {
        target: 'backend-worker',
        replicas: sizes.backendWorker,
        data: 'scratch',
        stateful: false,
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      },
      ...(this.generatesMetrics
        ? [
            {
              target: 'metrics-generator',
              replicas: sizes.metricsGenerator,
              data: 'volume' as const,
              stateful: true,
              resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
              grace: 300,
            },
          ]
        : []),
    ];
    this.serviceMap[`${this.name}-gossip-ring`] = createService(this, 'GossipRing', {
      identity: this.base.sibling('gossip-ring'),
      name: `${this.name}-gossip-ring`,
      headless: true,
      publishNotReadyAddresses: true,
      selector: { [LABELS.name]: 'tempo', [LABELS.instance]: this.name, [GOSSIP_LABEL]: 'true' },
      ports: [{ name: 'tcp-gossip', port: TEMPO_PORTS.memberlist, targetPort: 'memberlist' }],
      // Live stores and the other ring members are found in the rings, by pod address.
      ringPorts: ['grpc'],
    });
    for (const spec of specs) this.emitComponent(spec);
  }

  private emitComponent(spec: ComponentSpec): void {
    const identity = this.base.sibling(spec.target);
    const id = spec.target
      .split('-')
      .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
      .join('');
    const extraPorts = spec.receivers ? this.receiverPorts() : [];
    const ports: ServicePortSpec[] = [{ name: 'http-metrics', port: TEMPO_PORTS.http }, { name: 'grpc', port: TEMPO_PORTS.grpc }, ...extraPorts];
    const headlessName = identity.headlessName;
    this.serviceMap[identity.name] = createService(this, `${id}Service`, { identity, name: identity.name, ports });
    this.serviceMap[headlessName] = createService(this, `${id}Headless`, { identity, name: headlessName, headless: true, ports });
    if (spec.target === 'query-frontend') {
      // Queriers connect to every frontend pod, ready or not, to pull queries from it.
      this.serviceMap[`${this.name}-query-frontend-discovery`] = createService(this, 'QueryFrontendDiscovery', {
        identity,
        name: `${this.name}-query-frontend-discovery`,
        headless: true,
        publishNotReadyAddresses: true,
        ports: [{ name: 'grpc', port: TEMPO_PORTS.grpc }],
      });
    }
    const cert = ownCertificate(this, identity, { names: [identity.name], headless: [headlessName], peerName: this.grpcPeerName }, this.trustedCalls);
    const container = this.container(spec.target, [{ name: 'grpc', port: TEMPO_PORTS.grpc }, ...extraPorts], spec.data !== 'none', spec.resources, cert);
    const common = { ...this.podCommon(identity, spec.replicas), containers: [container], extraPodLabels: { [GOSSIP_LABEL]: 'true' } };
    const grace = spec.grace ?? 30;
    const volumes = [this.config.volume('config'), ...(spec.data === 'scratch' ? [{ name: 'data', emptyDir: {} }] : []), ...(cert ? [cert.volume] : [])];
    this.workloadMap[spec.target] = spec.stateful
      ? new Workload(this, id, {
          kind: 'StatefulSet',
          serviceName: headlessName,
          ...common,
          volumes,
          terminationGracePeriodSeconds: grace,
          volumeClaims: spec.data === 'volume' ? [{ name: 'data', size: this.resolved.storageSize, storageClass: this.props.storageClass }] : undefined,
        })
      : new Workload(this, id, { kind: 'Deployment', ...common, volumes, terminationGracePeriodSeconds: grace });
    this.targets.push(
      srvScrapeTarget(identity.name, 'http-metrics', this.base.serviceHost(headlessName, this.clusterDomain), undefined, this.servedWith(cert)),
    );
  }

  /** A scrape target's HTTPS: the component's certificate when it serves one. */
  private servedWith(cert: ServingCertificate | undefined): { readonly https?: { readonly certificateSecret: string } } {
    return this.https && cert ? { https: { certificateSecret: cert.secretName } } : {};
  }

  /** Tempo, linked to logs, and to metrics (span metrics, service graph) when the generator writes them. */
  datasources(context: DatasourceContext): DatasourceDefinition[] {
    const { logsUid, metricsUid } = context.links;
    return [
      tempoDatasource({ url: this.queryUrl, logsUid, metricsUid: this.generatesMetrics ? metricsUid : undefined, ...(this.https ? { platformCa: true } : {}) }),
    ];
  }

  dashboards(): DashboardDefinition[] {
    return [tempoDashboard(this.scrapeTargets.map((t) => t.job))];
  }

  private podCommon(identity: ComponentIdentity, replicas: number) {
    return {
      identity,
      replicas,
      podIdentity: { runAsUser: TEMPO_UID, runAsGroup: TEMPO_UID, fsGroup: TEMPO_UID },
      serviceAccountName: this.name,
      configChecksums: [this.config.checksum],
      ...podOptions(this.props),
    };
  }

  private container(
    target: string,
    ports: readonly ServicePortSpec[],
    data: boolean,
    resources: ResourceRequirements,
    cert: ServingCertificate | undefined,
  ): ContainerDefinition {
    const scheme = this.https ? 'HTTPS' : 'HTTP';
    const p = this.props;
    const distributed = this.mode === 'distributed';
    return withOptions(p, {
      name: 'tempo',
      image: this.resolved.image,
      args: [
        `-config.file=${CONFIG_DIR}/tempo.yaml`,
        `-target=${target}`,
        '-config.expand-env=true',
        ...(distributed ? ['-memberlist.bind-addr=$(POD_IP)'] : []),
      ],
      env: [...(distributed ? [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] : []), ...p.storage.credentials.env()],
      ports: [
        { name: 'http-metrics', containerPort: TEMPO_PORTS.http },
        ...ports.map((port) => ({ name: port.name, containerPort: port.port })),
        ...(distributed ? [{ name: 'memberlist', containerPort: TEMPO_PORTS.memberlist }] : []),
      ],
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        ...(data ? [{ name: 'data', mountPath: DATA_DIR }] : []),
        ...(cert ? [cert.mount] : []),
      ],
      readinessProbe: httpProbe('/ready', 'http-metrics', { initialDelaySeconds: 15, scheme }),
      // Liveness asks whether the process serves HTTP, never whether it is ready: a WAL replay or a
      // live-store catching up with the broker is not-ready for long, and must not be restarted for it.
      startupProbe: httpProbe(BUILD_INFO, 'http-metrics', { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 60, scheme }),
      livenessProbe: httpProbe(BUILD_INFO, 'http-metrics', { initialDelaySeconds: 0, timeoutSeconds: 5, failureThreshold: 5, scheme }),
      defaultResources: resources,
    });
  }
}
