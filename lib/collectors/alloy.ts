import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { mergeArgs, mergeEnv } from '../core/args';
import { ConfigFile } from '../core/config-file';
import { Validator } from '../core/errors';
import { IMAGES, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { httpProbe } from '../core/pod';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions } from '../core/workload';
import { RemoteWriteTarget } from '../core/remote-write';
import { AlloyBlock, AlloyValue, expr, renderAlloy } from './alloy-syntax';
import { LogsDestination, TracesDestination } from './destinations';
import { clusterRoleFor } from './rbac';
import { checkCollectorBasics } from './validate';

/** uid and gid of the `alloy` user the image creates (the image itself runs as root). */
const ALLOY_UID = 473;
const HTTP_PORT = 12345;
const CONFIG_DIR = '/etc/alloy';
const STORAGE_DIR = '/var/lib/alloy/data';

interface AlloyPodSpec {
  readonly identity: ComponentIdentity;
  readonly kind: 'DaemonSet' | 'Deployment';
  readonly replicas: number;
  readonly config: ConfigFile;
  readonly options: WorkloadOptions;
  readonly ports: ReadonlyArray<{ readonly name: string; readonly containerPort: number }>;
  readonly readsApi: boolean;
  readonly env?: readonly k8s.EnvVar[];
}

/** The one way the library runs Alloy: its own uid, the UI and metrics on all interfaces, a scratch storage path. */
function alloyWorkload(scope: Construct, spec: AlloyPodSpec): Workload {
  const o = spec.options;
  return new Workload(scope, 'Workload', {
    kind: spec.kind,
    identity: spec.identity,
    replicas: spec.replicas,
    podIdentity: { runAsUser: ALLOY_UID, runAsGroup: ALLOY_UID, fsGroup: ALLOY_UID },
    serviceAccountName: spec.identity.name,
    automountServiceAccountToken: spec.readsApi,
    configChecksums: [spec.config.checksum],
    podAnnotations: o.podAnnotations,
    scheduling: o.scheduling,
    volumes: [spec.config.volume('config'), { name: 'storage', emptyDir: {} }],
    containers: [{
      name: 'alloy',
      image: o.image ?? IMAGES.alloy,
      args: mergeArgs([
        'run', `${CONFIG_DIR}/config.alloy`,
        // The binary listens on 127.0.0.1 by default: probes and scrapes would never reach it.
        `--server.http.listen-addr=0.0.0.0:${HTTP_PORT}`,
        `--storage.path=${STORAGE_DIR}`,
        '--disable-reporting',
      ], o.extraArgs),
      env: mergeEnv([...(spec.env ?? [])], o.extraEnv),
      ports: [{ name: 'http-metrics', containerPort: HTTP_PORT }, ...spec.ports],
      volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, { name: 'storage', mountPath: STORAGE_DIR }],
      readinessProbe: httpProbe('/-/ready', 'http-metrics', { initialDelaySeconds: 5 }),
      livenessProbe: httpProbe('/-/healthy', 'http-metrics', { initialDelaySeconds: 30, failureThreshold: 5 }),
      resources: o.resources ?? { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    }],
  });
}

export interface AlloyLogAgentProps extends WorkloadOptions {
  readonly namespace: string;
  /** @default "alloy-logs" */
  readonly name?: string;
  /** Where logs go, e.g. `{ pushUrl: loki.pushUrl, tenant: loki.tenantHeaderFor("platform").value }`. */
  readonly loki: LogsDestination;
  /** Labels on every stream, e.g. `{ cluster: "prod-eu" }`. @default none */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * A DaemonSet of Grafana Alloy that ships the logs of every pod on its node to Loki. It reads
 * them through the Kubernetes API (`pods/log`) rather than from the node's disk, so it needs no
 * host path and runs under Pod Security "restricted". The cost is kubelet and API server load,
 * which grows with log volume; very chatty clusters may prefer a file tailer with host access.
 */
export class AlloyLogAgent extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly config: ConfigFile;
  readonly scrapeTarget: ScrapeTarget;

