import { Construct } from 'constructs';
import { admitClients } from '../core/network-policy';
import { k8s } from '../core/k8s';
import { AutoscalingOptions, checkAutoscaling } from '../core/autoscaling';
import { flagValue } from '../core/args';
import { checkReplicas, checkRequired, checkWorkloadOptions } from '../core/check-options';
import { Validator } from '../core/errors';
import { IMAGES } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { ResourceRequirements } from '../core/resources';
import { quantity } from '../core/rules';
import { ScrapeTarget } from '../core/scrape-target';
import { Workload } from '../core/workload';
import { VM_PORTS, VM_PORT_NAMES, VmComponentOptions, VmPlacement, checkDedupInterval, checkPlacement, vmIdentity } from './common';
import { vmHttps, vmScrapeTarget, vmServices, vmWorkload } from './component';
import { VmStorage } from './vmstorage';
import { clusterDomainOf } from '../core/cluster-domain';

/** What vminsert and vmselect share: stateless Deployments in front of the storage nodes. */
export interface VmFrontendOptions extends VmComponentOptions {
  /** Pods, when not autoscaled. @default 2 */
  readonly replicas?: number;
  /** A HorizontalPodAutoscaler, which then owns the replica count. @default none */
  readonly autoscaling?: AutoscalingOptions;
  /** PodDisruptionBudget; `false` for none. @default maxUnavailable 1 when there are 2 pods or more */
  readonly disruptionBudget?: { readonly maxUnavailable: number } | false;
}

/** What both take from the cluster. */
export interface VmFrontendProps extends VmFrontendOptions, VmPlacement {
  /** The storage nodes to write to or read from. */
  readonly storage: VmStorage;
  /** Copies of every sample across distinct nodes; the same on vminsert and vmselect. @default 1 */
  readonly replicationFactor?: number;
}

/** How vminsert is reached from outside the Kubernetes cluster, for agents in other clusters. */
export interface VmInsertExposure {
  /** The URL agents elsewhere reach vminsert at, e.g. `https://vminsert.metrics.example.com` (no path). */
  readonly externalUrl: string;
  /**
   * Make the vminsert Service a `LoadBalancer` with these annotations (an internal load balancer,
   * say). Leave unset when an Ingress or a gateway you run points at the Service instead.
   * @default the Service stays ClusterIP
   */
  readonly loadBalancerAnnotations?: Readonly<Record<string, string>>;
  /**
   * The address ranges agents reach vminsert from, as its pods see them: vminsert's NetworkPolicy
   * admits them on its port. With a load balancer that does not keep client addresses (an AWS NLB
   * with IP targets, by default), that is the range of the load balancer's subnets.
   * @default none; required with `loadBalancerAnnotations` while network policies are on
   */
  readonly allowedSources?: readonly string[];
}

/** Options of vminsert. */
export interface VmInsertOptions extends VmFrontendOptions {
  /** Reach vminsert from outside the cluster. @default in-cluster only */
  readonly exposure?: VmInsertExposure;
}

/** Props of {@link VmInsert}. */
export interface VmInsertProps extends VmFrontendProps, VmInsertOptions {}

/** Options of vmselect. */
export interface VmSelectOptions extends VmFrontendOptions {
  /** Size limit of the emptyDir for the rollup cache and temporary query results (`-cacheDataPath`). @default "2Gi" */
  readonly cacheSize?: string;
}

/** Props of {@link VmSelect}. */
export interface VmSelectProps extends VmFrontendProps, VmSelectOptions {
  /**
   * `-dedup.minScrapeInterval`: the same value as on vmstorage. With a replication factor above
   * one and no interval, `1ms` removes the copies replication makes.
   * @default "1ms" when replicationFactor > 1, else none
   */
  readonly dedupInterval?: string;
}

const CACHE_DIR = '/cache';

/** The Deployment, Services and autoscaler of vminsert or vmselect. */
export abstract class VmFrontend extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly service: k8s.KubeService;
  /** Where its metrics are scraped. */
  readonly scrapeTarget: ScrapeTarget;
  /** It serves HTTPS with a certificate from the platform's CA (serving TLS). */
  readonly https: boolean;
  protected readonly clusterDomain: string;
  private readonly port: number;

  protected constructor(
    scope: Construct,
    id: string,
    spec: {
      readonly component: 'vminsert' | 'vmselect';
      readonly props: VmFrontendProps;
      readonly port: number;
      readonly flags: readonly string[];
      readonly defaultResources: ResourceRequirements;
      readonly volumes?: readonly k8s.Volume[];
      readonly volumeMounts?: readonly k8s.VolumeMount[];
      readonly moreChecks?: (v: Validator) => void;
      readonly loadBalancerAnnotations?: Readonly<Record<string, string>>;
    },
  ) {
    super(scope, id);
    const { props } = spec;
    const image = props.image ?? IMAGES[spec.component];
    validateFrontend(this, spec.component, props, spec.defaultResources, spec.moreChecks);
    this.identity = vmIdentity(props, spec.component, image);
    this.clusterDomain = clusterDomainOf(this, props.clusterDomain);
    this.port = spec.port;
    const loadBalancer = spec.loadBalancerAnnotations;
    this.service = vmServices(this, this.identity, [{ name: VM_PORT_NAMES.http, port: spec.port }], {
      serviceType: loadBalancer ? 'LoadBalancer' : 'ClusterIP',
      serviceAnnotations: loadBalancer,
    }).service!;
    const https = vmHttps(this, this.identity);
    this.https = https !== undefined;
    this.workload = vmWorkload(this, 'Workload', {
      identity: this.identity,
      kind: 'Deployment',
      replicas: props.replicas ?? 2,
      image,
      options: props,
      httpPort: spec.port,
      flags: spec.flags,
      volumes: spec.volumes,
      volumeMounts: spec.volumeMounts,
      defaultResources: spec.defaultResources,
      terminationGracePeriodSeconds: 60,
      liveness: true,
      autoscaling: props.autoscaling,
      disruptionBudget: props.disruptionBudget,
      https,
    });
    this.scrapeTarget = vmScrapeTarget(this.identity, this.clusterDomain, https);
  }

  /** `http(s)://<service>:<port>`, the base of every URL this component serves. */
  protected get baseUrl(): string {
    return `${this.https ? 'https' : 'http'}://${this.identity.serviceHost(this.service.metadata.name!, this.clusterDomain)}:${this.port}`;
  }
}

