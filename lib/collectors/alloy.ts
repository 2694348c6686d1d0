import { PLATFORM_CA_FILE, SERVING_CERT_FILE, SERVING_KEY_FILE, ServingCertificate, ownCertificate, servingTlsOf } from '../core/serving-tls';
import { OtlpEndpoint } from '../core/otlp';
import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { ConfigFile } from '../core/config-file';
import { basicAuthPasswordEnv } from '../core/basic-auth';
import { checkReplicas, checkVolumeSize, requireProps } from '../core/check-options';
import { Validator } from '../core/errors';
import { dnsLabel, httpUrl } from '../core/rules';
import { Wiring } from '../core/wiring';
import { IMAGES, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { httpProbe } from '../core/pod';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { RemoteWriteTarget } from '../core/remote-write';
import { AlloyBlock, AlloyValue, expr, renderAlloy } from './alloy-syntax';
import { LOKI_PASSWORD_ENV, LogsDestination, POD_LOG_LABELS, TracesDestination } from './destinations';
import { clusterRoleFor } from './rbac';
import { checkCollectorBasics, checkLogsDestination, checkTracesDestination, recordLogsClient } from './validate';
import { clusterDomainOf } from '../core/cluster-domain';

/** uid and gid of the `alloy` user the image creates (the image itself runs as root). */
const ALLOY_UID = 473;
const HTTP_PORT = 12345;
const CONFIG_DIR = '/etc/alloy';
const STORAGE_DIR = '/var/lib/alloy/data';

interface AlloyPodSpec {
  readonly identity: ComponentIdentity;
  readonly replicas: number;
  readonly config: ConfigFile;
  readonly options: WorkloadOptions;
  readonly ports: ReadonlyArray<{ readonly name: string; readonly containerPort: number }>;
  readonly readsApi: boolean;
  readonly env?: readonly k8s.EnvVar[];
  /** A volume per pod at the storage path (a StatefulSet); without it, a Deployment with an emptyDir. */
  readonly storage?: { readonly size: string; readonly storageClass?: string };
  /** Its certificate: served with `https`, and whose ca.crt it trusts platform endpoints by. @default none */
  readonly trust?: ServingCertificate;
  /** Its HTTP server serves HTTPS from that certificate (the config carries {@link serverTls}). @default false */
  readonly https?: boolean;
}

/** What both Alloy components resolve alike: their name, identity, cluster domain and pod count. */

/** Fills in the defaults both Alloy components share; `pods` is the component's own count, defaulted. */
function resolveAlloy(
  scope: Construct,
  props: WorkloadOptions & { readonly namespace: string; readonly name?: string; readonly clusterDomain?: string },
  component: 'logs' | 'gateway',
  pods: number,
) {
  const name = props.name ?? `alloy-${component}`;
  return {
    name,
    // `<instance>-<component>` gives back the name: "alloy-logs" is instance "alloy", component "logs".
    identity: new ComponentIdentity({
      app: 'alloy',
      instance: name.replace(new RegExp(`-${component}$`), ''),
      component,
      namespace: props.namespace,
      version: imageVersion(props.image ?? IMAGES.alloy),
    }),
    domain: clusterDomainOf(scope, props.clusterDomain),
    pods,
  };
}

/** The one way the library runs Alloy: its own uid, the UI and metrics on all interfaces, a storage path. */
/**
 * Alloy's own HTTP server (UI, API, metrics, probes) over HTTPS from the pod's certificate: the
 * `http` config block, whose certificate Alloy reads at each handshake, so a renewed one is served
 * without a restart.
 */
function serverTls(): AlloyBlock {
  return { name: 'http', blocks: [{ name: 'tls', attributes: { cert_file: SERVING_CERT_FILE, key_file: SERVING_KEY_FILE, min_version: 'TLS12' } }] };
}

function alloyWorkload(scope: Construct, spec: AlloyPodSpec): Workload {
  const o = spec.options;
  const scheme = spec.https ? 'HTTPS' : 'HTTP';
  const trust = spec.trust ? [spec.trust.volume] : [];
  const common = {
    identity: spec.identity,
    replicas: spec.replicas,
    podIdentity: { runAsUser: ALLOY_UID, runAsGroup: ALLOY_UID, fsGroup: ALLOY_UID },
    serviceAccountName: spec.identity.name,
    automountServiceAccountToken: spec.readsApi,
    configChecksums: [spec.config.checksum],
    ...podOptions(o),
    containers: [
      withOptions(o, {
        name: 'alloy',
        image: o.image ?? IMAGES.alloy,
        args: [
          'run',
          `${CONFIG_DIR}/config.alloy`,
          // The binary listens on 127.0.0.1 by default: probes and scrapes would never reach it.
          `--server.http.listen-addr=0.0.0.0:${HTTP_PORT}`,
          `--storage.path=${STORAGE_DIR}`,
          '--disable-reporting',
        ],
        env: [...(spec.env ?? [])],
        ports: [{ name: 'http-metrics', containerPort: HTTP_PORT }, ...spec.ports],
        volumeMounts: [
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          { name: 'storage', mountPath: STORAGE_DIR },
          ...(spec.trust ? [spec.trust.mount] : []),
        ],
        readinessProbe: httpProbe('/-/ready', 'http-metrics', { initialDelaySeconds: 5, scheme }),
        livenessProbe: httpProbe('/-/healthy', 'http-metrics', { initialDelaySeconds: 30, failureThreshold: 5, scheme }),
        defaultResources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
      }),
    ],
  };
  if (spec.storage) {
    return new Workload(scope, 'Workload', {
      ...common,
      kind: 'StatefulSet',
      volumes: [spec.config.volume('config'), ...trust],
      volumeClaims: [{ name: 'storage', size: spec.storage.size, storageClass: spec.storage.storageClass }],
    });
  }
  return new Workload(scope, 'Workload', {
    ...common,
    kind: 'Deployment',
    volumes: [spec.config.volume('config'), { name: 'storage', emptyDir: {} }, ...trust],
  });
}

/** Props of {@link AlloyLogAgent}. */
export interface AlloyLogAgentProps extends WorkloadOptions {
  readonly namespace: string;
  /** @default "alloy-logs" */
  readonly name?: string;
  /** Where logs go: a LokiCluster's `clientEndpoint(tenant)`, which carries credentials when its gateway wants them. */
  readonly loki: LogsDestination;
  /** Labels on every stream, e.g. `{ cluster: "prod-eu" }`. @default none */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /**
   * Pods that share the cluster's pods between them: each tails a fixed share (by pod uid), so
   * every pod of every node is tailed exactly once, tainted nodes' included. More shards spread
   * the API load. @default 2
   */
  readonly shards?: number;
  /** Size of each shard's volume, which keeps its read positions across restarts and rollouts. @default "1Gi" */
  readonly storageSize?: string;
  /** @default the cluster default */
  readonly storageClass?: string;
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * Grafana Alloy shipping the logs of every pod of the cluster to Loki. It reads them through the
 * Kubernetes API (`pods/log`) rather than from the nodes' disks, so it needs no host path and runs
 * under Pod Security "restricted", and it needs to run on no particular node: a StatefulSet of
 * shards, each tailing the pods whose uid hashes to its ordinal, keeps its read positions on a
 * volume of its own. A restarted or rolled shard resumes where it stopped instead of sending every
 * container's current log again (Alloy starts a target with no saved position from the beginning
 * of that log). The cost is kubelet and API server load, which grows with log volume; very chatty
 * clusters may prefer more shards, or a file tailer with host access.
 */
export class AlloyLogAgent extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly config: ConfigFile;
  readonly scrapeTarget: ScrapeTarget;
  readonly shards: number;
  /** The labels on every stream it ships: the pod's, then the external ones. */
  readonly streamLabels: readonly string[];

  constructor(scope: Construct, id: string, props: AlloyLogAgentProps) {
    super(scope, id);
    this.streamLabels = [...POD_LOG_LABELS, ...Object.keys(props.externalLabels ?? {})];
    const r = resolveAlloy(this, props, 'logs', props.shards ?? 2);
    this.shards = r.pods;
    validateAlloy(this, props.namespace, this.shards, props, 'shards', (v) => {
      checkLogsDestination(v, 'loki', props.loki, 'pushUrl', props.namespace);
      checkVolumeSize(v, 'storageSize', props.storageSize);
      v.apply('name', r.name, dnsLabel(r.name, 63 - '-headless'.length));
    });
    const identity = (this.identity = r.identity);
    // With serving TLS its HTTP server serves its own certificate, whose ca.crt it trusts Loki by.
    const https = servingTlsOf(this) !== undefined;
    const certificate = ownCertificate(this, identity, { names: [], headless: [identity.headlessName] }, [
      { property: 'loki.pushUrl', value: props.loki.pushUrl, platformCa: props.loki.platformCa },
    ]);
    this.config = new ConfigFile(this, 'Config', {
      identity,
      name: `${identity.name}-config`,
      files: { 'config.alloy': renderAlloy([...(https ? [serverTls()] : []), ...logAgentConfig(props, identity.name, this.shards)]) },
    });
    createServiceAccount(this, 'ServiceAccount', identity, identity.name);
    clusterRoleFor(
      this,
      'ClusterRole',
      identity,
      identity.name,
      [
        // Discovery lists the pods; the tailer streams their logs; namespaces label them.
        { apiGroups: [''], resources: ['pods', 'pods/log', 'namespaces'], verbs: ['get', 'list', 'watch'] },
      ],
      `${props.namespace}-${identity.name}`,
    );
    createService(this, 'Service', { identity, name: identity.headlessName, headless: true, ports: [{ name: 'http-metrics', port: HTTP_PORT }] });
    this.workload = alloyWorkload(this, {
      identity,
      replicas: this.shards,
      config: this.config,
      options: props,
      ports: [],
      readsApi: true,
      storage: { size: props.storageSize ?? '1Gi', storageClass: props.storageClass },
      env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, ...lokiPasswordEnv(props.loki)],
      trust: certificate,
      https,
    });
    this.scrapeTarget = srvScrapeTarget(identity.name, 'http-metrics', identity.serviceHost(identity.headlessName, r.domain), undefined, {
      https: https && certificate ? { certificateSecret: certificate.secretName } : undefined,
    });
    recordLogsClient(this, 'loki.pushUrl', props.loki.pushUrl, props.loki.basicAuth);
  }
}

