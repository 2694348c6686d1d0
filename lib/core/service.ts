import { Construct } from 'constructs';
import { k8s } from './k8s';
import { guardNameCollisions } from './collisions';
import { rememberAsBuilt } from './as-built';
import { Wiring } from './wiring';
import { ComponentIdentity, OWN_PREFIX } from './names';

/** Label naming the Service itself, so a ServiceMonitor can select exactly one Service. */
export const SERVICE_NAME_LABEL = `${OWN_PREFIX}/service`;

/** A Service port that forwards to a named container port. */
export interface ServicePortSpec {
  /** Port name; SRV lookups use it (`_<name>._tcp.<service>`). */
  readonly name: string;
  readonly port: number;
  /** The container port, by name (or by number for pods the library does not make). @default the same as `name` */
  readonly targetPort?: string | number;
}

/** What a Service is made of: its component, name, ports and how it selects pods. */
export interface ServiceSpec {
  readonly identity: ComponentIdentity;
  readonly name: string;
  readonly ports: readonly ServicePortSpec[];
  /** `clusterIP: None`, for per-pod DNS names and SRV records of every pod. @default false */
  readonly headless?: boolean;
  /** Publish pods before they are ready (peer discovery, StatefulSet bootstrap). @default false */
  readonly publishNotReadyAddresses?: boolean;
  /** Pod labels to select. @default the identity's selector */
  readonly selector?: Readonly<Record<string, string>>;
  /** `LoadBalancer` exposes the Service outside the cluster (with the annotations the cloud's controller reads). @default "ClusterIP" */
  readonly type?: 'ClusterIP' | 'LoadBalancer';
  /** Service annotations, e.g. for an internal load balancer. @default none */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * For a gossip ring's Service: the container ports its members also reach each other on, by
   * addresses the ring hands out rather than by name (Loki's and Tempo's gRPC). Written to the
   * annotation {@link RING_PORTS_ANNOTATION}, which the network policies read.
   * @default none
   */
  readonly ringPorts?: readonly string[];
}

/** Annotation on a gossip ring's Service: the container ports its members reach each other on directly. */
export const RING_PORTS_ANNOTATION = `${OWN_PREFIX}/ring-ports`;

/** Emits one Service. Target ports are container port names, so a port renumbering cannot break it. */
export function createService(scope: Construct, id: string, spec: ServiceSpec): k8s.KubeService {
  guardNameCollisions(scope);
  const ports = spec.ports.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP', targetPort: p.targetPort ?? p.name }));
  const selector = { ...(spec.selector ?? spec.identity.selector) };
  const type = spec.headless ? 'ClusterIP' : (spec.type ?? 'ClusterIP');
  const annotations = { ...spec.annotations, ...(spec.ringPorts?.length ? { [RING_PORTS_ANNOTATION]: spec.ringPorts.join(',') } : {}) };
  Wiring.of(scope).servesService({ namespace: spec.identity.namespace, name: spec.name, headless: spec.headless ?? false, ports, selector, type, annotations });
  const service = new k8s.KubeService(scope, id, {
    metadata: {
      name: spec.name,
      namespace: spec.identity.namespace,
      labels: { ...spec.identity.labels, [SERVICE_NAME_LABEL]: spec.name },
      annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    },
    spec: {
      type,
      clusterIp: spec.headless ? 'None' : undefined,
      publishNotReadyAddresses: spec.publishNotReadyAddresses,
      selector,
      ports: ports.map((p) => ({
        ...p,
        targetPort: typeof p.targetPort === 'number' ? k8s.IntOrString.fromNumber(p.targetPort) : k8s.IntOrString.fromString(p.targetPort),
      })),
    },
  });
  // Read as built from what it was made with, by object: two charts may each hold a Service of one name.
  const metadata = { name: spec.name, namespace: spec.identity.namespace, annotations };
  rememberAsBuilt(service, () => ({ kind: 'Service', metadata, spec: { ports, selector, type } }));
  return service;
}

/** Emits a ServiceAccount that mounts no token unless asked; cloud identity goes in its annotations. */
export function createServiceAccount(
  scope: Construct,
  id: string,
  identity: ComponentIdentity,
  name: string,
  annotations: Readonly<Record<string, string>> = {},
): k8s.KubeServiceAccount {
  guardNameCollisions(scope);
  return new k8s.KubeServiceAccount(scope, id, {
    metadata: {
      name,
      namespace: identity.namespace,
      labels: identity.labels,
      annotations: Object.keys(annotations).length > 0 ? { ...annotations } : undefined,
    },
    automountServiceAccountToken: false,
  });
}
