/**
 * A connection to nothing is refused at synth: every in-cluster DNS name a workload's programs are
 * configured with must name a Service of the app (or of the cluster, or one the app declares the
 * user runs), on a port that Service serves, and a per-pod name must be a pod that exists.
 */
import { IConstruct } from 'constructs';
import { ValidationProblem } from './errors';
import { externalReferences } from './external';
import { DEFAULT_CLUSTER_DOMAIN } from './names';
import { programTexts, serviceReferences } from './connections';
import { AppObjects } from './as-built';

/** Services every cluster runs, which no app emits. */
export const CLUSTER_SERVICES: ReadonlyArray<{ readonly namespace: string; readonly name: string }> = [{ namespace: 'kube-system', name: 'kube-dns' }];

/** An address in a workload's configuration that reaches nothing. */
export interface AddressProblem {
  /** `Kind name` of the workload whose program is configured with it. */
  readonly workload: string;
  /** Where the address is, e.g. `ConfigMap loki-config key config.yaml`. */
  readonly source: string;
  /** The address as written. */
  readonly address: string;
  /** What is wrong with it, e.g. `names Service obs/x, which is not in the output`. */
  readonly problem: string;
}

type Manifest = {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: { readonly ports?: ReadonlyArray<{ name?: string; port: number }>; readonly serviceName?: string; readonly replicas?: number };
};

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];

/** How the check finds what an address may name: by kind and name, and the StatefulSets of a namespace. */
interface Objects {
  readonly find: (kind: string, namespace: string | undefined, name: string) => Manifest | undefined;
  readonly statefulSets: (namespace: string) => readonly Manifest[];
}

/**
 * The addresses in the configuration of `workloads` (by default every workload of `manifests`)
 * that do not resolve among `manifests`: no such Service, a port number or SRV port name it does
 * not serve, a pod name that is no ordinal of the StatefulSet the headless Service governs.
 * `provided` lists Services that exist outside the output (the cluster's DNS is always one).
 */
export function addressProblems(
  manifests: readonly unknown[],
  options: {
    readonly provided?: ReadonlyArray<{ readonly namespace: string; readonly name: string }>;
    readonly clusterDomain?: string;
    readonly workloads?: readonly unknown[];
  } = {},
): AddressProblem[] {
  const all = manifests as readonly Manifest[];
  const objects: Objects = {
    find: (kind, namespace, name) => all.find((m) => m.kind === kind && m.metadata?.name === name && m.metadata?.namespace === namespace),
    statefulSets: (namespace) => all.filter((m) => m.kind === 'StatefulSet' && m.metadata?.namespace === namespace),
  };
  const scanned = (options.workloads ?? all.filter((o) => WORKLOAD_KINDS.includes(o.kind ?? ''))) as readonly Manifest[];
  return scanned.flatMap((w) => workloadProblems(w, objects, options.provided ?? [], [options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN]));
}

function workloadProblems(
  w: Manifest,
  objects: Objects,
  provided: ReadonlyArray<{ readonly namespace: string; readonly name: string }>,
  clusterDomains: readonly string[],
): AddressProblem[] {
  const out: AddressProblem[] = [];
  const workload = `${w.kind} ${w.metadata?.name}`;
  const outside = [...CLUSTER_SERVICES, ...provided];
  for (const { source, text } of programTexts(w, objects.find)) {
    for (const ref of referencesUnder(text, clusterDomains)) {
      const problem = (p: string) => out.push({ workload, source, address: ref.text, problem: p });
      if (outside.some((s) => s.name === ref.service && s.namespace === ref.namespace)) continue;
      const svc = objects.find('Service', ref.namespace, ref.service);
      if (!svc) {
        problem(`names Service ${ref.namespace}/${ref.service}, which is not in the output`);
        continue;
      }
      const ports = svc.spec?.ports ?? [];
      if (ref.port !== undefined && !ports.some((p) => p.port === ref.port)) problem(`uses port ${ref.port}, which Service ${ref.service} does not serve`);
      if (ref.srvPort !== undefined && !ports.some((p) => p.name === ref.srvPort))
        problem(`looks up SRV port "${ref.srvPort}", which Service ${ref.service} does not name`);
      if (ref.pod !== undefined && !podExists(objects.statefulSets(ref.namespace), ref.pod, ref.service))
        problem(`names pod ${ref.pod}, which no StatefulSet governed by ${ref.service} runs`);
    }
  }
  return out;
}

/** The in-cluster names in `text` under any of `domains` (a name without a domain matches each: once). */
function referencesUnder(text: string, domains: readonly string[]) {
  const refs = domains.flatMap((d) => serviceReferences(text, d));
  return refs.filter((r, i) => refs.findIndex((x) => x.text === r.text) === i);
}

function podExists(statefulSets: readonly Manifest[], pod: string, service: string): boolean {
  const sts = statefulSets.find((m) => m.spec?.serviceName === service);
  if (!sts || !pod.startsWith(`${sts.metadata?.name}-`)) return false;
  const ordinal = Number(pod.slice(sts.metadata!.name!.length + 1));
  // An autoscaled set leaves replicas to its autoscaler: any ordinal may exist.
  return Number.isInteger(ordinal) && ordinal >= 0 && (sts.spec?.replicas === undefined || ordinal < sts.spec.replicas);
}

/** The objects of the app of `root`, as built (see {@link AppObjects}). */
function appObjects(root: IConstruct): Objects {
  const app = new AppObjects(root);
  return {
    find: (kind, namespace, name) => app.find(kind, namespace, name) as Manifest | undefined,
    statefulSets: (namespace) => (app.ofKinds('StatefulSet') as Manifest[]).filter((m) => m.metadata?.namespace === namespace),
  };
}

/** A workload the library built, for {@link addressCheck}: its construct, its object and its cluster domain. */
export interface CheckedWorkload {
  readonly owner: IConstruct;
  /** The object as the check reads it (kind, name, namespace, pod template, and for a StatefulSet its Service and replicas), without a synth of it. */
  readonly manifest: () => unknown;
  /** The domains its addresses may end in: its identity's and its chart's. */
  readonly clusterDomains: readonly string[];
}

/**
 * The app check over the addresses of `workloads` (the library's own; a user's objects are
 * theirs), resolved against every object of the app, whatever chart it is in.
 */
export function addressCheck(root: IConstruct, workloads: readonly CheckedWorkload[]): ValidationProblem[] {
  if (workloads.length === 0) return [];
  const objects = appObjects(root);
  const provided = externalReferences(root).filter((e) => e.kind === 'Service');
  const problems = new Map<string, ValidationProblem>();
  for (const w of workloads) {
    for (const p of workloadProblems(w.manifest() as Manifest, objects, provided, w.clusterDomains)) {
      const problem = { path: w.owner.node.path, property: p.source, value: p.address, problem: p.problem, fix: fixFor(p) };
      // The pods of one component share their config files: say each dangling address once.
      problems.set(JSON.stringify(problem), problem);
    }
  }
  return [...problems.values()];
}

function fixFor(p: AddressProblem): string {
  if (!p.problem.startsWith('names Service')) return 'use a port the Service serves, or a pod the StatefulSet runs';
  return (
    'name a Service the app emits (check the instance name, namespace and port), or, when you run it yourself, declare it: ' +
    `declareExternalService(scope, '${p.address}', '<what it is for>')`
  );
}
