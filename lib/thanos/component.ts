import { Construct, IConstruct } from 'constructs';
import { ThanosGrpcTls, grpcServerTlsFlags, grpcTlsVolume, thanosGrpcTlsOf } from './grpc-tls';
import { k8s } from '../core/k8s';
import { ContainerDefinition } from '../core/pod';
import { imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { ResourceRequirements } from '../core/resources';
import { createService, createServiceAccount } from '../core/service';
import { VolumeClaim, Workload, podOptions, withOptions } from '../core/workload';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { Validator } from '../core/errors';
import {
  SERVING_CERT_FILE,
  SERVING_KEY_FILE,
  ServingCertificate,
  WebConfigFile,
  toolkitHttps,
  servingSecretName,
  servingTlsOf,
  checkPlatformTrust,
} from '../core/serving-tls';
import {
  PORT_NAMES,
  THANOS_POD_IDENTITY,
  ThanosBucketAccess,
  ThanosComponentOptions,
  ThanosListeners,
  commonFlags,
  thanosImage,
  thanosPorts,
  thanosProbes,
} from './common';
import { ThanosBucket } from './bucket';

/** Where a Thanos component runs: what every component construct's props start with. */
export interface ThanosComponentProps extends ThanosComponentOptions {
  /** Namespace of every object. */
  readonly namespace: string;
  /** Instance name, the prefix of every object name (`<name>-query`). @default "thanos" */
  readonly name?: string;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
}

/** The identity of one component of a Thanos instance. */
export function thanosIdentity(props: ThanosComponentProps, component: string, clusterDomain?: string): ComponentIdentity {
  return new ComponentIdentity({
    app: 'thanos',
    instance: props.name ?? 'thanos',
    component,
    namespace: props.namespace,
    version: imageVersion(thanosImage(props)),
    clusterDomain,
  });
}

/**
 * One Thanos container: a component's own, or a sidecar next to Prometheus.
 * @internal
 */
export interface ThanosContainerSpec {
  /** @default "thanos" */
  readonly name?: string;
  /** The sub-command and its own flags; the shared listen, log and memory flags are added. */
  readonly subcommand: string;
  readonly flags: readonly string[];
  readonly options: ThanosComponentOptions;
  readonly defaultResources: ResourceRequirements;
  /** The bucket the component reads or writes: its flag, key env and mount are added. @default none */
  readonly bucket?: ThanosBucket;
  /** What the component does with the bucket, for its cloud role. @default "read" */
  readonly bucketAccess?: ThanosBucketAccess;
  /** Flags that depend on constructs made later, computed at synth (see {@link lateArgs}). @default none */
  readonly lateFlags?: () => readonly string[];
  readonly env?: readonly k8s.EnvVar[];
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /** @default gRPC and HTTP */
  readonly listeners?: ThanosListeners;
  /** Liveness failures tolerated (30 s apart). @default 4 */
  readonly livenessFailures?: number;
  /** The uid, when it must differ from the pod's. @default the pod's */
  readonly runAsUser?: number;
  /** Mutual TLS on its gRPC server (and for the clients the component makes of it). @default none */
  readonly grpcTls?: ThanosGrpcTls;
  /** HTTPS on its HTTP listeners: the web config and the certificate it serves. @default none */
  readonly https?: ThanosHttps;
}

/**
 * HTTPS on a component's HTTP port (the `--http.config` web config) and, on receive, on its
 * remote-write port (its own `--remote-write.server-tls-*` flags).
 * @internal
 */
export interface ThanosHttps {
  readonly webConfig: WebConfigFile;
  readonly certificate: ServingCertificate;
}

/** A Thanos container with the shared flags, ports, probes and bucket wiring. */
export function thanosContainer(spec: ThanosContainerSpec): ContainerDefinition {
  const { options, bucket } = spec;
  const tls = spec.grpcTls;
  const servesGrpc = spec.listeners?.grpc ?? true;
  const https = spec.https;
  const args = [
    spec.subcommand,
    ...commonFlags(options, spec.listeners),
    ...(tls && servesGrpc ? grpcServerTlsFlags() : []),
    ...(https ? [`--http.config=${WebConfigFile.PATH}`] : []),
    ...(https && spec.listeners?.remoteWrite
      ? [`--remote-write.server-tls-cert=${SERVING_CERT_FILE}`, `--remote-write.server-tls-key=${SERVING_KEY_FILE}`]
      : []),
    ...spec.flags,
    ...(bucket ? [bucket.flag] : []),
  ];
  return withOptions(options, {
    name: spec.name ?? 'thanos',
    image: thanosImage(options),
    args,
    lateArgs: spec.lateFlags,
    env: [...(spec.env ?? []), ...(bucket ? bucket.env() : [])],
    ports: thanosPorts(spec.listeners),
    volumeMounts: [
      ...(spec.volumeMounts ?? []),
      ...(bucket ? [bucket.mount] : []),
      ...(tls ? [grpcTlsVolume(tls).mount] : []),
      ...(https ? [https.webConfig.mount, https.certificate.mount] : []),
    ],
    ...thanosProbes(spec.livenessFailures, https ? 'HTTPS' : 'HTTP'),
    defaultResources: spec.defaultResources,
    runAsUser: spec.runAsUser,
  });
}

/**
 * What differs between the workloads of the Thanos components.
 * @internal
 */
export interface ThanosWorkloadSpec extends ThanosContainerSpec {
  readonly identity: ComponentIdentity;
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly replicas: number;
  readonly volumes?: readonly k8s.Volume[];
  /** StatefulSet claims; the governing Service is always `<name>-headless`. @default none */
  readonly volumeClaims?: readonly VolumeClaim[];
  readonly configChecksums?: readonly string[];
  readonly terminationGracePeriodSeconds?: number;
  readonly extraPodLabels?: Readonly<Record<string, string>>;
  readonly disruptionBudget?: { readonly maxUnavailable: number } | false;
  /** The pods hold copies of the same data: no two on one node. @default false */
  readonly exclusiveNodes?: boolean;
  /**
   * The Services clients reach it by, for its HTTPS certificate.
   * @default its own Service and headless Service
   */
  readonly serviceNames?: { readonly names: readonly string[]; readonly headless: readonly string[] };
}

/**
 * Emits the ServiceAccount and the Deployment or StatefulSet of one Thanos component, with the
 * shared flags, ports, probes, bucket mount and security settings.
 */
export function thanosWorkload(scope: Construct, id: string, given: ThanosWorkloadSpec): Workload {
  // The cluster's mutual TLS, when it turned it on, for every component that speaks gRPC.
  const speaksGrpc = given.listeners?.grpc ?? true;
  const spec: ThanosWorkloadSpec = {
    ...given,
    grpcTls: given.grpcTls ?? (speaksGrpc ? thanosGrpcTlsOf(scope) : undefined),
    https: thanosHttps(scope, id, given),
  };
  const { identity, options, bucket } = spec;
  // A bucket served with the platform's CA is trusted by ca.crt of the component's own certificate.
  const v = new Validator(scope);
  checkPlatformTrust(v, scope, 'bucket', bucket?.storage.kind, bucket?.storage.platformCa);
  v.throwIfAny();
  if (bucket) bucket.serviceAccount(scope, `${id}ServiceAccount`, identity, spec.bucketAccess ?? 'read');
  else createServiceAccount(scope, `${id}ServiceAccount`, identity, identity.name);
  const common = {
    identity,
    replicas: spec.replicas,
    podIdentity: THANOS_POD_IDENTITY,
    serviceAccountName: identity.name,
    ...podOptions(options),
    extraPodLabels: spec.extraPodLabels,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 120,
    disruptionBudget: spec.disruptionBudget,
    exclusiveNodes: spec.exclusiveNodes,
    volumes: [
      ...(spec.volumes ?? []),
      ...(bucket ? [bucket.volume()] : []),
      ...(spec.grpcTls ? [grpcTlsVolume(spec.grpcTls).volume] : []),
      ...(spec.https ? [spec.https.webConfig.volume, spec.https.certificate.volume] : []),
    ],
    configChecksums: [...(spec.configChecksums ?? []), ...(bucket ? [bucket.checksum] : []), ...(spec.https ? [spec.https.webConfig.file.checksum] : [])],
    containers: [thanosContainer(spec)],
  };
  if (spec.kind === 'Deployment') return new Workload(scope, id, { ...common, kind: 'Deployment' });
  return new Workload(scope, id, { ...common, kind: 'StatefulSet', volumeClaims: spec.volumeClaims });
}

/** The web config and certificate of a component, when the components at `scope` serve HTTPS. */
function thanosHttps(scope: Construct, workloadId: string, spec: ThanosWorkloadSpec): ThanosHttps | undefined {
  if (!servingTlsOf(scope)) return undefined;
  const { identity } = spec;
  const names = spec.serviceNames ?? { names: [identity.name], headless: [identity.headlessName] };
  // Under a construct of the workload's own: receive makes several workloads in one scope.
  return toolkitHttps(new Construct(scope, `${workloadId}Https`), identity, names);
}

/** The ports of a Thanos Service: gRPC and HTTP, plus remote-write on receive. */
export function thanosServicePorts(listeners: ThanosListeners = {}): Array<{ name: string; port: number }> {
  return thanosPorts(listeners).map((p) => ({ name: p.name, port: p.containerPort }));
}

/**
 * A ClusterIP Service `<name>` for clients and, for StatefulSets, a headless twin `<name>-headless`
 * whose SRV records list every pod (StoreAPI discovery, per-pod DNS names).
 */
export function thanosServices(
  scope: Construct,
  identity: ComponentIdentity,
  options: { readonly listeners?: ThanosListeners; readonly clusterIp?: boolean; readonly headless?: boolean } = {},
): { service?: k8s.KubeService; headless?: k8s.KubeService } {
  const ports = thanosServicePorts(options.listeners);
  return {
    service: (options.clusterIp ?? true) ? createService(scope, 'Service', { identity, name: identity.name, ports }) : undefined,
    headless:
      (options.headless ?? true) ? createService(scope, 'HeadlessService', { identity, name: identity.headlessName, ports, headless: true }) : undefined,
  };
}

/** The scrape target of a component's headless Service: every pod's `/metrics` on the `http` port. */
export function thanosScrapeTarget(scope: IConstruct, identity: ComponentIdentity, headless: k8s.KubeService, clusterDomain: string): ScrapeTarget {
  const https = servingTlsOf(scope) ? { certificateSecret: servingSecretName(identity) } : undefined;
  return srvScrapeTarget(
    `${identity.instance}-${identity.component}`,
    PORT_NAMES.http,
    identity.serviceHost(headless.metadata.name!, clusterDomain),
    undefined,
    { https },
  );
}
