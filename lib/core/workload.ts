import { Construct } from 'constructs';
import { k8s } from './k8s';
import { guardNameCollisions, ownerPath } from './collisions';
import { Validator } from './errors';
import { volumeSize } from './rules';
import { ImageRef } from './images';
import { ComponentIdentity } from './names';
import { ContainerDefinition, HostAccess, PodOverrides, PodTemplateProps, SchedulingOptions, restrictedPodTemplate } from './pod';
import { isLateArgs, lateArgs, mergeArgs, mergeEnv } from './args';
import { registerAppCheck } from './app-checks';
import { addressCheck } from './address-check';
import { readAsBuilt, rememberAsBuilt } from './as-built';
import { PodNetworkPolicy, podNetworkPolicy } from './network-policy';
import { clusterDomainOf } from './cluster-domain';
import { ValidationProblem } from './errors';
import { ApiObject, Chart, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ResourceRequirements } from './resources';

/** The escape hatches every workload of every component offers. */
export interface WorkloadOptions {
  /** CPU and memory requests and limits. @default per component */
  readonly resources?: ResourceRequirements;
  /** Extra command-line flags; a flag the library sets is replaced by the one given here. @default none */
  readonly extraArgs?: readonly string[];
  /** Extra environment variables; one with a generated name replaces it. @default none */
  readonly extraEnv?: readonly k8s.EnvVar[];
  /** Node selector, tolerations, affinity, topology spread. @default spread over nodes and zones */
  readonly scheduling?: SchedulingOptions;
  /** Extra pod annotations. @default none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Image override. @default the pinned image of the component */
  readonly image?: ImageRef;
  /** Additions to the pods: pull secrets, labels, volumes and mounts, envFrom, sidecars, init containers. @default none */
  readonly pod?: PodOverrides;
}

/**
 * The pod-level escape hatches of a component's options as {@link Workload} takes them: the one
 * place they are mapped, so that every component applies them alike.
 */
export function podOptions(options: WorkloadOptions): {
  podAnnotations?: Readonly<Record<string, string>>;
  overrides?: PodOverrides;
  scheduling?: SchedulingOptions;
} {
  return { podAnnotations: options.podAnnotations, overrides: options.pod, scheduling: options.scheduling };
}

/** A component's main container before its options are applied: resources are a default here. */
export interface OptionsContainer extends Omit<ContainerDefinition, 'resources'> {
  /** Requests and limits unless the options set `resources`. */
  readonly defaultResources: ResourceRequirements;
  /** Flags that depend on constructs made later, appended to `args` at synth (see {@link lateArgs}). @default none */
  readonly lateArgs?: () => readonly string[];
}

/**
 * A component's main container with the container-level escape hatches of its options applied:
 * the image override, extra args (one replaces a generated flag of the same name), extra env and
 * resources. The one place they are mapped, as {@link podOptions} is for the pod's.
 */
export function withOptions(options: WorkloadOptions, container: OptionsContainer): ContainerDefinition {
  const { defaultResources, lateArgs: late, ...rest } = container;
  const noArgs = container.args === undefined && !late && !options.extraArgs?.length;
  const args = (extra: readonly string[]) => mergeArgs([...(container.args ?? []), ...extra], options.extraArgs);
  return {
    ...rest,
    image: options.image ?? container.image,
    args: noArgs ? undefined : late ? lateArgs(() => args(late())) : args([]),
    env: mergeEnv(container.env ?? [], options.extraEnv),
    resources: options.resources ?? defaultResources,
  };
}

/** A PersistentVolumeClaim template of a StatefulSet. */
export interface VolumeClaim {
  /** Claim name; mounted by that name. */
  readonly name: string;
  /** Requested size, e.g. `10Gi`. */
  readonly size: string;
  /** Storage class. @default the cluster default */
  readonly storageClass?: string;
}

/** What every kind of workload built by {@link Workload} takes. */
export interface WorkloadCommon extends PodTemplateProps {
  /** PodDisruptionBudget; `false` for none. @default maxUnavailable 1 when replicas > 1 */
  readonly disruptionBudget?: { readonly maxUnavailable: number } | false;
  /** Seconds a new pod must stay ready before the rollout moves on. @default 0 (the API default) */
  readonly minReadySeconds?: number;
  /**
   * A HorizontalPodAutoscaler owns the replica count: `spec.replicas` is left out so that an apply
   * does not reset what the autoscaler chose. `replicas` then only sizes the defaults (spread, PDB).
   * @default false
   */
  readonly autoscaled?: boolean;
  /**
   * Ports on addresses outside the cluster that the program reaches whatever its config names
   * (notification services, plugin catalogs): its NetworkPolicy admits them to any address.
   * @default none (only what the app's configs name)
   */
  readonly outsidePorts?: readonly number[];
}

/** A Deployment built by {@link Workload}. */
export interface DeploymentWorkloadProps extends WorkloadCommon {
  readonly kind: 'Deployment';
  /** @default RollingUpdate 25% / 25% */
  readonly strategy?: k8s.DeploymentStrategy;
}