/** `statefulSet` is the StatefulSet's name: its pods are `<statefulSet>-<ordinal>`. */
function logAgentConfig(props: AlloyLogAgentProps, statefulSet: string, shards: number): AlloyBlock[] {
  const rule = (source: string[], target: string, extra: Record<string, AlloyValue> = {}): AlloyBlock => ({
    name: 'rule',
    attributes: { source_labels: source, target_label: target, ...extra },
  });
  return [
    { name: 'discovery.kubernetes', label: 'pods', attributes: { role: 'pod' } },
    {
      name: 'discovery.relabel',
      label: 'pods',
      attributes: { targets: expr('discovery.kubernetes.pods.targets') },
      blocks: [
        // This shard's share: the pods whose uid hashes to its ordinal (the pod name's suffix).
        rule(['__meta_kubernetes_pod_uid'], '__tmp_shard', { action: 'hashmod', modulus: shards }),
        {
          name: 'rule',
          attributes: {
            source_labels: ['__tmp_shard'],
            regex: expr(`string.trim_prefix(sys.env("POD_NAME"), ${JSON.stringify(`${statefulSet}-`)})`),
            action: 'keep',
          },
        },
        rule(['__meta_kubernetes_namespace'], 'namespace'),
        rule(['__meta_kubernetes_pod_name'], 'pod'),
        rule(['__meta_kubernetes_pod_container_name'], 'container'),
        // The first of app.kubernetes.io/name and app; Loki derives service_name from `app`.
        rule(['__meta_kubernetes_pod_label_app_kubernetes_io_name', '__meta_kubernetes_pod_label_app'], 'app', { regex: '^;*([^;]+)(;.*)?$' }),
        rule(['__meta_kubernetes_namespace', '__meta_kubernetes_pod_container_name'], 'job', { separator: '/' }),
      ],
    },
    {
      name: 'loki.source.kubernetes',
      label: 'pods',
      attributes: { targets: expr('discovery.relabel.pods.output'), forward_to: [expr('loki.write.default.receiver')] },
    },
    lokiWrite(props.loki, props.externalLabels),
  ];
}

