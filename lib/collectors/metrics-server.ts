import { IMAGES } from '../core/images';
import { Construct } from 'constructs';
import { parseGoDuration } from '../core/duration';
import { k8s } from '../core/k8s';
import { Validator } from '../core/errors';
import { ImageRef } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { ClusterAccess, clusterRoleFor, clusterRoleRef, collectorIdentity, serviceAccountSubject } from './rbac';
import { checkCollectorBasics } from './validate';

/**
 * The name of the Service, ServiceAccount and Deployment. Fixed: the APIService it serves is one
 * per cluster, so there is never a second instance to tell apart.
 */
const NAME = 'metrics-server';
const PORT = { name: 'https', port: 10250 } as const;
/** The APIService has no port, and apiregistration defaults it to 443. */
const SERVICE_PORT = 443;
/** The image's own USER. */
const UID = 65534;
/** The kubelet request timeout metrics-server uses unless `--kubelet-request-timeout` says otherwise. */
const DEFAULT_KUBELET_TIMEOUT_MS = 10_000;

/** Props of {@link MetricsServer}. */
export interface MetricsServerProps extends WorkloadOptions {
  /** Namespace of the namespaced objects; the APIService and every binding subject point here. */
  readonly namespace: string;
  /** Pods. Two keep `kubectl top` and HPAs working through a node drain (with a PDB). @default 1 */
  readonly replicas?: number;
  /**
   * Accept the kubelets' serving certificates without verifying them (`--kubelet-insecure-tls`).
   *
   * **Warning:** anyone who can answer on a node's kubelet port can feed metrics-server (and so
   * every HPA) false numbers. Only for clusters whose kubelets have self-signed certificates
   * (kind, minikube, k3d); fix the kubelet certificates everywhere else.
   * @default false
   */
  readonly kubeletInsecureTls?: boolean;
  /** How often it scrapes the kubelets (`--metric-resolution`), a Go duration of at least 10s. @default "15s" */
  readonly metricResolution?: string;
}

/**
 * metrics-server: the resource metrics API (`metrics.k8s.io/v1beta1`) behind `kubectl top` and
 * HorizontalPodAutoscalers. It scrapes every kubelet and is registered with the API server as an
 * aggregated APIService.
 *
 * Only one can run per cluster: clusters that already ship one (EKS add-on, GKE, AKS, k3s) own
 * `v1beta1.metrics.k8s.io`, and applying this would take it over. The auth-reader RoleBinding is
 * emitted in `kube-system`, where its Role lives, whatever `namespace` is.
 */