/** A StatefulSet built by {@link Workload}, with its volume claim templates. */
export interface StatefulSetWorkloadProps extends WorkloadCommon {
  readonly kind: 'StatefulSet';
  /** The headless Service that gives each pod its DNS name. @default the identity's `headlessName` */
  readonly serviceName?: string;
  /** PVC templates. Claims are retained when the set is deleted or scaled down. @default none */
  readonly volumeClaims?: readonly VolumeClaim[];
  /** @default Parallel (the programs this library runs form their own rings and need no ordering) */
  readonly podManagementPolicy?: 'Parallel' | 'OrderedReady';
}

/** A DaemonSet built by {@link Workload}. */
export interface DaemonSetWorkloadProps extends WorkloadCommon {
  /** One pod per node; `replicas` only sizes the defaults and should be 1. */
  readonly kind: 'DaemonSet';
}

/** Props of {@link Workload}, by kind. */
export type WorkloadProps = DeploymentWorkloadProps | StatefulSetWorkloadProps | DaemonSetWorkloadProps;

/**
 * The one builder of Deployments and StatefulSets: a restricted pod template (see
 * {@link restrictedPodTemplate}), a selector of stable labels only, a PodDisruptionBudget, and for
 * stateful sets volume claims that are kept when the set is deleted or scaled down.
 */
export class Workload extends Construct {
  /** The emitted Deployment or StatefulSet. */
  readonly apiObject: k8s.KubeDeployment | k8s.KubeStatefulSet | k8s.KubeDaemonSet;
  /** The emitted PodDisruptionBudget, when there is one. */
  readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  readonly identity: ComponentIdentity;
  /** Pods it runs (for an autoscaled one, the minimum the defaults were sized for). */
  readonly replicas: number;
  /** The NetworkPolicy of its pods, unless policies are off or the pods use the node's network. */
  readonly networkPolicy?: PodNetworkPolicy;
  /** The host access its pods declare, if any. */
  readonly hostAccess?: HostAccess;

  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    guardNameCollisions(this);
    this.identity = props.identity;
    this.replicas = props.replicas;
    this.hostAccess = props.hostAccess;
    if (props.hostAccess) registerAppCheck(this, 'host-access-admission', hostAccessAdmission);
    registerAppCheck(this, 'addresses-resolve', libraryAddresses);
    const metadata = { name: props.identity.name, namespace: props.identity.namespace, labels: props.identity.labels };
    const selector = { matchLabels: props.identity.selector };
    const template = restrictedPodTemplate(props);
    checkPodOverrides(this, props, template);
    const replicas = props.autoscaled ? undefined : props.replicas;
    const serviceName = props.kind === 'StatefulSet' ? (props.serviceName ?? props.identity.headlessName) : undefined;

    if (props.kind === 'DaemonSet') {
      // Nodes are replaced one at a time, and a node's agent is only gone while its pod restarts.
      this.apiObject = new k8s.KubeDaemonSet(this, 'Resource', {
        metadata,
        spec: {
          selector,
          template,
          minReadySeconds: props.minReadySeconds,
          revisionHistoryLimit: 10,
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        },
      });
    } else if (props.kind === 'Deployment') {
      this.apiObject = new k8s.KubeDeployment(this, 'Resource', {
        metadata,
        spec: { replicas, selector, template, strategy: props.strategy, minReadySeconds: props.minReadySeconds, revisionHistoryLimit: 10 },
      });
    } else {
      this.apiObject = new k8s.KubeStatefulSet(this, 'Resource', {
        metadata,
        spec: {
          replicas,
          serviceName: serviceName!,
          minReadySeconds: props.minReadySeconds,
          selector,
          template,
          podManagementPolicy: props.podManagementPolicy ?? 'Parallel',
          updateStrategy: { type: 'RollingUpdate' },
          volumeClaimTemplates: props.volumeClaims?.map((c) => this.claimTemplate(c)),
          // Never delete a user's data with the set: claims outlive deletion and scale-down.
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        },
      });
    }

    rememberAsBuilt(this.apiObject, () => ({
      kind: props.kind,
      metadata,
      spec: { serviceName, replicas, selector, template: { metadata: template.metadata, spec: withArgsResolved(template.spec) } },
    }));

    // Policies do not apply to pods on the node's network.
    if (!props.hostAccess?.hostNetwork) {
      this.networkPolicy = podNetworkPolicy(this, 'NetworkPolicy', {
        name: props.identity.name,
        namespace: props.identity.namespace,
        podSelector: props.identity.selector,
        labels: props.identity.labels,
        outsidePorts: props.outsidePorts,
      });
    }