  constructor(scope: Construct, id: string, props: AlloyLogAgentProps) {
    super(scope, id);
    const name = props.name ?? 'alloy-logs';
    validateAlloy(this, props.namespace, 1, props);
    // `<instance>-<component>` gives back the name: "alloy-logs" is instance "alloy", component "logs".
    const identity = this.identity = new ComponentIdentity({ app: 'alloy', instance: name.replace(/-logs$/, ''), component: 'logs', namespace: props.namespace, version: imageVersion(props.image ?? IMAGES.alloy) });
    this.config = new ConfigFile(this, 'Config', { identity, name: `${identity.name}-config`, files: { 'config.alloy': renderAlloy(logAgentConfig(props)) } });
    createServiceAccount(this, 'ServiceAccount', identity, identity.name);
    clusterRoleFor(this, 'ClusterRole', identity, identity.name, [
      // Discovery lists this node's pods; the tailer streams their logs; namespaces label them.
      { apiGroups: [''], resources: ['pods', 'pods/log', 'namespaces'], verbs: ['get', 'list', 'watch'] },
    ], `${props.namespace}-${identity.name}`);
    const headless = createService(this, 'Service', { identity, name: `${identity.name}-headless`, headless: true, ports: [{ name: 'http-metrics', port: HTTP_PORT }] });
    this.workload = alloyWorkload(this, {
      identity, kind: 'DaemonSet', replicas: 1, config: this.config, options: props, ports: [], readsApi: true,
      env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
    });
    this.scrapeTarget = srvScrapeTarget(identity.name, 'http-metrics', identity.serviceHost(headless.metadata.name!, props.clusterDomain ?? 'cluster.local'));
  }
}

function logAgentConfig(props: AlloyLogAgentProps): AlloyBlock[] {
  const rule = (source: string[], target: string, extra: Record<string, string> = {}): AlloyBlock => ({ name: 'rule', attributes: { source_labels: source, target_label: target, ...extra } });
  return [
    {
      name: 'discovery.kubernetes', label: 'pods',
      attributes: { role: 'pod' },
      // Only this node's pods: every agent tails its own node, none twice.
      blocks: [{ name: 'selectors', attributes: { role: 'pod', field: expr('"spec.nodeName=" + sys.env("NODE_NAME")') } }],
    },
    {
      name: 'discovery.relabel', label: 'pods',
      attributes: { targets: expr('discovery.kubernetes.pods.targets') },
      blocks: [
        rule(['__meta_kubernetes_namespace'], 'namespace'),
        rule(['__meta_kubernetes_pod_name'], 'pod'),
        rule(['__meta_kubernetes_pod_container_name'], 'container'),
        // The first of app.kubernetes.io/name and app; Loki derives service_name from `app`.
        rule(['__meta_kubernetes_pod_label_app_kubernetes_io_name', '__meta_kubernetes_pod_label_app'], 'app', { regex: '^;*([^;]+)(;.*)?$' }),
        rule(['__meta_kubernetes_namespace', '__meta_kubernetes_pod_container_name'], 'job', { separator: '/' }),
      ],
    },
    {
      name: 'loki.source.kubernetes', label: 'pods',
      attributes: { targets: expr('discovery.relabel.pods.output'), forward_to: [expr('loki.write.default.receiver')] },
    },
    lokiWrite(props.loki, props.externalLabels),
  ];
}

/** `loki.write "default"` for a destination. */
export function lokiWrite(loki: LogsDestination, externalLabels?: Readonly<Record<string, string>>): AlloyBlock {
  return {
    name: 'loki.write', label: 'default',
    attributes: externalLabels && Object.keys(externalLabels).length > 0 ? { external_labels: { ...externalLabels } } : {},
    blocks: [{ name: 'endpoint', attributes: { url: loki.pushUrl, ...(loki.tenant ? { tenant_id: loki.tenant } : {}) } }],
  };
}

export interface AlloyGatewayProps extends WorkloadOptions {
  readonly namespace: string;
  /** @default "alloy-gateway" */
  readonly name?: string;
  /** @default 2 */
  readonly replicas?: number;
  /** Where traces go, e.g. `{ otlpGrpcEndpoint: tempo.otlpGrpcEndpoint }`. */
  readonly traces: TracesDestination;
  /** Where OTLP metrics go, e.g. a ThanosCluster's `remoteWriteTarget()`. */
  readonly metrics: RemoteWriteTarget;
  /** Where OTLP logs go. */
  readonly logs: LogsDestination;
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * Grafana Alloy as an OTLP gateway: applications send traces, metrics and logs to one address;
 * traces go to Tempo, metrics to the metrics backend by remote write, logs to Loki.
 */
export class AlloyGateway extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly config: ConfigFile;
  readonly service: k8s.KubeService;
  /** `host:4317` for OTLP gRPC clients. */
  readonly otlpGrpcEndpoint: string;
  /** `http://host:4318` for OTLP HTTP clients. */
  readonly otlpHttpUrl: string;
  readonly scrapeTarget: ScrapeTarget;

