/**
 * What a synthesized output asks of a cluster: the CPU and memory its pods request and the
 * volumes its claims request, read from the manifests themselves so that the figures can never
 * drift from what is applied.
 */

/** One long-running workload's share. */
export interface WorkloadFootprint {
  readonly kind: string;
  readonly name: string;
  /** Pods counted: `spec.replicas`, the autoscaler's minimum, or 1 per node for a DaemonSet. */
  readonly pods: number;
  /** Requested CPU of all its pods, in cores. */
  readonly cpu: number;
  /** Requested memory of all its pods, in bytes. */
  readonly memoryBytes: number;
  /** Requested volume storage of all its pods' claims, in bytes. */
  readonly storageBytes: number;
}

/** The sum over an output's Deployments, StatefulSets and DaemonSets (one node), plus standalone claims. */
export interface Footprint {
  readonly cpu: number;
  readonly memoryBytes: number;
  readonly storageBytes: number;
  readonly pods: number;
  readonly workloads: readonly WorkloadFootprint[];
}

const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity (`250m`, `1.5`, `512Mi`, `2G`, `1e3`) as a number; throws on anything else. */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(quantity.trim());
  if (!match) throw new Error(`"${quantity}" is not a Kubernetes quantity (e.g. 250m, 2, 512Mi, 10Gi)`);
  const [, digits, exponent, suffix = ''] = match;
  if (exponent) return Number(digits + exponent);
  return Number(digits) * (BINARY[suffix] ?? DECIMAL[suffix]);
}

const GIB = 2 ** 30;

/** `1.5 CPU, 5.2 GiB memory, 28 GiB volumes`: a footprint in one line. */
export function describeFootprint(f: Pick<Footprint, 'cpu' | 'memoryBytes' | 'storageBytes'>): string {
  const round = (n: number) => Number(n.toFixed(2)).toString();
  return `${round(f.cpu)} CPU, ${round(f.memoryBytes / GIB)} GiB memory, ${round(f.storageBytes / GIB)} GiB volumes requested`;
}

/** The kinds {@link footprintOf} reads; every other object can be left out of its input. */
export const FOOTPRINT_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'HorizontalPodAutoscaler', 'PersistentVolumeClaim']);

type Requests = { readonly resources?: { readonly requests?: Readonly<Record<string, string | number>> } };
type Container = Requests & { readonly restartPolicy?: string };
type PodSpec = { readonly containers?: readonly Container[]; readonly initContainers?: readonly Container[] };
type Claim = { readonly spec?: Requests };
/** The parts of a manifest the sums read. */
type Obj = {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly spec?: Requests & {
    readonly replicas?: number;
    readonly minReplicas?: number;
    readonly scaleTargetRef?: { readonly kind?: string; readonly name?: string };
    readonly template?: { readonly spec?: PodSpec };
    readonly volumeClaimTemplates?: readonly Claim[];
  };
};

/**
 * The requests of every long-running pod in `manifests` (any JSON the synth emits; other kinds are
 * ignored). Jobs are left out: their pods finish and give their requests back. A pod's share is
 * what the scheduler reserves: the larger of its containers' sum and its largest init container.
 */
export function footprintOf(manifests: readonly unknown[]): Footprint {
  const objects = manifests as readonly Obj[];
  const autoscaled = new Map<string, number>();
  for (const o of objects) {
    if (o.kind !== 'HorizontalPodAutoscaler') continue;
    const target = o.spec?.scaleTargetRef;
    autoscaled.set(`${target?.kind}/${target?.name}`, o.spec?.minReplicas ?? 1);
  }
  const workloads: WorkloadFootprint[] = [];
  for (const o of objects) {
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet' && o.kind !== 'DaemonSet') continue;
    const name = o.metadata?.name ?? '';
    const pods = o.kind === 'DaemonSet' ? 1 : (o.spec?.replicas ?? autoscaled.get(`${o.kind}/${name}`) ?? 1);
    const pod = podRequests(o.spec?.template?.spec ?? {});
    const claims = o.kind === 'StatefulSet' ? sum((o.spec?.volumeClaimTemplates ?? []).map(claimBytes)) : 0;
    workloads.push({ kind: o.kind, name, pods, cpu: pods * pod.cpu, memoryBytes: pods * pod.memoryBytes, storageBytes: pods * claims });
  }
  for (const o of objects) {
    if (o.kind === 'PersistentVolumeClaim')
      workloads.push({ kind: o.kind, name: o.metadata?.name ?? '', pods: 0, cpu: 0, memoryBytes: 0, storageBytes: claimBytes(o) });
  }
  return {
    cpu: sum(workloads.map((w) => w.cpu)),
    memoryBytes: sum(workloads.map((w) => w.memoryBytes)),
    storageBytes: sum(workloads.map((w) => w.storageBytes)),
    pods: sum(workloads.map((w) => w.pods)),
    workloads,
  };
}

function podRequests(pod: PodSpec): { cpu: number; memoryBytes: number } {
  const of = (containers: readonly Container[] | undefined, key: 'cpu' | 'memory') =>
    (containers ?? []).map((c) => parseQuantity(c.resources?.requests?.[key] ?? 0));
  const request = (key: 'cpu' | 'memory') => {
    // Sidecars (init containers that keep running) add to the pod like ordinary containers.
    const sidecars = (pod.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
    const plainInit = (pod.initContainers ?? []).filter((c) => c.restartPolicy !== 'Always');
    return Math.max(sum(of(pod.containers, key)) + sum(of(sidecars, key)), ...of(plainInit, key), 0);
  };
  return { cpu: request('cpu'), memoryBytes: request('memory') };
}

function claimBytes(claim: Claim): number {
  return parseQuantity(claim.spec?.resources?.requests?.storage ?? 0);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