    const budget = props.kind === 'DaemonSet' ? false : (props.disruptionBudget ?? (props.replicas > 1 ? { maxUnavailable: 1 } : false));
    if (budget) {
      this.disruptionBudget = new k8s.KubePodDisruptionBudget(this, 'Pdb', {
        metadata,
        spec: { selector, maxUnavailable: k8s.IntOrString.fromNumber(budget.maxUnavailable) },
      });
    }
  }

  private claimTemplate(claim: VolumeClaim): k8s.KubePersistentVolumeClaimProps {
    // The last line of defence: a component that forgot to check a size still never emits a bad one.
    const v = new Validator(this.node.scope ?? this);
    v.apply(`volumeClaims.${claim.name}.size`, claim.size, volumeSize(claim.size));
    v.throwIfAny();
    return {
      metadata: { name: claim.name, labels: this.identity.selector },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: claim.storageClass,
        resources: { requests: { storage: k8s.Quantity.fromString(claim.size) } },
      },
    };
  }
}

/** Every address the library's workloads are configured with names something the app has (see {@link addressCheck}). */
function libraryAddresses(root: IConstruct): ValidationProblem[] {
  const workloads = root.node.findAll().filter((c): c is Workload => c instanceof Workload);
  return addressCheck(
    root,
    workloads.map((w) => ({
      owner: w.node.scope ?? w,
      manifest: () => readAsBuilt(w.apiObject),
      // Some components take their chart's domain for their addresses and not into their identity.
      clusterDomains: [...new Set([w.identity.clusterDomain, clusterDomainOf(w)])],
    })),
  );
}

/** A pod spec with the args computed at synth ({@link lateArgs}) produced, as the address check reads them. */
function withArgsResolved(spec: k8s.PodSpec | undefined): unknown {
  const resolve = (c: k8s.Container) => (isLateArgs(c.args) ? { ...c, args: (c.args as unknown as Lazy).produce() } : c);
  return spec && { ...spec, containers: spec.containers.map(resolve), initContainers: spec.initContainers?.map(resolve) };
}

/** Pod Security levels that refuse host paths, host namespaces and root. */
const REFUSING_HOST_ACCESS = ['restricted', 'baseline'];

/**
 * A pod that needs host access, in a namespace its own chart labels "restricted" (or "baseline"),
 * is refused by admission: the DaemonSet would apply and never run a pod.
 */
function hostAccessAdmission(root: IConstruct): ValidationProblem[] {
  const workloads = root.node.findAll().filter((c): c is Workload => c instanceof Workload && c.hostAccess !== undefined);
  return workloads.flatMap((w) => {
    const chart = Chart.of(w);
    const ns = chart.node
      .findAll()
      .find((c): c is ApiObject => ApiObject.isApiObject(c) && c.kind === 'Namespace' && c.name === w.identity.namespace && Chart.of(c) === chart);
    const level = ns?.metadata.getLabel('pod-security.kubernetes.io/enforce');
    if (!ns || !level || !REFUSING_HOST_ACCESS.includes(level)) return [];
    return [
      {
        path: w.node.scope?.node.path ?? w.node.path,
        property: 'namespace',
        value: w.identity.namespace,
        problem: `is labelled Pod Security "${level}" by ${ownerPath(ns)}, which refuses the host access these pods need (${w.hostAccess!.reason}): admission would reject every pod`,
        fix: 'run it in a namespace of its own, made with new RestrictedNamespace(chart, id, name, "privileged") (which still warns and audits at "restricted")',
      },
    ];
  });
}

/**
 * The user's pod additions may not take what the component's pods already have: a label the
 * selectors or the standard labels use, or a volume or container name in use (either would
 * silently replace the component's own, or be refused by the API server).
 */
function checkPodOverrides(scope: IConstruct, props: WorkloadProps, template: k8s.PodTemplateSpec): void {
  const added = props.overrides;
  if (!added) return;
  const v = new Validator(scope);
  for (const key of Object.keys(added.labels ?? {})) {
    v.check(
      !(key in props.identity.labels),
      `pod.labels.${key}`,
      added.labels![key],
      'is one of the standard labels the library sets (the selectors use some of them)',
      'choose another label key',
    );
  }
  const duplicates = (names: readonly string[]) => names.filter((n, i) => names.indexOf(n) !== i);
  for (const name of duplicates((template.spec?.volumes ?? []).map((x) => x.name))) {
    v.check(false, 'pod.volumes', name, "is the name of a volume the component's pods already have", 'give the volume another name');
  }
  const containers = [...(template.spec?.initContainers ?? []), ...(template.spec?.containers ?? [])].map((c) => c.name);
  if (props.hostAccess?.runAsRoot) {
    for (const c of [...(added.extraContainers ?? []), ...(added.extraInitContainers ?? [])].filter((x) => !x.runAsUser)) {
      v.check(
        false,
        'pod.extraContainers',
        c.name,
        'runs in a pod whose uid is 0 (a node agent that reads root-only files), and would start as root or not at all',
        'set its runAsUser to the non-root uid of its image',
      );
    }
  }
  for (const name of duplicates(containers)) {
    v.check(false, 'pod.extraContainers', name, "is the name of a container the component's pods already have", 'give the container another name');
  }
  v.throwIfAny();
}
