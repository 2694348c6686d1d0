import { createHash } from 'node:crypto';
import { k8s } from './k8s';
import { isLateArgs } from './args';
import { ImageRef, imageName } from './images';
import { ComponentIdentity, OWN_PREFIX } from './names';
import { ResourceRequirements, toKubeResources } from './resources';

/** Where pods may run. Every workload of every component takes these. */
export interface SchedulingOptions {
  /** Node labels a node must carry. @default none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Taints the pods tolerate. @default none */
  readonly tolerations?: readonly k8s.Toleration[];
  /** Node and pod affinity. @default none (spreading is done by topology spread constraints) */
  readonly affinity?: k8s.Affinity;
  /**
   * Topology spread constraints.
   * @default spread over hostnames and zones with `ScheduleAnyway` when there is more than one replica
   */
  readonly topologySpreadConstraints?: readonly k8s.TopologySpreadConstraint[];
  /** Priority class of the pods. @default none */
  readonly priorityClassName?: string;
}

/** One container of a pod, before the library adds its security context. */
export interface ContainerDefinition {
  readonly name: string;
  readonly image: ImageRef;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly k8s.EnvVar[];
  readonly ports?: ReadonlyArray<{ readonly name: string; readonly containerPort: number }>;
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  readonly readinessProbe?: k8s.Probe;
  readonly livenessProbe?: k8s.Probe;
  readonly startupProbe?: k8s.Probe;
  readonly lifecycle?: k8s.Lifecycle;
  readonly resources?: ResourceRequirements;
  /** The uid of this container's image when it differs from the pod's (sidecars). @default the pod's */
  readonly runAsUser?: number;
  /** Environment from ConfigMaps or Secrets. @default none */
  readonly envFrom?: readonly k8s.EnvFromSource[];
}

/**
 * What a user adds to a component's pods: the same on every component, applied by the one pod
 * builder, so it behaves alike everywhere. Added containers get the same restricted security
 * context as the component's own.
 */
export interface PodOverrides {
  /** Secrets with credentials for a private registry (a mirror of the pinned images). @default none */
  readonly imagePullSecrets?: readonly string[];
  /** Labels added to the pods, never to the selectors. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Volumes added to the pods. @default none */
  readonly volumes?: readonly k8s.Volume[];
  /** Mounts added to each of the component's own containers (e.g. a CA bundle). @default none */
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /** Environment from ConfigMaps or Secrets, for each of the component's own containers. @default none */
  readonly envFrom?: readonly k8s.EnvFromSource[];
  /**
   * Containers added beside the component's (sidecars such as a proxy or a log shipper). They run
   * as non-root; in a pod that runs as root (a node agent), give each its `runAsUser`. @default none
   */
  readonly extraContainers?: readonly ContainerDefinition[];
  /** Containers that run to completion before the others, after the component's own. @default none */
  readonly extraInitContainers?: readonly ContainerDefinition[];
}

/** The identity a pod runs as: the image's own non-root uid, its group, and the volume group. */
export interface PodIdentity {
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
}

/** Everything a pod template is made of. */
export interface PodTemplateProps {
  readonly identity: ComponentIdentity;
  /** Used for the default topology spread. */
  readonly replicas: number;
  readonly podIdentity: PodIdentity;
  readonly containers: readonly ContainerDefinition[];
  /** Containers that run to completion before the others start. @default none */
  readonly initContainers?: readonly ContainerDefinition[];
  /** Volumes besides the /tmp emptyDir. @default none */
  readonly volumes?: readonly k8s.Volume[];
  /** Seconds between SIGTERM and SIGKILL: long enough for the program to flush. @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** Service account. @default "default" */
  readonly serviceAccountName?: string;
  /** Checksums of mounted config; any change rolls the pods. @default none */
  readonly configChecksums?: readonly string[];
  /** Annotations on the pod template, besides the config checksum. @default none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Labels added to the pod template only (never to the selector). @default none */
  readonly extraPodLabels?: Readonly<Record<string, string>>;
  /** Node selector, tolerations, affinity and topology spread. @default spread over nodes and zones when replicas > 1 */
  readonly scheduling?: SchedulingOptions;
  /** Mount an emptyDir at /tmp, since the root filesystem is read-only. @default true */
  readonly tmpVolume?: boolean;
  /** @default Always (the API default), Jobs use OnFailure */
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  /** Mount the ServiceAccount token, for programs that read the Kubernetes API. @default false */
  readonly automountServiceAccountToken?: boolean;
  /**
   * The host access a node agent cannot work without. Such a pod is below "restricted" and must
   * run in a namespace that allows it (see {@link HOST_ACCESS_ANNOTATION}). @default none
   */
  readonly hostAccess?: HostAccess;
  /** The user's additions to the pods (WorkloadOptions.pod). @default none */
  readonly overrides?: PodOverrides;
  /**
   * The pods hold copies of the same data (a replicated store): no two may run on one node, so a
   * node's loss takes at most one copy. A pod with no free node stays Pending, which the spread
   * alone would not prevent. The user's `scheduling.affinity` replaces it. Labels instead of
   * `true` name a group that spans workloads (every pod with those labels holds copies of the same
   * data): no two pods of the group share a node, however few each workload runs.
   * @default false
   */
  readonly exclusiveNodes?: boolean | Readonly<Record<string, string>>;
  /**
   * Zones the pods must run in, spread evenly over them (at most one pod more in any zone than in
   * another; a pod waits rather than break that), e.g. for zone-aware replication. The spread
   * counts the group `exclusiveNodes` names when it names one. The user's `scheduling` replaces
   * the affinity and the spread.
   * @default anywhere, spread over zones as a preference
   */
  readonly zones?: readonly string[];
}

