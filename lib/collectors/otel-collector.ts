import { declareExternal } from '../core/external';
import { PLATFORM_CA_FILE, SERVING_CERT_FILE, SERVING_KEY_FILE, ServingCertificate, ownCertificate, servingTlsOf } from '../core/serving-tls';
import { OtlpEndpoint } from '../core/otlp';
import { Construct } from 'constructs';
import { requireProps } from '../core/check-options';
import { k8s } from '../core/k8s';
import { basicAuthPasswordEnv } from '../core/basic-auth';
import { httpUrl } from '../core/rules';
import { Wiring } from '../core/wiring';
import { ConfigFile, mergeOverrides, renderYaml } from '../core/config-file';
import { Validator } from '../core/errors';
import { IMAGES, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { httpProbe } from '../core/pod';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { RemoteWriteTarget } from '../core/remote-write';
import { LOKI_PASSWORD_ENV, OtlpLogsDestination, TracesDestination } from './destinations';
import { checkCollectorBasics, checkLogsDestination, checkTracesDestination, recordLogsClient } from './validate';
import { clusterDomainOf } from '../core/cluster-domain';

/** uid and gid of the scratch collector image. */
const OTEL_UID = 10001;
const PORTS = { otlpGrpc: 4317, otlpHttp: 4318, health: 13133, metrics: 8888 } as const;
const CONFIG_DIR = '/conf';
/** Where the senders' htpasswd Secret is mounted, and the extension that checks it. */
const SENDERS_DIR = '/etc/otelcol/senders';
const SENDERS_AUTH = 'basicauth/senders';

/** Props of {@link OtelCollectorGateway}: OTLP in, traces, metrics and logs out to the platform's backends. */
export interface OtelCollectorGatewayProps extends WorkloadOptions {
  readonly namespace: string;
  /** @default "otel-gateway" */
  readonly name?: string;
  /** @default 2 */
  readonly replicas?: number;
  /** Where traces go, e.g. a Tempo (its `otlpGrpcEndpoint`). */
  readonly traces: TracesDestination;
  /** Where metrics go, by Prometheus remote write. @default metrics are not accepted */
  readonly metrics?: RemoteWriteTarget;
  /** Where logs go, to Loki's OTLP endpoint. @default logs are not accepted */
  readonly logs?: OtlpLogsDestination;
  /**
   * Senders must log in: HTTP basic auth on both OTLP protocols, checked against an htpasswd file
   * in a Secret of yours (key `.htpasswd`, one user per sender; bcrypt, SHA or MD5 hashes). With
   * serving TLS on, the logins travel over TLS.
   * @default no login: every pod the NetworkPolicies admit may send
   */
  readonly auth?: { readonly basicAuthSecret: string };
  /** Config deep-merged over the generated one (arrays replace). @default none */
  readonly configOverrides?: Record<string, unknown>;
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * An OpenTelemetry Collector (contrib) gateway: applications send OTLP to one Service, and the
 * collector forwards traces to Tempo, metrics to the metrics backend by remote write and logs to
 * Loki's OTLP endpoint. Every listener is on all interfaces, since the collector binds localhost
 * by default; a memory limiter runs first so a burst slows clients instead of killing the pod.
 */
export class OtelCollectorGateway extends Construct implements OtlpEndpoint {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly config: ConfigFile;
  readonly service: k8s.KubeService;
  /** `host:4317` for OTLP gRPC clients. */
  readonly otlpGrpcEndpoint: string;
  /** `http://host:4318` for OTLP HTTP clients. */
  readonly otlpHttpUrl: string;
  readonly scrapeTarget: ScrapeTarget;
  readonly platformCa?: boolean;

  constructor(scope: Construct, id: string, props: OtelCollectorGatewayProps) {
    super(scope, id);
    requireProps(this, props, { namespace: 'give the Kubernetes namespace of its objects', traces: 'pass a Tempo (or its otlpGrpcEndpoint)' });
    const r = resolveGateway(this, props);
    validateGateway(this, r, props);
    const identity = (this.identity = r.identity);
    // With serving TLS its certificate is served on both OTLP ports, and its ca.crt trusted for the backends.
    const serving = servingTlsOf(this);
    const certificate = ownCertificate(this, identity, { names: [identity.name], headless: [identity.headlessName] }, [
      { property: 'traces.otlpGrpcEndpoint', value: props.traces.otlpGrpcEndpoint, platformCa: props.traces.platformCa },
      ...(props.metrics ? [{ property: 'metrics.url', value: props.metrics.url, platformCa: props.metrics.platformCa }] : []),
      ...(props.logs ? [{ property: 'logs.otlpUrl', value: props.logs.otlpUrl, platformCa: props.logs.platformCa }] : []),
    ]);
    if (props.auth) {
      declareExternal(this, {
        kind: 'Secret',
        namespace: props.namespace,
        name: props.auth.basicAuthSecret,
        purpose: 'htpasswd file (key .htpasswd) with one user per OTLP sender',
      });
    }
    const entry = { auth: props.auth !== undefined, tls: serving !== undefined };
    this.config = new ConfigFile(this, 'Config', {
      identity,
      name: `${identity.name}-config`,
      files: { 'config.yaml': renderYaml(mergeOverrides(gatewayConfig(props, entry), props.configOverrides)) },
    });
    createServiceAccount(this, 'ServiceAccount', identity, identity.name);
    const otlpPorts = [
      { name: 'otlp-grpc', port: PORTS.otlpGrpc },
      { name: 'otlp-http', port: PORTS.otlpHttp },
    ];
    this.service = createService(this, 'Service', { identity, name: identity.name, ports: otlpPorts });
    createService(this, 'HeadlessService', { identity, name: identity.headlessName, headless: true, ports: [{ name: 'metrics', port: PORTS.metrics }] });
    this.workload = this.emitDeployment(r, props, certificate);
    const host = identity.serviceHost(identity.name, r.domain);
    this.otlpGrpcEndpoint = `${host}:${PORTS.otlpGrpc}`;
    this.otlpHttpUrl = `${serving ? 'https' : 'http'}://${host}:${PORTS.otlpHttp}`;
    if (serving) this.platformCa = true;
    this.scrapeTarget = srvScrapeTarget(identity.name, 'metrics', identity.serviceHost(identity.headlessName, r.domain));
    if (props.logs) recordLogsClient(this, 'logs.otlpUrl', props.logs.otlpUrl, props.logs.basicAuth);
    // Each pod forwards what its own clients sent: no two pods send the same series.
    if (props.metrics) Wiring.of(this).writes({ path: this.node.path, property: 'metrics', url: props.metrics.url, replicas: 1, replicaLabels: [] });
  }

  private emitDeployment(r: ResolvedGateway, props: OtelCollectorGatewayProps, certificate: ServingCertificate | undefined): Workload {
    const senders = props.auth ? { name: 'senders', secret: { secretName: props.auth.basicAuthSecret } } : undefined;
    return new Workload(this, 'Workload', {
      kind: 'Deployment',
      identity: r.identity,
      replicas: r.replicas,
      podIdentity: { runAsUser: OTEL_UID, runAsGroup: OTEL_UID, fsGroup: OTEL_UID },
      serviceAccountName: r.identity.name,
      configChecksums: [this.config.checksum],
      ...podOptions(props),
      volumes: [this.config.volume('config'), ...(certificate ? [certificate.volume] : []), ...(senders ? [senders] : [])],
      containers: [
        withOptions(props, {
          name: 'otel-collector',
          image: r.image,
          args: [`--config=${CONFIG_DIR}/config.yaml`],
          env: props.logs?.basicAuth ? [basicAuthPasswordEnv(LOKI_PASSWORD_ENV, props.logs.basicAuth)] : [],
          ports: [
            { name: 'otlp-grpc', containerPort: PORTS.otlpGrpc },
            { name: 'otlp-http', containerPort: PORTS.otlpHttp },
            { name: 'health', containerPort: PORTS.health },
            { name: 'metrics', containerPort: PORTS.metrics },
          ],
          volumeMounts: [
            { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
            ...(certificate ? [certificate.mount] : []),
            ...(senders ? [{ name: 'senders', mountPath: SENDERS_DIR, readOnly: true }] : []),
          ],
          readinessProbe: httpProbe('/', 'health', { initialDelaySeconds: 5 }),
          livenessProbe: httpProbe('/', 'health', { initialDelaySeconds: 15, failureThreshold: 5 }),
          defaultResources: r.defaultResources,
        }),
      ],
    });
  }
}

/**
 * The collector config for 0.158: exporter types `otlp_grpc` / `otlp_http` (the old names are
 * deprecated aliases). `entry` says whether senders log in and whether the OTLP ports serve TLS.
 */
function gatewayConfig(props: OtelCollectorGatewayProps, entry: { readonly auth: boolean; readonly tls: boolean }): Record<string, unknown> {
  const processors = ['memory_limiter', 'batch'];
  const exporters: Record<string, unknown> = {
    // TLS checked against the platform's CA when Tempo serves it, else none.
    'otlp_grpc/tempo': { endpoint: props.traces.otlpGrpcEndpoint, tls: props.traces.platformCa ? { ca_file: PLATFORM_CA_FILE } : { insecure: true } },
  };
  const pipelines: Record<string, unknown> = { traces: { receivers: ['otlp'], processors, exporters: ['otlp_grpc/tempo'] } };
  if (props.metrics) {
    const headers = props.metrics.headers && Object.keys(props.metrics.headers).length > 0 ? { headers: { ...props.metrics.headers } } : {};
    const tls = props.metrics.platformCa ? { tls: { ca_file: PLATFORM_CA_FILE } } : {};
    exporters['prometheusremotewrite/metrics'] = { endpoint: props.metrics.url, ...headers, ...tls };
    pipelines.metrics = { receivers: ['otlp'], processors, exporters: ['prometheusremotewrite/metrics'] };
  }
  const extensions: Record<string, unknown> = { health_check: { endpoint: `0.0.0.0:${PORTS.health}`, path: '/' } };
  if (props.logs) {
    const auth = props.logs.basicAuth;
    exporters['otlp_http/loki'] = {
      endpoint: props.logs.otlpUrl,
      ...(props.logs.tenant ? { headers: { 'X-Scope-OrgID': props.logs.tenant } } : {}),
      ...(auth ? { auth: { authenticator: 'basicauth/loki' } } : {}),
      ...(props.logs.platformCa ? { tls: { ca_file: PLATFORM_CA_FILE } } : {}),
    };
    // The password comes from the environment (a Secret reference), expanded when the config loads.
    if (auth) extensions['basicauth/loki'] = { client_auth: { username: auth.username, password: `\${env:${LOKI_PASSWORD_ENV}}` } };
    pipelines.logs = { receivers: ['otlp'], processors, exporters: ['otlp_http/loki'] };
  }
  if (entry.auth) extensions[SENDERS_AUTH] = { htpasswd: { file: `${SENDERS_DIR}/.htpasswd` } };
  // The certificate is read again every hour, so a renewal is served without a restart.
  const listener = (port: number) => ({
    endpoint: `0.0.0.0:${port}`,
    ...(entry.tls ? { tls: { cert_file: SERVING_CERT_FILE, key_file: SERVING_KEY_FILE, min_version: '1.2', reload_interval: '1h' } } : {}),
    ...(entry.auth ? { auth: { authenticator: SENDERS_AUTH } } : {}),
  });
  return {
    extensions,
    receivers: { otlp: { protocols: { grpc: listener(PORTS.otlpGrpc), http: listener(PORTS.otlpHttp) } } },
    processors: { memory_limiter: { check_interval: '5s', limit_percentage: 80, spike_limit_percentage: 25 }, batch: {} },
    exporters,
    service: {
      extensions: Object.keys(extensions),
      telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: PORTS.metrics } } } }] } },
      pipelines,
    },
  };
}