/** `loki.write "default"` for a destination, with basic auth from the environment when it has credentials. */
export function lokiWrite(loki: LogsDestination, externalLabels?: Readonly<Record<string, string>>): AlloyBlock {
  const basicAuth: AlloyBlock[] = loki.basicAuth
    ? [{ name: 'basic_auth', attributes: { username: loki.basicAuth.username, password: expr(`sys.env(${JSON.stringify(LOKI_PASSWORD_ENV)})`) } }]
    : [];
  return {
    name: 'loki.write',
    label: 'default',
    attributes: externalLabels && Object.keys(externalLabels).length > 0 ? { external_labels: { ...externalLabels } } : {},
    blocks: [
      {
        name: 'endpoint',
        attributes: { url: loki.pushUrl, ...(loki.tenant ? { tenant_id: loki.tenant } : {}) },
        blocks: [...basicAuth, ...(loki.platformCa ? [{ name: 'tls_config', attributes: { ca_file: PLATFORM_CA_FILE } }] : [])],
      },
    ],
  };
}

/** The password env var of a destination with credentials: a reference to the Secret, never the value. */
function lokiPasswordEnv(loki: LogsDestination): k8s.EnvVar[] {
  return loki.basicAuth ? [basicAuthPasswordEnv(LOKI_PASSWORD_ENV, loki.basicAuth)] : [];
}

