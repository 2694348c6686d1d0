import { IMAGES } from '../core/images';
import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { checkWorkloadOptions } from '../core/check-options';
import { Validator } from '../core/errors';
import { ComponentIdentity } from '../core/names';
import { httpProbe } from '../core/pod';
import { dnsLabel, namespaceName } from '../core/rules';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { ClusterAccess, clusterRoleFor, collectorIdentity } from './rbac';
import { checkClusterDomain } from '../core/cluster-domain';
import { clusterDomainOf } from '../core/cluster-domain';
import { WebConfigFile, toolkitHttps } from '../core/serving-tls';

const PORTS = { metrics: { name: 'http-metrics', port: 8080 }, telemetry: { name: 'telemetry', port: 8081 } } as const;
const NOBODY = 65534;

/**
 * Every resource kube-state-metrics v2.20.0 can watch (the keys of its `availableStores`), with
 * the API group it lives in. `--resources` and the ClusterRole are both derived from this one
 * table, so the exporter is never denied a list it was told to make, nor granted one it does not.
 */
export const KSM_RESOURCE_GROUPS: Readonly<Record<string, string>> = {
  configmaps: '',
  endpoints: '',
  limitranges: '',
  namespaces: '',
  nodes: '',
  persistentvolumeclaims: '',
  persistentvolumes: '',
  pods: '',
  replicationcontrollers: '',
  resourcequotas: '',
  secrets: '',
  serviceaccounts: '',
  services: '',
  daemonsets: 'apps',
  deployments: 'apps',
  replicasets: 'apps',
  statefulsets: 'apps',
  cronjobs: 'batch',
  jobs: 'batch',
  horizontalpodautoscalers: 'autoscaling',
  poddisruptionbudgets: 'policy',
  certificatesigningrequests: 'certificates.k8s.io',
  endpointslices: 'discovery.k8s.io',
  leases: 'coordination.k8s.io',
  ingresses: 'networking.k8s.io',
  ingressclasses: 'networking.k8s.io',
  networkpolicies: 'networking.k8s.io',
  storageclasses: 'storage.k8s.io',
  volumeattachments: 'storage.k8s.io',
  mutatingadmissionpolicies: 'admissionregistration.k8s.io',
  mutatingadmissionpolicybindings: 'admissionregistration.k8s.io',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io',
  validatingadmissionpolicies: 'admissionregistration.k8s.io',
  validatingadmissionpolicybindings: 'admissionregistration.k8s.io',
  validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  clusterroles: 'rbac.authorization.k8s.io',
  clusterrolebindings: 'rbac.authorization.k8s.io',
  roles: 'rbac.authorization.k8s.io',
  rolebindings: 'rbac.authorization.k8s.io',
};

/**
 * The upstream default set minus `secrets` and `configmaps` (cluster-wide read of every Secret's
 * metadata is more than dashboards need) and minus the admission policies and webhooks (the GA
 * MutatingAdmissionPolicy API is missing on older API servers, whose list calls would fail forever).
 */
export const KSM_DEFAULT_RESOURCES: readonly string[] = [
  'certificatesigningrequests',
  'cronjobs',
  'daemonsets',
  'deployments',
  'endpointslices',
  'horizontalpodautoscalers',
  'ingresses',
  'jobs',
  'leases',
  'limitranges',
  'namespaces',
  'networkpolicies',
  'nodes',
  'persistentvolumeclaims',
  'persistentvolumes',
  'poddisruptionbudgets',
  'pods',
  'replicasets',
  'replicationcontrollers',
  'resourcequotas',
  'services',
  'statefulsets',
  'storageclasses',
  'volumeattachments',
];

/** Props of {@link KubeStateMetrics}. */
export interface KubeStateMetricsProps extends WorkloadOptions {
  /** Namespace of every namespaced object. */
  readonly namespace: string;
  /**
   * Name of the Deployment, Service, ServiceAccount, and of the cluster-scoped ClusterRole and
   * binding (so it must be unique in the cluster, not only in the namespace).
   * @default "kube-state-metrics"
   */
  readonly name?: string;
  /**
   * The API resources whose objects become metrics (`--resources`); the ClusterRole grants list
   * and watch on exactly these. Names as in {@link KSM_RESOURCE_GROUPS}.
   * @default KSM_DEFAULT_RESOURCES
   */
  readonly collectedResources?: readonly string[];
  /** Cluster DNS domain, for the scrape targets. @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * kube-state-metrics: one pod that watches the API server and turns the state of objects into
 * metrics (`kube_pod_status_phase`, `kube_deployment_status_replicas_available`, ...). The one
 * replica is enough: the pod holds no state and restarts in seconds; two would double every series.
 */
export class KubeStateMetrics extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  /** The headless Service `<name>` with both ports. */
  readonly service: k8s.KubeService;
  readonly serviceAccount: k8s.KubeServiceAccount;
  /** The ClusterRole and its binding, derived from {@link collectedResources}. */
  readonly access: ClusterAccess;
  /** The resources it watches, sorted. */
  readonly collectedResources: readonly string[];
  /** Object metrics (job `<name>`) and its own telemetry (job `<name>-self`). */
  readonly scrapeTargets: readonly ScrapeTarget[];