/**
 * vminsert: takes writes under `/insert/<tenant>/...` and spreads each series over the storage
 * nodes by consistent hashing, writing `replicationFactor` copies to distinct nodes.
 */
export class VmInsert extends VmFrontend {
  constructor(scope: Construct, id: string, props: VmInsertProps) {
    requireStorage(scope, id, props);
    super(scope, id, {
      component: 'vminsert',
      props,
      port: VM_PORTS.vminsert,
      flags: [`-storageNode=${props.storage.insertNodes.join(',')}`, `-replicationFactor=${props.replicationFactor ?? 1}`],
      defaultResources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      loadBalancerAnnotations: props.exposure?.loadBalancerAnnotations,
    });
    const sources = props.exposure?.allowedSources;
    if (sources?.length) admitClients(this, this.baseUrl, [{ cidrs: sources }]);
  }

  /** The base URL of a tenant's writes: append `/prometheus/api/v1/write` and the like. */
  insertUrl(tenantPath: string): string {
    return `${this.baseUrl}/insert/${tenantPath}`;
  }
}

/**
 * vmselect: answers queries under `/select/<tenant>/...` by asking every storage node, and
 * merges the copies replication made.
 */
export class VmSelect extends VmFrontend {
  constructor(scope: Construct, id: string, props: VmSelectProps) {
    requireStorage(scope, id, props);
    const rf = props.replicationFactor ?? 1;
    const dedup = props.dedupInterval ?? (rf > 1 ? '1ms' : undefined);
    super(scope, id, {
      component: 'vmselect',
      props,
      port: VM_PORTS.vmselect,
      flags: [
        `-storageNode=${props.storage.selectNodes.join(',')}`,
        `-replicationFactor=${rf}`,
        // The default path is /tmp/searchResults; a volume of its own keeps it off the /tmp scratch space.
        `-cacheDataPath=${CACHE_DIR}`,
        ...(dedup ? [`-dedup.minScrapeInterval=${dedup}`] : []),
      ],
      defaultResources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      volumes: [{ name: 'cache', emptyDir: { sizeLimit: k8s.Quantity.fromString(props.cacheSize ?? '2Gi') } }],
      volumeMounts: [{ name: 'cache', mountPath: CACHE_DIR }],
      moreChecks: (v) => {
        if (props.cacheSize !== undefined) v.apply('cacheSize', props.cacheSize, quantity(props.cacheSize));
        checkDedupInterval(v, props.dedupInterval, 'write it as "1ms" or the scrape interval');
      },
    });
  }

  /** The Prometheus-compatible API root of a tenant: what Grafana's Prometheus datasource takes. */
  prometheusUrl(tenantPath: string): string {
    return `${this.baseUrl}/select/${tenantPath}/prometheus`;
  }

  /** A tenant's delete API (`/delete/<tenant>/prometheus`): append `/api/v1/admin/tsdb/delete_series`. */
  deleteUrl(tenantPath: string): string {
    return `${this.baseUrl}/delete/${tenantPath}/prometheus`;
  }
}

/**
 * The storage nodes are read while the flags are built, before the construct exists: a missing one
 * is reported under the path the construct would have had.
 */
function requireStorage(scope: Construct, id: string, props: VmFrontendProps): void {
  const v = new Validator(`${scope.node.path ? `${scope.node.path}/` : ''}${id}`);
  checkRequired(v, props, { storage: 'pass the VmStorage to write to or read from (or use VictoriaMetricsCluster)' });
  v.throwIfAny();
}

function validateFrontend(
  scope: Construct,
  component: string,
  props: VmFrontendProps,
  defaultResources: ResourceRequirements,
  moreChecks?: (v: Validator) => void,
): void {
  const v = new Validator(scope);
  checkPlacement(v, props, component);
  checkReplicas(v, 'replicas', props.replicas ?? 2);
  checkWorkloadOptions(v, '', props, IMAGES[component as 'vminsert' | 'vmselect']);
  if (props.autoscaling) checkAutoscaling(v, 'autoscaling', props.autoscaling, props.resources ?? defaultResources);
  // An extraArgs -replicationFactor replaces the generated one: check what is emitted.
  const fromArgs = flagValue(props.extraArgs, 'replicationFactor');
  const rf = fromArgs !== undefined ? Number(fromArgs) : (props.replicationFactor ?? 1);
  const rfProperty = fromArgs !== undefined ? 'extraArgs' : 'replicationFactor';
  if (v.check(Number.isInteger(rf) && rf >= 1, rfProperty, rf, 'is not a whole number of at least 1', 'set it to 1, 2 or 3')) {
    v.check(
      rf <= props.storage.replicas,
      rfProperty,
      rf,
      `is larger than the ${props.storage.replicas} storage nodes, so no sample could get that many copies on distinct nodes`,
      `add vmstorage replicas to at least ${rf}, or lower replicationFactor to ${props.storage.replicas} or less`,
    );
  }
  moreChecks?.(v);
  v.throwIfAny();
}