/** Props of {@link AlloyGateway}: OTLP in, traces, metrics and logs out to the platform's backends. */
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
export class AlloyGateway extends Construct implements OtlpEndpoint {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly config: ConfigFile;
  readonly service: k8s.KubeService;
  /** `host:4317` for OTLP gRPC clients. */
  readonly otlpGrpcEndpoint: string;
  /** `http://host:4318` for OTLP HTTP clients; `https://` with serving TLS. */
  readonly otlpHttpUrl: string;
  /** With serving TLS both OTLP ports serve TLS from its certificate, of the platform's CA. */
  readonly platformCa?: boolean;
  readonly scrapeTarget: ScrapeTarget;

  constructor(scope: Construct, id: string, props: AlloyGatewayProps) {
    super(scope, id);
    requireProps(this, props, {
      namespace: 'give the Kubernetes namespace of its objects',
      traces: 'pass a Tempo (or its otlpGrpcEndpoint)',
      metrics: 'pass a remote-write target, e.g. thanos.remoteWriteTarget()',
      logs: 'pass a LokiCluster\'s clientEndpoint("<tenant>")',
    });
    const r = resolveAlloy(this, props, 'gateway', props.replicas ?? 2);
    const { domain, pods: replicas } = r;
    validateAlloy(this, props.namespace, replicas, props, 'replicas', (v) => {
      checkLogsDestination(v, 'logs', props.logs, 'pushUrl', props.namespace);
      v.apply('metrics.url', props.metrics?.url, httpUrl(props.metrics?.url));
      checkTracesDestination(v, props.traces);
    });
    const identity = (this.identity = r.identity);
    const tls = servingTlsOf(this) !== undefined;
    this.config = new ConfigFile(this, 'Config', {
      identity,
      name: `${identity.name}-config`,
      files: { 'config.alloy': renderAlloy([...(tls ? [serverTls()] : []), ...gatewayConfig(props, tls)]) },
    });
    createServiceAccount(this, 'ServiceAccount', identity, identity.name);
    const ports = [
      { name: 'otlp-grpc', containerPort: 4317 },
      { name: 'otlp-http', containerPort: 4318 },
    ];
    this.service = createService(this, 'Service', { identity, name: identity.name, ports: ports.map((p) => ({ name: p.name, port: p.containerPort })) });
    createService(this, 'HeadlessService', { identity, name: identity.headlessName, headless: true, ports: [{ name: 'http-metrics', port: HTTP_PORT }] });
    // With serving TLS its OTLP ports serve its own certificate, whose ca.crt it trusts the backends by.
    const trust = ownCertificate(this, identity, { names: [identity.name], headless: [identity.headlessName] }, [
      { property: 'traces.otlpGrpcEndpoint', value: props.traces.otlpGrpcEndpoint, platformCa: props.traces.platformCa },
      { property: 'metrics.url', value: props.metrics.url, platformCa: props.metrics.platformCa },
      { property: 'logs.pushUrl', value: props.logs.pushUrl, platformCa: props.logs.platformCa },
    ]);
    this.workload = alloyWorkload(this, {
      identity,
      replicas,
      config: this.config,
      options: props,
      ports,
      readsApi: false,
      env: lokiPasswordEnv(props.logs),
      trust,
      https: tls,
    });
    const host = identity.serviceHost(identity.name, domain);
    this.otlpGrpcEndpoint = `${host}:4317`;
    this.otlpHttpUrl = `${tls ? 'https' : 'http'}://${host}:4318`;
    if (tls) this.platformCa = true;
    this.scrapeTarget = srvScrapeTarget(identity.name, 'http-metrics', identity.serviceHost(identity.headlessName, domain), undefined, {
      https: tls && trust ? { certificateSecret: trust.secretName } : undefined,
    });
    recordLogsClient(this, 'logs.pushUrl', props.logs.pushUrl, props.logs.basicAuth);
    // Each pod forwards what its own clients sent: no two pods send the same series.
    Wiring.of(this).writes({ path: this.node.path, property: 'metrics', url: props.metrics.url, replicas: 1, replicaLabels: [] });
  }
}

