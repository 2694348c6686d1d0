import { Manifest, containersOf, podSpecOf, workloads } from './synth';
import vmFlags from '../fixtures/victoriametrics-1.151.0-flags.json';

type VmProgram = keyof typeof vmFlags.components;
type Container = {
  name: string;
  image: string;
  args?: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }>;
};

/** The VictoriaMetrics program an image runs, if it is one of ours. */
function programOf(image: string): VmProgram | undefined {
  const m = /\/victoriametrics\/(vminsert|vmselect|vmstorage|vmagent):/.exec(image);
  return m ? (m[1] as VmProgram) : undefined;
}

/** Every VictoriaMetrics container of the output, with its workload. */
export function vmContainers(manifests: Manifest[]): Array<{ where: string; workload: Manifest; c: Container; program: VmProgram }> {
  return workloads(manifests).flatMap((w) =>
    containersOf(podSpecOf(w))
      .map((c: Container) => ({ where: `${w.kind} ${w.metadata.name}/${c.name}`, workload: w, c, program: programOf(c.image) }))
      .filter((x): x is { where: string; workload: Manifest; c: Container; program: VmProgram } => x.program !== undefined),
  );
}

/** `-name` of `-name=value` or `--name=value`. */
const flagName = (arg: string) => `-${arg.replace(/^--?/, '').split('=')[0]}`;

/** Every value given to a flag, in order (array flags may repeat). */
export function vmFlagValues(args: readonly string[], flag: string): string[] {
  return args.filter((a) => flagName(a) === flag && a.includes('=')).map((a) => a.slice(a.indexOf('=') + 1));
}

/**
 * Every flag a VictoriaMetrics container gets exists for that program in v1.151.0 (enterprise-only
 * flags are refused by the open-source images we pin), and only array flags are given twice.
 */
export function vmFlagProblems(manifests: Manifest[]): string[] {
  const out: string[] = [];
  for (const { where, c, program } of vmContainers(manifests)) {
    const spec = vmFlags.components[program];
    const names = (c.args ?? []).map((a) => {
      if (!a.startsWith('-')) out.push(`${where}: "${a}" is not a flag (VictoriaMetrics programs take no positional arguments)`);
      return flagName(a);
    });
    for (const n of names) {
      if (spec.enterprise.includes(n)) out.push(`${where}: ${n} is an enterprise-only flag of ${program}`);
      else if (!spec.flags.includes(n)) out.push(`${where}: ${n} is not a flag of ${program}`);
    }
    for (const n of new Set(names))
      if (!spec.repeatable.includes(n) && names.filter((x) => x === n).length > 1) out.push(`${where}: ${n} is given more than once`);
  }
  return out;
}

const NODE = /^([a-z0-9-]+)-(\d+)\.([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)$/;

/**
 * vminsert and vmselect name every vmstorage pod exactly once, by its stable DNS name under a
 * headless Service that publishes not-ready pods, on the port vmstorage listens on for them;
 * the replication factor is the same on both, no larger than the node count, and vmselect
 * deduplicates when it is above one. Returns the problems and how many node entries were checked.
 */
export function storageNodeProblems(manifests: Manifest[]): { problems: string[]; nodes: number } {
  const out: string[] = [];
  let nodes = 0;
  const storage = vmContainers(manifests).filter((x) => x.program === 'vmstorage');
  const rfBySet = new Map<string, Map<string, number>>();
  for (const { where, workload, c, program } of vmContainers(manifests)) {
    if (program !== 'vminsert' && program !== 'vmselect') continue;
    const args = c.args ?? [];
    const entries = vmFlagValues(args, '-storageNode').flatMap((v) => v.split(','));
    if (entries.length === 0) {
      out.push(`${where}: no -storageNode`);
      continue;
    }
    if (new Set(entries).size !== entries.length) out.push(`${where}: a storage node is listed twice`);
    const sets = new Set<string>();
    const ordinals = new Set<number>();
    for (const entry of entries) {
      nodes++;
      const m = NODE.exec(entry);
      const target =
        m && storage.find((s) => s.workload.metadata.name === m[1] && s.workload.metadata.namespace === m[4] && s.workload.spec.serviceName === m[3]);
      if (!m || !target) {
        out.push(`${where}: ${entry} is not a pod of a vmstorage StatefulSet by its stable name`);
        continue;
      }
      if (m[4] !== workload.metadata.namespace) out.push(`${where}: ${entry} is in another namespace`);
      if (Number(m[2]) >= target.workload.spec.replicas)
        out.push(`${where}: ${entry} names pod ${m[2]}, but ${m[1]} has ${target.workload.spec.replicas} replicas`);
      const portName = program === 'vminsert' ? 'vminsert' : 'vmselect';
      const listen = vmFlagValues(target.c.args ?? [], program === 'vminsert' ? '-vminsertAddr' : '-vmselectAddr')[0]?.replace(/^.*:/, '');
      const containerPort = target.c.ports?.find((p) => p.name === portName)?.containerPort;
      if (Number(m[5]) !== containerPort || m[5] !== listen)
        out.push(`${where}: ${entry} uses port ${m[5]}, but vmstorage listens for ${program} on ${listen} (container port ${containerPort})`);
      const svc = manifests.find((x) => x.kind === 'Service' && x.metadata.name === m[3] && x.metadata.namespace === m[4]);
      if (svc?.spec.clusterIP !== 'None' || svc?.spec.publishNotReadyAddresses !== true)
        out.push(`${where}: Service ${m[3]} is not headless with publishNotReadyAddresses, so some node names may not resolve`);
      sets.add(m[1]);
      ordinals.add(Number(m[2]));
    }
    if (sets.size !== 1) {
      if (sets.size > 1) out.push(`${where}: storage nodes of several StatefulSets are mixed`);
      continue;
    }
    const [set] = [...sets];
    const replicas = storage.find((s) => s.workload.metadata.name === set)!.workload.spec.replicas;
    if (ordinals.size !== replicas) out.push(`${where}: lists ${ordinals.size} of the ${replicas} pods of ${set}`);
    const rf = Number(vmFlagValues(args, '-replicationFactor')[0] ?? 1);
    if (rf > replicas) out.push(`${where}: replication factor ${rf} is above the ${replicas} storage nodes`);
    if (program === 'vmselect' && rf > 1 && vmFlagValues(args, '-dedup.minScrapeInterval').length === 0)
      out.push(`${where}: replication factor ${rf} without -dedup.minScrapeInterval returns every copy`);
    const key = `${workload.metadata.namespace}/${set}`;
    rfBySet.set(key, (rfBySet.get(key) ?? new Map()).set(where, rf));
  }
  for (const [set, byComponent] of rfBySet) {
    if (new Set(byComponent.values()).size > 1) out.push(`${set}: replication factors differ: ${[...byComponent].map(([w, rf]) => `${w}=${rf}`).join(', ')}`);
  }
  return { problems: out, nodes };
}
