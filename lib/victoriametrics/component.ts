import { SERVING_CERT_FILE, SERVING_KEY_FILE, ServingCertificate, ownCertificate } from '../core/serving-tls';
import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { AutoscalingOptions, createAutoscaler } from '../core/autoscaling';
import { ImageRef } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { ContainerDefinition, httpProbe, tcpProbe } from '../core/pod';
import { StorageUse, storageServiceAccount } from '../object-storage/usage';
import { ResourceRequirements } from '../core/resources';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { ServicePortSpec, createService, createServiceAccount } from '../core/service';
import { VolumeClaim, Workload, podOptions, withOptions } from '../core/workload';
import { VM_PORT_NAMES, VM_POD_IDENTITY, VmComponentOptions, vmCommonFlags } from './common';

/**
 * What differs between the workloads of the VictoriaMetrics programs.
 * @internal
 */
export interface VmWorkloadSpec {
  readonly identity: ComponentIdentity;
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly replicas: number;
  readonly image: ImageRef;
  readonly options: VmComponentOptions;
  /** The HTTP port; it serves `/health` and `/metrics`. */
  readonly httpPort: number;
  /** More container ports (vmstorage's RPC ports). @default none */
  readonly extraPorts?: ReadonlyArray<{ readonly name: string; readonly containerPort: number }>;
  /** The program's own flags; the listen and log flags are added. */
  readonly flags: readonly string[];
  readonly env?: readonly k8s.EnvVar[];
  readonly volumes?: readonly k8s.Volume[];
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  readonly volumeClaims?: readonly VolumeClaim[];
  readonly configChecksums?: readonly string[];
  readonly defaultResources: ResourceRequirements;
  readonly terminationGracePeriodSeconds: number;
  /**
   * Restart the container when its HTTP port stops answering. vmstorage goes without: it opens
   * its port only after the storage is open, which can take minutes, and a restart would only
   * start that over.
   */
  readonly liveness: boolean;
  readonly autoscaling?: AutoscalingOptions;
  readonly disruptionBudget?: { readonly maxUnavailable: number } | false;
  /** Mount the ServiceAccount token, for Kubernetes service discovery. @default false */
  readonly readsApi?: boolean;
  /** The pods hold copies of the same data: no two on one node. @default false */
  readonly exclusiveNodes?: boolean;
  /** Containers beside the program's, e.g. vmstorage's backup sidecar. @default none */
  readonly sidecars?: readonly ContainerDefinition[];
  /** Containers that run before the program's, e.g. vmstorage's restore. @default none */
  readonly initContainers?: readonly ContainerDefinition[];
  /** The pods read and write object storage: their ServiceAccount is that store's client. @default none */
  readonly storageUse?: StorageUse;
  /** Serve HTTPS from this certificate (`-tls`; VictoriaMetrics re-reads the files every second). @default plain HTTP */
  readonly https?: ServingCertificate;
}

/**
 * Emits the ServiceAccount, the Deployment or StatefulSet and, when asked, the autoscaler of one
 * VictoriaMetrics program, with the shared flags, probes and security settings.
 */