function gatewayConfig(props: AlloyGatewayProps, tls: boolean): AlloyBlock[] {
  // With serving TLS both receivers serve the gateway's certificate, re-read hourly as it is renewed.
  const serving: AlloyBlock[] = tls ? [{ name: 'tls', attributes: { cert_file: SERVING_CERT_FILE, key_file: SERVING_KEY_FILE, reload_interval: '1h' } }] : [];
  const headers: Record<string, AlloyValue> =
    props.metrics.headers && Object.keys(props.metrics.headers).length > 0 ? { headers: { ...props.metrics.headers } } : {};
  return [
    {
      name: 'otelcol.receiver.otlp',
      label: 'default',
      blocks: [
        { name: 'grpc', attributes: { endpoint: '0.0.0.0:4317' }, blocks: serving },
        { name: 'http', attributes: { endpoint: '0.0.0.0:4318' }, blocks: serving },
        {
          name: 'output',
          attributes: {
            traces: [expr('otelcol.processor.batch.default.input')],
            metrics: [expr('otelcol.processor.batch.default.input')],
            logs: [expr('otelcol.processor.batch.default.input')],
          },
        },
      ],
    },
    {
      name: 'otelcol.processor.batch',
      label: 'default',
      blocks: [
        {
          name: 'output',
          attributes: {
            traces: [expr('otelcol.exporter.otlp.traces.input')],
            metrics: [expr('otelcol.exporter.prometheus.metrics.input')],
            logs: [expr('otelcol.exporter.loki.logs.input')],
          },
        },
      ],
    },
    {
      name: 'otelcol.exporter.otlp',
      label: 'traces',
      blocks: [
        {
          name: 'client',
          attributes: { endpoint: props.traces.otlpGrpcEndpoint },
          // TLS checked against the platform's CA when Tempo serves it, else none.
          blocks: [{ name: 'tls', attributes: props.traces.platformCa ? { ca_file: PLATFORM_CA_FILE } : { insecure: true } }],
        },
      ],
    },
    { name: 'otelcol.exporter.prometheus', label: 'metrics', attributes: { forward_to: [expr('prometheus.remote_write.metrics.receiver')] } },
    {
      name: 'prometheus.remote_write',
      label: 'metrics',
      blocks: [
        {
          name: 'endpoint',
          attributes: { url: props.metrics.url, ...headers },
          blocks: props.metrics.platformCa ? [{ name: 'tls_config', attributes: { ca_file: PLATFORM_CA_FILE } }] : [],
        },
      ],
    },
    { name: 'otelcol.exporter.loki', label: 'logs', attributes: { forward_to: [expr('loki.write.default.receiver')] } },
    lokiWrite(props.logs),
  ];
}

function validateAlloy(
  scope: Construct,
  namespace: string,
  replicas: number,
  options: WorkloadOptions,
  replicasProperty: string,
  more: (v: Validator) => void,
): void {
  const v = new Validator(scope);
  checkCollectorBasics(v, namespace, options, undefined, IMAGES.alloy);
  checkReplicas(v, replicasProperty, replicas);
  more(v);
  v.throwIfAny();
}
