import { PLATFORM_CA_FILE, platformTrustFor } from '../core/serving-tls';
import { Construct } from 'constructs';
import { ConfigFile, renderYaml } from '../core/config-file';
import { Validator } from '../core/errors';
import { IMAGES, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { httpProbe } from '../core/pod';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { clusterRoleFor } from './rbac';
import { LogsDestination, POD_LOG_LABELS } from './destinations';
import { checkCollectorBasics, checkLogsDestination, recordLogsClient } from './validate';
import { clusterDomainOf } from '../core/cluster-domain';

const HTTP_PORT = 3101;
const POSITIONS_DIR = '/run/promtail';
const PASSWORD_DIR = '/etc/promtail/loki-password';

/** Props of {@link Promtail}. */
export interface PromtailProps extends WorkloadOptions {
  /** A namespace that admits host access (Pod Security "privileged"): promtail reads the node's log files as root. */
  readonly namespace: string;
  /** @default "promtail" */
  readonly name?: string;
  readonly loki: LogsDestination;
  /** Labels on every stream. @default none */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * Promtail as a DaemonSet tailing `/var/log/pods` on every node: for the designs it replaces.
 * Promtail reached end of life on 2026-03-02 (the last image is Loki 3.6.11's); new platforms
 * should use {@link AlloyLogAgent}, which also needs no host access. Promtail must run as root
 * with host paths, so its namespace must admit that; capabilities stay dropped and the root
 * filesystem read-only, and its positions live on the node so a restart resumes where it was.
 */
export class Promtail extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly config: ConfigFile;
  readonly scrapeTarget: ScrapeTarget;
  /** The labels on every stream it ships: the pod's, then the external ones. */
  readonly streamLabels: readonly string[];

  constructor(scope: Construct, id: string, props: PromtailProps) {
    super(scope, id);
    this.streamLabels = [...POD_LOG_LABELS, ...Object.keys(props.externalLabels ?? {})];
    const v = new Validator(this);
    checkCollectorBasics(v, props.namespace, props, undefined, IMAGES.promtail);
    checkLogsDestination(v, 'loki', props.loki, 'pushUrl', props.namespace);
    v.throwIfAny();
    const r = resolvePromtail(this, props);
    const identity = (this.identity = r.identity);
    this.config = new ConfigFile(this, 'Config', { identity, name: `${identity.name}-config`, files: { 'promtail.yaml': renderYaml(promtailConfig(props)) } });
    createServiceAccount(this, 'ServiceAccount', identity, identity.name);
    const pods = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }];
    clusterRoleFor(this, 'ClusterRole', identity, identity.name, pods, `${props.namespace}-${identity.name}`);
    createService(this, 'Service', { identity, name: identity.headlessName, headless: true, ports: [{ name: 'http-metrics', port: HTTP_PORT }] });
    this.workload = this.emitDaemonSet(r, props);
    this.scrapeTarget = srvScrapeTarget(identity.name, 'http-metrics', identity.serviceHost(identity.headlessName, r.clusterDomain));
    recordLogsClient(this, 'loki.pushUrl', props.loki.pushUrl, props.loki.basicAuth);
  }

  /** One root pod per node, tainted ones included, reading the pods' log files and keeping its positions on the node. */
  private emitDaemonSet(r: ResolvedPromtail, props: PromtailProps): Workload {
    const password = props.loki.basicAuth?.passwordSecret;
    const trust = platformTrustFor(this, r.identity, [{ property: 'loki.pushUrl', value: props.loki.pushUrl, platformCa: props.loki.platformCa }]);
    return new Workload(this, 'Workload', {
      kind: 'DaemonSet',
      identity: r.identity,
      replicas: 1,
      podIdentity: { runAsUser: 0, runAsGroup: 0, fsGroup: 0 },
      serviceAccountName: r.identity.name,
      automountServiceAccountToken: true,
      hostAccess: {
        reason: "promtail reads every pod's log files under /var/log/pods, which only root may read, and keeps its read positions on the node",
        runAsRoot: true,
        hostPaths: [
          { name: 'pods-logs', path: '/var/log/pods' },
          { name: 'positions', path: POSITIONS_DIR, writable: true },
        ],
      },
      configChecksums: [this.config.checksum],
      ...podOptions(props),
      scheduling: r.scheduling,
      volumes: [
        this.config.volume('config'),
        ...(password ? [{ name: 'loki-password', secret: { secretName: password.name, items: [{ key: password.key, path: 'password' }] } }] : []),
        ...(trust ? [trust.volume] : []),
      ],
      containers: [
        withOptions(props, {
          name: 'promtail',
          image: r.image,
          args: ['-config.file=/etc/promtail/promtail.yaml'],
          // Promtail limits pod discovery to its own node by this variable.
          env: [{ name: 'HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
          ports: [{ name: 'http-metrics', containerPort: HTTP_PORT }],
          volumeMounts: [
            { name: 'config', mountPath: '/etc/promtail', readOnly: true },
            { name: 'pods-logs', mountPath: '/var/log/pods', readOnly: true },
            { name: 'positions', mountPath: POSITIONS_DIR },
            ...(password ? [{ name: 'loki-password', mountPath: PASSWORD_DIR, readOnly: true }] : []),
            ...(trust ? [trust.mount] : []),
          ],
          // /ready fails while a node has no log file to tail: it must never restart promtail.
          readinessProbe: httpProbe('/ready', 'http-metrics', { initialDelaySeconds: 10 }),
          startupProbe: httpProbe('/metrics', 'http-metrics', { initialDelaySeconds: 5, failureThreshold: 30 }),
          livenessProbe: httpProbe('/metrics', 'http-metrics', { initialDelaySeconds: 0, failureThreshold: 5 }),
          defaultResources: r.defaultResources,
        }),
      ],
    });
  }
}

/** Every prop of a promtail with its default filled in. */
type ResolvedPromtail = ReturnType<typeof resolvePromtail>;

/** Fills in every default, in one place. */
function resolvePromtail(scope: Construct, props: PromtailProps) {
  const name = props.name ?? 'promtail';
  const image = props.image ?? IMAGES.promtail;
  return {
    identity: new ComponentIdentity({
      app: 'promtail',
      instance: name.replace(/-agent$/, ''),
      component: 'agent',
      namespace: props.namespace,
      version: imageVersion(image),
    }),
    image,
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
    // A node agent runs on every node, tainted ones included.
    scheduling: props.scheduling ?? { tolerations: [{ operator: 'Exists' }] },
    defaultResources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
  };
}

function promtailConfig(props: PromtailProps): Record<string, unknown> {
  const rule = (source: string[], target: string, extra: Record<string, string> = {}) => ({ source_labels: source, target_label: target, ...extra });
  return {
    server: { http_listen_port: HTTP_PORT, grpc_listen_port: 0 },
    positions: { filename: `${POSITIONS_DIR}/positions.yaml` },
    clients: [
      {
        url: props.loki.pushUrl,
        ...(props.loki.tenant ? { tenant_id: props.loki.tenant } : {}),
        // The password file is the mounted Secret key: read on every request, never in the config.
        ...(props.loki.basicAuth ? { basic_auth: { username: props.loki.basicAuth.username, password_file: `${PASSWORD_DIR}/password` } } : {}),
        ...(props.loki.platformCa ? { tls_config: { ca_file: PLATFORM_CA_FILE } } : {}),
        ...(props.externalLabels && Object.keys(props.externalLabels).length > 0 ? { external_labels: { ...props.externalLabels } } : {}),
      },
    ],
    scrape_configs: [
      {
        job_name: 'kubernetes-pods',
        // Container runtimes write CRI lines: time, stream, flag, then the log line.
        pipeline_stages: [{ cri: {} }],
        kubernetes_sd_configs: [{ role: 'pod' }],
        relabel_configs: [
          rule(['__meta_kubernetes_namespace'], 'namespace'),
          rule(['__meta_kubernetes_pod_name'], 'pod'),
          rule(['__meta_kubernetes_pod_container_name'], 'container'),
          rule(['__meta_kubernetes_pod_label_app_kubernetes_io_name', '__meta_kubernetes_pod_label_app'], 'app', { regex: '^;*([^;]+)(;.*)?$' }),
          rule(['__meta_kubernetes_namespace', '__meta_kubernetes_pod_container_name'], 'job', { separator: '/' }),
          // /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log
          rule(['__meta_kubernetes_pod_uid', '__meta_kubernetes_pod_container_name'], '__path__', { separator: '/', replacement: '/var/log/pods/*$1/*.log' }),
        ],
      },
    ],
  };
}