/** What a node agent needs of its node, and why. Everything else stays as strict as "restricted". */
export interface HostAccess {
  /** Why the agent needs it, recorded on the pod for reviewers. */
  readonly reason: string;
  /** Read-only (unless `writable`) host directories, by volume name. */
  readonly hostPaths: ReadonlyArray<{ readonly name: string; readonly path: string; readonly writable?: boolean }>;
  /** The node's network namespace (node network metrics). @default false */
  readonly hostNetwork?: boolean;
  /** The node's process namespace (the node's mounts and processes). @default false */
  readonly hostPID?: boolean;
  /** Run as uid 0, to read files only root may read (container logs). Capabilities stay dropped. @default false */
  readonly runAsRoot?: boolean;
}

/** Annotation on a pod that needs host access, saying why. */
export const HOST_ACCESS_ANNOTATION = `${OWN_PREFIX}/host-access`;

/** Annotation carrying the checksum of every config file a pod mounts. */
export const CONFIG_CHECKSUM_ANNOTATION = `${OWN_PREFIX}/config-checksum`;

/**
 * The one place pod templates are made. Every pod meets the Pod Security Standard "restricted":
 * non-root with the image's uid, seccomp RuntimeDefault, no privilege escalation, all
 * capabilities dropped; and, beyond it, a read-only root filesystem with an emptyDir at /tmp.
 */
export function restrictedPodTemplate(props: PodTemplateProps): k8s.PodTemplateSpec {
  const annotations: Record<string, string> = { ...props.podAnnotations };
  const host = props.hostAccess;
  if (host) annotations[HOST_ACCESS_ANNOTATION] = host.reason;
  if (props.configChecksums && props.configChecksums.length > 0) {
    annotations[CONFIG_CHECKSUM_ANNOTATION] = createHash('sha256').update(props.configChecksums.join('\n')).digest('hex');
  }
  const withTmp = props.tmpVolume ?? true;
  const added = props.overrides ?? {};
  // The component's own containers get the user's mounts and envFrom; added containers keep theirs.
  const own = (c: ContainerDefinition): ContainerDefinition => ({
    ...c,
    volumeMounts: [...(c.volumeMounts ?? []), ...(added.volumeMounts ?? [])],
    envFrom: [...(c.envFrom ?? []), ...(added.envFrom ?? [])],
  });
  const hostVolumes = (host?.hostPaths ?? []).map((h) => ({ name: h.name, hostPath: { path: h.path, type: h.writable ? 'DirectoryOrCreate' : 'Directory' } }));
  const volumes = [...(props.volumes ?? []), ...hostVolumes, ...(withTmp ? [{ name: 'tmp', emptyDir: {} }] : []), ...(added.volumes ?? [])];
  const root = host?.runAsRoot ?? false;
  const scheduling = props.scheduling ?? {};
  return {
    metadata: {
      labels: { ...added.labels, ...props.identity.labels, ...props.extraPodLabels },
      annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    },
    spec: {
      serviceAccountName: props.serviceAccountName,
      automountServiceAccountToken: props.automountServiceAccountToken ?? false,
      hostNetwork: host?.hostNetwork || undefined,
      hostPid: host?.hostPID || undefined,
      // With the node's network, the pod must resolve cluster names through the cluster DNS still.
      dnsPolicy: host?.hostNetwork ? 'ClusterFirstWithHostNet' : undefined,
      enableServiceLinks: false,
      restartPolicy: props.restartPolicy,
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 30,
      securityContext: {
        runAsNonRoot: !root,
        runAsUser: props.podIdentity.runAsUser,
        runAsGroup: props.podIdentity.runAsGroup,
        fsGroup: props.podIdentity.fsGroup,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      },
      imagePullSecrets: added.imagePullSecrets?.map((name) => ({ name })),
      initContainers: orUndefined([
        ...(props.initContainers ?? []).map((c) => restrictedContainer(own(c), withTmp, root)),
        // Added containers never run as root, even beside a node agent that must.
        ...(added.extraInitContainers ?? []).map((c) => restrictedContainer(c, withTmp)),
      ]),
      containers: [
        ...props.containers.map((c) => restrictedContainer(own(c), withTmp, root)),
        ...(added.extraContainers ?? []).map((c) => restrictedContainer(c, withTmp)),
      ],
      volumes,
      // Every image the library runs is a Linux one: a Windows node would only ever fail to pull it.
      nodeSelector: { 'kubernetes.io/os': 'linux', ...scheduling.nodeSelector },
      tolerations: scheduling.tolerations ? [...scheduling.tolerations] : undefined,
      affinity: scheduling.affinity ?? withZones(oneCopyPerNode(props), props.zones),
      priorityClassName: scheduling.priorityClassName,
      topologySpreadConstraints: scheduling.topologySpreadConstraints
        ? [...scheduling.topologySpreadConstraints]
        : props.zones
          ? zoneSpread(props)
          : defaultSpread(props.identity, props.replicas),
    },
  };
}