export function vmWorkload(scope: Construct, id: string, spec: VmWorkloadSpec): Workload {
  const { identity, options } = spec;
  if (spec.storageUse) storageServiceAccount(scope, `${id}ServiceAccount`, identity, identity.name, spec.storageUse);
  else createServiceAccount(scope, `${id}ServiceAccount`, identity, identity.name);
  const container = withOptions(options, {
    name: identity.component,
    image: spec.image,
    args: [
      ...vmCommonFlags(spec.httpPort, options),
      ...(spec.https ? ['-tls', `-tlsCertFile=${SERVING_CERT_FILE}`, `-tlsKeyFile=${SERVING_KEY_FILE}`, '-tlsMinVersion=TLS12'] : []),
      ...spec.flags,
    ],
    env: spec.env ?? [],
    ports: [{ name: VM_PORT_NAMES.http, containerPort: spec.httpPort }, ...(spec.extraPorts ?? [])],
    volumeMounts: [...(spec.volumeMounts ?? []), ...(spec.https ? [spec.https.mount] : [])],
    readinessProbe: httpProbe('/health', VM_PORT_NAMES.http, {
      initialDelaySeconds: 5,
      periodSeconds: 5,
      timeoutSeconds: 5,
      failureThreshold: 10,
      scheme: spec.https ? 'HTTPS' : 'HTTP',
    }),
    livenessProbe: spec.liveness
      ? tcpProbe(VM_PORT_NAMES.http, { initialDelaySeconds: 10, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4 })
      : undefined,
    defaultResources: spec.defaultResources,
  });
  const replicas = spec.autoscaling ? spec.autoscaling.minReplicas : spec.replicas;
  const common = {
    identity,
    replicas,
    autoscaled: spec.autoscaling !== undefined,
    podIdentity: VM_POD_IDENTITY,
    serviceAccountName: identity.name,
    automountServiceAccountToken: spec.readsApi,
    configChecksums: spec.configChecksums,
    ...podOptions(options),
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    disruptionBudget: spec.disruptionBudget,
    exclusiveNodes: spec.exclusiveNodes,
    // A pod must hold ready for a while before the next one is replaced.
    minReadySeconds: 5,
    volumes: [...(spec.volumes ?? []), ...(spec.https ? [spec.https.volume] : [])],
    containers: [container, ...(spec.sidecars ?? [])],
    initContainers: spec.initContainers,
  };
  const workload =
    spec.kind === 'Deployment'
      ? new Workload(scope, id, { ...common, kind: 'Deployment' })
      : new Workload(scope, id, { ...common, kind: 'StatefulSet', volumeClaims: spec.volumeClaims });
  if (spec.autoscaling) createAutoscaler(scope, `${id}Autoscaler`, identity, spec.autoscaling);
  return workload;
}

/**
 * The Services of one program: a ClusterIP `<name>` for clients and a headless `<name>-headless`
 * whose SRV records list every pod, for scraping (and for vmstorage, per-pod names).
 */
export function vmServices(
  scope: Construct,
  identity: ComponentIdentity,
  ports: readonly ServicePortSpec[],
  options: {
    readonly clusterIp?: boolean;
    readonly publishNotReadyAddresses?: boolean;
    readonly serviceType?: 'ClusterIP' | 'LoadBalancer';
    readonly serviceAnnotations?: Readonly<Record<string, string>>;
  } = {},
): { service?: k8s.KubeService; headless: k8s.KubeService } {
  let service: k8s.KubeService | undefined;
  if (options.clusterIp ?? true) {
    service = createService(scope, 'Service', { identity, name: identity.name, ports, type: options.serviceType, annotations: options.serviceAnnotations });
  }
  const headless = createService(scope, 'HeadlessService', {
    identity,
    name: identity.headlessName,
    ports,
    headless: true,
    publishNotReadyAddresses: options.publishNotReadyAddresses,
  });
  return { service, headless };
}

/**
 * The certificate a program serves its HTTP port with when serving TLS is on at `scope` (valid
 * for its Service and, through the headless Service, for each pod), else undefined. Only the HTTP
 * port: the RPC between vminsert, vmselect and vmstorage has no TLS in the open-source build.
 */
export function vmHttps(scope: Construct, identity: ComponentIdentity, options: { readonly clusterIp?: boolean } = {}): ServingCertificate | undefined {
  return ownCertificate(scope, identity, { names: options.clusterIp === false ? [] : [identity.name], headless: [identity.headlessName] });
}

/** Every pod's `/metrics` on the `http` port, through the headless Service. */
export function vmScrapeTarget(identity: ComponentIdentity, clusterDomain: string, https?: ServingCertificate): ScrapeTarget {
  return srvScrapeTarget(identity.name, VM_PORT_NAMES.http, identity.serviceHost(identity.headlessName, clusterDomain), undefined, {
    https: https ? { certificateSecret: https.secretName } : undefined,
  });
}