/** Every prop of an OTLP gateway with its default filled in. */
type ResolvedGateway = ReturnType<typeof resolveGateway>;

/** Fills in every default, in one place. */
function resolveGateway(scope: Construct, props: OtelCollectorGatewayProps) {
  const name = props.name ?? 'otel-gateway';
  const image = props.image ?? IMAGES.otelCollector;
  return {
    identity: new ComponentIdentity({
      app: 'opentelemetry-collector',
      instance: name.replace(/-gateway$/, ''),
      component: 'gateway',
      namespace: props.namespace,
      version: imageVersion(image),
    }),
    image,
    domain: clusterDomainOf(scope, props.clusterDomain),
    replicas: props.replicas ?? 2,
    defaultResources: { requests: { cpu: '200m', memory: '512Mi' }, limits: { memory: '1Gi' } },
  };
}

function validateGateway(scope: Construct, r: ResolvedGateway, props: OtelCollectorGatewayProps): void {
  const v = new Validator(scope);
  checkCollectorBasics(v, props.namespace, props, r.replicas, IMAGES.otelCollector);
  checkTracesDestination(v, props.traces);
  if (props.metrics) v.apply('metrics.url', props.metrics.url, httpUrl(props.metrics.url));
  if (props.logs) checkLogsDestination(v, 'logs', props.logs, 'otlpUrl', props.namespace);
  v.throwIfAny();
}