  constructor(scope: Construct, id: string, props: KubeStateMetricsProps) {
    super(scope, id);
    const name = props.name ?? 'kube-state-metrics';
    this.collectedResources = [...new Set(props.collectedResources ?? KSM_DEFAULT_RESOURCES)].sort();
    validate(this, props, name, this.collectedResources);
    const image = props.image ?? IMAGES.kubeStateMetrics;
    this.identity = collectorIdentity('kube-state-metrics', 'exporter', name, props.namespace, image);

    const ports = [PORTS.metrics, PORTS.telemetry];
    this.service = createService(this, 'Service', { identity: this.identity, name, headless: true, ports });
    this.serviceAccount = createServiceAccount(this, 'ServiceAccount', this.identity, name);
    // Cluster-scoped names are shared by every namespace: prefix the namespace.
    this.access = clusterRoleFor(this, 'ClusterRole', this.identity, name, rulesFor(this.collectedResources), `${props.namespace}-${name}`);
    // With serving TLS both ports serve HTTPS from one web config (`--tls-config`).
    const https = toolkitHttps(this, this.identity, { names: [], headless: [name] });
    const scheme = https ? 'HTTPS' : 'HTTP';
    this.workload = new Workload(this, 'Workload', {
      kind: 'Deployment',
      identity: this.identity,
      replicas: 1,
      podIdentity: { runAsUser: NOBODY, runAsGroup: NOBODY, fsGroup: NOBODY },
      serviceAccountName: name,
      // It lists and watches the API server with the ServiceAccount's token.
      automountServiceAccountToken: true,
      ...podOptions(props),
      volumes: https ? [...https.volumes] : undefined,
      configChecksums: https ? [https.webConfig.file.checksum] : undefined,
      containers: [
        withOptions(props, {
          name: 'kube-state-metrics',
          image,
          args: [
            `--port=${PORTS.metrics.port}`,
            `--telemetry-port=${PORTS.telemetry.port}`,
            `--resources=${this.collectedResources.join(',')}`,
            ...(https ? [`--tls-config=${WebConfigFile.PATH}`] : []),
          ],
          ports: ports.map((p) => ({ name: p.name, containerPort: p.port })),
          volumeMounts: https ? [...https.mounts] : undefined,
          livenessProbe: httpProbe('/livez', PORTS.metrics.name, { initialDelaySeconds: 5, timeoutSeconds: 5, scheme }),
          // 503 until the first metrics are gathered, so a restarting pod is not scraped half-empty.
          readinessProbe: httpProbe('/readyz', PORTS.telemetry.name, { initialDelaySeconds: 5, timeoutSeconds: 5, scheme }),
          defaultResources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
        }),
      ],
    });
    const host = this.identity.serviceHost(name, clusterDomainOf(this, props.clusterDomain));
    const serving = https ? { certificateSecret: https.certificate.secretName } : undefined;
    this.scrapeTargets = [
      // Its series describe other objects: their namespace, pod and job labels must survive the scrape.
      srvScrapeTarget(name, PORTS.metrics.name, host, undefined, { honorLabels: true, https: serving }),
      srvScrapeTarget(`${name}-self`, PORTS.telemetry.name, host, undefined, { https: serving }),
    ];
  }
}

/** One read-only rule per API group, covering exactly the given resources. */
export function rulesFor(resources: readonly string[]): k8s.PolicyRule[] {
  const byGroup = new Map<string, string[]>();
  for (const r of resources) byGroup.set(KSM_RESOURCE_GROUPS[r], [...(byGroup.get(KSM_RESOURCE_GROUPS[r]) ?? []), r]);
  return [...byGroup.keys()].sort().map((group) => ({ apiGroups: [group], resources: byGroup.get(group)!.sort(), verbs: ['list', 'watch'] }));
}

function validate(scope: Construct, props: KubeStateMetricsProps, name: string, resources: readonly string[]): void {
  const v = new Validator(scope);
  v.apply('name', name, dnsLabel(name));
  v.apply('namespace', props.namespace, namespaceName(props.namespace));
  checkClusterDomain(v, props.clusterDomain);
  v.check(
    resources.length > 0,
    'collectedResources',
    props.collectedResources,
    'is empty, so kube-state-metrics would export nothing',
    'list at least one resource, or leave it unset for the default set',
  );
  for (const r of resources) {
    v.check(
      Object.prototype.hasOwnProperty.call(KSM_RESOURCE_GROUPS, r),
      'collectedResources',
      r,
      'is not a resource kube-state-metrics v2.20.0 knows (names are lower-case plurals)',
      `use one of: ${Object.keys(KSM_RESOURCE_GROUPS).sort().join(', ')}`,
    );
  }
  const override = (props.extraArgs ?? []).find((a) => /^--?resources(=|$)/.test(a));
  v.check(
    override === undefined,
    'extraArgs',
    override,
    'sets --resources, which the ClusterRole would not follow (list calls would be denied)',
    'set collectedResources instead; the flag and the ClusterRole are derived from it',
  );
  checkWorkloadOptions(v, '', props, IMAGES.kubeStateMetrics);
  v.throwIfAny();
}