export class MetricsServer extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  /** The Service `metrics-server`, port 443, that the APIService points at. */
  readonly service: k8s.KubeService;
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly apiService: k8s.KubeApiService;
  /** `system:aggregated-metrics-reader`: lets view/edit/admin read the metrics API. */
  readonly aggregatedReader: k8s.KubeClusterRole;
  /** `system:metrics-server` and its binding: read nodes, pods and the kubelets' metrics. */
  readonly access: ClusterAccess;
  /** `metrics-server:system:auth-delegator`: lets it check callers' tokens and permissions. */
  readonly authDelegator: k8s.KubeClusterRoleBinding;
  /** `metrics-server-auth-reader` in kube-system: reads the client CA of the API server's requests. */
  readonly authReader: k8s.KubeRoleBinding;

  constructor(scope: Construct, id: string, props: MetricsServerProps) {
    super(scope, id);
    const replicas = props.replicas ?? 1;
    const resolution = props.metricResolution ?? '15s';
    validate(this, props, replicas, resolution);
    const image = props.image ?? IMAGES.metricsServer;
    this.identity = collectorIdentity('metrics-server', 'server', NAME, props.namespace, image);

    this.service = createService(this, 'Service', {
      identity: this.identity,
      name: NAME,
      ports: [{ name: PORT.name, port: SERVICE_PORT, targetPort: PORT.name }],
    });
    this.serviceAccount = createServiceAccount(this, 'ServiceAccount', this.identity, NAME);
    this.apiService = this.emitApiService();
    this.aggregatedReader = this.emitAggregatedReader();
    this.access = clusterRoleFor(
      this,
      'ClusterRole',
      this.identity,
      NAME,
      [
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
      'system:metrics-server',
    );
    this.authDelegator = new k8s.KubeClusterRoleBinding(this, 'AuthDelegator', {
      metadata: { name: `${NAME}:system:auth-delegator`, labels: this.identity.labels },
      roleRef: clusterRoleRef('system:auth-delegator'),
      subjects: [serviceAccountSubject(this.identity, NAME)],
    });
    this.authReader = new k8s.KubeRoleBinding(this, 'AuthReader', {
      // The Role and the extension-apiserver-authentication ConfigMap it grants live in kube-system.
      metadata: { name: `${NAME}-auth-reader`, namespace: 'kube-system', labels: this.identity.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      subjects: [serviceAccountSubject(this.identity, NAME)],
    });
    this.workload = this.emitDeployment(props, image, replicas, resolution);
  }

  private emitDeployment(props: MetricsServerProps, image: ImageRef, replicas: number, resolution: string): Workload {
    const probe = (path: string, timing: Partial<k8s.Probe>): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromString(PORT.name), scheme: 'HTTPS' },
      periodSeconds: 10,
      failureThreshold: 3,
      ...timing,
    });
    return new Workload(this, 'Workload', {
      kind: 'Deployment',
      identity: this.identity,
      replicas,
      podIdentity: { runAsUser: UID, runAsGroup: UID, fsGroup: UID },
      serviceAccountName: NAME,
      // It reads nodes and pods and delegates authentication with the ServiceAccount's token.
      automountServiceAccountToken: true,
      ...podOptions(props),
      // A new pod is ready before an old one goes, so the metrics API never has no backend.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
      containers: [
        withOptions(props, {
          name: 'metrics-server',
          image,
          args: [
            // Self-signed serving certificates go to /tmp, the writable emptyDir of the read-only root.
            '--cert-dir=/tmp',
            `--secure-port=${PORT.port}`,
            '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
            '--kubelet-use-node-status-port',
            `--metric-resolution=${resolution}`,
            ...(props.kubeletInsecureTls ? ['--kubelet-insecure-tls'] : []),
          ],
          ports: [{ name: PORT.name, containerPort: PORT.port }],
          readinessProbe: probe('/readyz', { initialDelaySeconds: 20 }),
          livenessProbe: probe('/livez', {}),
          defaultResources: { requests: { cpu: '100m', memory: '200Mi' }, limits: { memory: '512Mi' } },
        }),
      ],
    });
  }

  private emitApiService(): k8s.KubeApiService {
    return new k8s.KubeApiService(this, 'ApiService', {
      metadata: { name: 'v1beta1.metrics.k8s.io', labels: this.identity.labels },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        // Where the Service really is: an APIService left pointing at kube-system breaks `kubectl top` and HPAs.
        service: { name: NAME, namespace: this.identity.namespace },
        // metrics-server serves a self-signed certificate; a caBundle would need certificate management.
        insecureSkipTlsVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });
  }

  private emitAggregatedReader(): k8s.KubeClusterRole {
    const aggregate = Object.fromEntries(['view', 'edit', 'admin'].map((r) => [`rbac.authorization.k8s.io/aggregate-to-${r}`, 'true']));
    return new k8s.KubeClusterRole(this, 'AggregatedReader', {
      metadata: { name: 'system:aggregated-metrics-reader', labels: { ...this.identity.labels, ...aggregate } },
      rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
    });
  }
}

function validate(scope: Construct, props: MetricsServerProps, replicas: number, resolution: string): void {
  const v = new Validator(scope);
  checkCollectorBasics(v, props.namespace, props, replicas, IMAGES.metricsServer);
  const ms = parseGoDuration(resolution);
  if (
    v.check(ms !== undefined, 'metricResolution', resolution, 'is not a Go duration', 'write it as "15s" or "1m"') &&
    v.check(
      ms! >= 10_000,
      'metricResolution',
      resolution,
      'is shorter than the 10s metrics-server accepts (it refuses to start)',
      'set it to "10s" or longer; "15s" is the upstream default',
    )
  ) {
    // metrics-server also refuses a resolution whose 90% is below the kubelet request timeout.
    const timeoutArg = (props.extraArgs ?? [])
      .map((a) => /^--kubelet-request-timeout=(.+)$/.exec(a)?.[1])
      .filter(Boolean)
      .pop();
    const timeoutMs = timeoutArg !== undefined ? parseGoDuration(timeoutArg) : DEFAULT_KUBELET_TIMEOUT_MS;
    if (timeoutMs !== undefined) {
      const needed = Math.ceil((timeoutMs * 10) / 9 / 1000);
      v.check(
        (ms! * 9) / 10 >= timeoutMs,
        'metricResolution',
        resolution,
        `leaves less than the kubelet request timeout (${timeoutArg ?? '10s'}) plus 10%, so metrics-server refuses to start`,
        `set it to "${needed}s" or longer, or lower --kubelet-request-timeout`,
      );
    }
  }
  v.throwIfAny();
}