function restrictedContainer(def: ContainerDefinition, withTmp: boolean, root = false): k8s.Container {
  const mounts = [...(def.volumeMounts ?? []), ...(withTmp ? [{ name: 'tmp', mountPath: '/tmp' }] : [])];
  return {
    name: def.name,
    image: imageName(def.image),
    imagePullPolicy: 'IfNotPresent',
    command: def.command ? [...def.command] : undefined,
    args: def.args === undefined || isLateArgs(def.args) ? (def.args as string[] | undefined) : [...def.args],
    env: def.env && def.env.length > 0 ? [...def.env] : undefined,
    envFrom: orUndefined([...(def.envFrom ?? [])]),
    ports: def.ports?.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })),
    volumeMounts: mounts,
    readinessProbe: def.readinessProbe,
    livenessProbe: def.livenessProbe,
    startupProbe: def.startupProbe,
    lifecycle: def.lifecycle,
    resources: toKubeResources(def.resources),
    securityContext: {
      runAsNonRoot: !root,
      runAsUser: def.runAsUser,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

function orUndefined<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}

/** Required anti-affinity on the node name: no two pods of the workload on one node. */
/** The anti-affinity of pods that hold copies of the same data: of this workload, or of the group the labels name. */
function oneCopyPerNode(props: Pick<PodTemplateProps, 'exclusiveNodes' | 'identity' | 'replicas'>): k8s.Affinity | undefined {
  const group = props.exclusiveNodes;
  if (!group || (group === true && props.replicas < 2)) return undefined;
  const matchLabels = group === true ? props.identity.selector : { ...group };
  return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels }, topologyKey: 'kubernetes.io/hostname' }] } };
}

/** The node label that names a node's zone (and, copied at binding, its pods'). */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** An affinity that also keeps the pods in `zones`. */
function withZones(affinity: k8s.Affinity | undefined, zones: readonly string[] | undefined): k8s.Affinity | undefined {
  if (!zones) return affinity;
  const inZones = { nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_LABEL, operator: 'In', values: [...zones] }] }] };
  return { ...affinity, nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: inZones } };
}

/** Zones strictly even (a pod waits rather than skew them), nodes as a preference; over the group if there is one. */
function zoneSpread(props: Pick<PodTemplateProps, 'exclusiveNodes' | 'identity'>): k8s.TopologySpreadConstraint[] {
  const group = typeof props.exclusiveNodes === 'object' ? { ...props.exclusiveNodes } : props.identity.selector;
  return [
    { maxSkew: 1, topologyKey: ZONE_LABEL, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: group } },
    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: group } },
  ];
}

/** Spread replicas over nodes and zones without ever leaving a pod Pending for it. */
function defaultSpread(identity: ComponentIdentity, replicas: number): k8s.TopologySpreadConstraint[] | undefined {
  if (replicas < 2) return undefined;
  return ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: identity.selector },
  }));
}

type ProbeTiming = Partial<Pick<k8s.Probe, 'initialDelaySeconds' | 'periodSeconds' | 'timeoutSeconds' | 'failureThreshold'>>;

/** An HTTP GET probe on a named container port (over HTTPS when the port serves it; the kubelet does not verify the certificate). */
export function httpProbe(path: string, port: string, timing: ProbeTiming & { readonly scheme?: 'HTTP' | 'HTTPS' } = {}): k8s.Probe {
  return {
    httpGet: { path, port: k8s.IntOrString.fromString(port), ...(timing.scheme === 'HTTPS' ? { scheme: 'HTTPS' } : {}) },
    initialDelaySeconds: timing.initialDelaySeconds ?? 10,
    periodSeconds: timing.periodSeconds ?? 10,
    timeoutSeconds: timing.timeoutSeconds ?? 1,
    failureThreshold: timing.failureThreshold ?? 3,
  };
}

/** A TCP probe on a named container port. */
export function tcpProbe(port: string, timing: ProbeTiming = {}): k8s.Probe {
  return {
    tcpSocket: { port: k8s.IntOrString.fromString(port) },
    initialDelaySeconds: timing.initialDelaySeconds ?? 5,
    periodSeconds: timing.periodSeconds ?? 10,
    timeoutSeconds: timing.timeoutSeconds ?? 1,
    failureThreshold: timing.failureThreshold ?? 3,
  };
}