  constructor(scope: Construct, id: string, props: AlloyGatewayProps) {
    super(scope, id);
    const name = props.name ?? 'alloy-gateway';
    const replicas = props.replicas ?? 2;
    validateAlloy(this, props.namespace, replicas, props);
    const identity = this.identity = new ComponentIdentity({ app: 'alloy', instance: name.replace(/-gateway$/, ''), component: 'gateway', namespace: props.namespace, version: imageVersion(props.image ?? IMAGES.alloy) });
    const domain = props.clusterDomain ?? 'cluster.local';
    this.config = new ConfigFile(this, 'Config', { identity, name: `${identity.name}-config`, files: { 'config.alloy': renderAlloy(gatewayConfig(props)) } });
    createServiceAccount(this, 'ServiceAccount', identity, identity.name);
    const ports = [{ name: 'otlp-grpc', containerPort: 4317 }, { name: 'otlp-http', containerPort: 4318 }];
    this.service = createService(this, 'Service', { identity, name: identity.name, ports: ports.map((p) => ({ name: p.name, port: p.containerPort })) });
    const headless = createService(this, 'HeadlessService', { identity, name: `${identity.name}-headless`, headless: true, ports: [{ name: 'http-metrics', port: HTTP_PORT }] });
    this.workload = alloyWorkload(this, { identity, kind: 'Deployment', replicas, config: this.config, options: props, ports, readsApi: false });
    const host = identity.serviceHost(identity.name, domain);
    this.otlpGrpcEndpoint = `${host}:4317`;
    this.otlpHttpUrl = `http://${host}:4318`;
    this.scrapeTarget = srvScrapeTarget(identity.name, 'http-metrics', identity.serviceHost(headless.metadata.name!, domain));
  }
}

function gatewayConfig(props: AlloyGatewayProps): AlloyBlock[] {
  const headers: Record<string, AlloyValue> = props.metrics.headers && Object.keys(props.metrics.headers).length > 0 ? { headers: { ...props.metrics.headers } } : {};
  return [
    {
      name: 'otelcol.receiver.otlp', label: 'default',
      blocks: [
        { name: 'grpc', attributes: { endpoint: '0.0.0.0:4317' } },
        { name: 'http', attributes: { endpoint: '0.0.0.0:4318' } },
        { name: 'output', attributes: { traces: [expr('otelcol.processor.batch.default.input')], metrics: [expr('otelcol.processor.batch.default.input')], logs: [expr('otelcol.processor.batch.default.input')] } },
      ],
    },
    {
      name: 'otelcol.processor.batch', label: 'default',
      blocks: [{ name: 'output', attributes: { traces: [expr('otelcol.exporter.otlp.traces.input')], metrics: [expr('otelcol.exporter.prometheus.metrics.input')], logs: [expr('otelcol.exporter.loki.logs.input')] } }],
    },
    {
      name: 'otelcol.exporter.otlp', label: 'traces',
      blocks: [{ name: 'client', attributes: { endpoint: props.traces.otlpGrpcEndpoint }, blocks: [{ name: 'tls', attributes: { insecure: true } }] }],
    },
    { name: 'otelcol.exporter.prometheus', label: 'metrics', attributes: { forward_to: [expr('prometheus.remote_write.metrics.receiver')] } },
    { name: 'prometheus.remote_write', label: 'metrics', blocks: [{ name: 'endpoint', attributes: { url: props.metrics.url, ...headers } }] },
    { name: 'otelcol.exporter.loki', label: 'logs', attributes: { forward_to: [expr('loki.write.default.receiver')] } },
    lokiWrite(props.logs),
  ];
}

function validateAlloy(scope: Construct, namespace: string, replicas: number, options: WorkloadOptions): void {
  const v = new Validator(scope);
  checkCollectorBasics(v, namespace, options, replicas);
  v.throwIfAny();
}
