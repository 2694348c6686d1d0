import { parse } from 'yaml';
import { KeyTree, unknownKeys } from './config-keys';
import { Manifest, containersOf, dataOf, podSpecOf, workloads } from './synth';
import thanosFlags from '../fixtures/thanos-0.42.4-flags.json';
import prometheusFlags from '../fixtures/prometheus-3.14.0-flags.json';
import thanosKeys from '../fixtures/thanos-0.42.4-config-keys.json';

/**
 * Flags Thanos v0.42.4 accepts but hides from `--help`, so the fixture (made from the help blocks)
 * lacks them. Each was read in cmd/thanos at the tag.
 */
const HIDDEN_THANOS_FLAGS: Record<string, string[]> = {
  // cmd/thanos/store.go: `cmd.Flag("store.caching-bucket.config", ...).Hidden()`
  store: ['--store.caching-bucket.config'],
};

type Container = { name: string; image: string; args?: string[] };

/** Every container of the output with its workload's name. */
function containers(manifests: Manifest[]): Array<{ where: string; c: Container }> {
  return workloads(manifests).flatMap((w) => containersOf(podSpecOf(w)).map((c: Container) => ({ where: `${w.kind} ${w.metadata.name}/${c.name}`, c })));
}

const flagName = (arg: string) => arg.split('=')[0];

/**
 * Every flag a Thanos or Prometheus container gets exists for its sub-command (or mode) in the
 * pinned release, and no single-valued flag is given twice. Returns one line per problem.
 */
export function flagProblems(manifests: Manifest[]): string[] {
  const out: string[] = [];
  for (const { where, c } of containers(manifests)) {
    const args = c.args ?? [];
    const flags = args.filter((a) => a.startsWith('--'));
    let known: readonly string[];
    let repeatable: readonly string[];
    if (c.image.includes('/thanos/thanos:')) {
      const sub = args[0] as keyof typeof thanosFlags.subcommands;
      const spec = thanosFlags.subcommands[sub];
      if (!spec) {
        out.push(`${where}: "${args[0]}" is not a Thanos sub-command`);
        continue;
      }
      known = [...spec.flags, ...(HIDDEN_THANOS_FLAGS[sub] ?? [])];
      repeatable = spec.repeatable;
    } else if (c.image.includes('/prometheus/prometheus:')) {
      const agent = flags.includes('--agent');
      const wrongMode = agent ? prometheusFlags.serverOnly : prometheusFlags.agentOnly;
      for (const f of flags)
        if (wrongMode.includes(flagName(f)))
          out.push(`${where}: ${flagName(f)} cannot be used in ${agent ? 'agent' : 'server'} mode (Prometheus exits with code 3)`);
      known = [...prometheusFlags.flags, '--agent'];
      repeatable = prometheusFlags.repeatable;
    } else {
      continue;
    }
    for (const f of flags) if (!known.includes(flagName(f))) out.push(`${where}: ${flagName(f)} is not a flag of ${args[0] ?? 'prometheus'}`);
    const names = flags.map(flagName);
    for (const n of new Set(names)) if (!repeatable.includes(n) && names.filter((x) => x === n).length > 1) out.push(`${where}: ${n} is given more than once`);
  }
  return out;
}

/** The value of `--flag=` in a container's args. */
function flagValue(args: readonly string[], flag: string): string | undefined {
  return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/**
 * Every receive hashrings file parses, lists each pod of the StatefulSets it names exactly once by
 * its stable DNS name, each ring has at least as many pods as the replication factor, every
 * combined receive pod's `--receive.local-endpoint` resolves to its own entry, and the ConfigMap
 * is mounted as a directory. Returns the problems and how many endpoints were checked.
 */
export function hashringProblems(manifests: Manifest[]): { problems: string[]; endpoints: number } {
  const out: string[] = [];
  let endpoints = 0;
  const sets = manifests.filter((m) => m.kind === 'StatefulSet');
  for (const { where, c } of containers(manifests)) {
    const args = c.args ?? [];
    const file = flagValue(args, '--receive.hashrings-file');
    if (args[0] !== 'receive' || !file) continue;
    const workload = workloads(manifests).find((w) => `${w.kind} ${w.metadata.name}/${c.name}` === where)!;
    const ns = workload.metadata.namespace;
    const dir = file.slice(0, file.lastIndexOf('/'));
    const mount = (c as any).volumeMounts.find((m: any) => m.mountPath === dir);
    if (!mount || mount.subPath) {
      out.push(`${where}: the hashrings directory ${dir} is not mounted as a directory`);
      continue;
    }
    const volume = podSpecOf(workload).volumes.find((v: any) => v.name === mount.name);
    const cm = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === volume?.configMap?.name && m.metadata.namespace === ns);
    if (!cm) {
      out.push(`${where}: hashrings ConfigMap ${volume?.configMap?.name} missing`);
      continue;
    }
    let rings: any[];
    try {
      rings = JSON.parse(dataOf(cm)[file.slice(dir.length + 1)]);
    } catch (e) {
      out.push(`${where}: hashrings file does not parse: ${e}`);
      continue;
    }
    if (!Array.isArray(rings) || rings.length === 0) {
      out.push(`${where}: hashrings file is empty`);
      continue;
    }
    out.push(...unknownKeys(rings, { '[]': thanosKeys.hashring as KeyTree }).map((k) => `${where}: unknown hashring key ${k}`));
    const rf = Number(flagValue(args, '--receive.replication-factor') ?? 1);
    const all = rings.flatMap((r) => r.endpoints.map((e: any) => e.address as string));
    if (new Set(all).size !== all.length) out.push(`${where}: an endpoint is listed twice`);
    for (const ring of rings) {
      if (ring.endpoints.length < rf) out.push(`${where}: ring ${ring.hashring} has ${ring.endpoints.length} endpoints for replication factor ${rf}`);
      const ordinals = new Map<string, Set<number>>();
      for (const { address } of ring.endpoints) {
        endpoints++;
        const m = /^([a-z0-9-]+)-(\d+)\.([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:10901$/.exec(address);
        const sts = m && sets.find((s) => s.metadata.name === m[1] && s.spec.serviceName === m[3] && s.metadata.namespace === m[4]);
        if (!m || !sts || Number(m[2]) >= sts.spec.replicas) {
          out.push(`${where}: ${address} is no pod of a StatefulSet`);
          continue;
        }
        ordinals.set(m[1], (ordinals.get(m[1]) ?? new Set()).add(Number(m[2])));
      }
      for (const [name, listed] of ordinals) {
        const replicas = sets.find((s) => s.metadata.name === name)!.spec.replicas;
        if (listed.size !== replicas) out.push(`${where}: ring ${ring.hashring} lists ${listed.size} of the ${replicas} pods of ${name}`);
      }
    }
    const local = flagValue(args, '--receive.local-endpoint');
    if (local && workload.kind === 'StatefulSet') {
      for (let i = 0; i < workload.spec.replicas; i++) {
        const own = local.replace('$(NAME)', `${workload.metadata.name}-${i}`);
        if (!all.includes(own)) out.push(`${where}: pod ${i}'s local endpoint ${own} is not in the hashring`);
      }
    }
    if (workload.kind === 'Deployment' && all.some((a) => a.startsWith(`${workload.metadata.name}-`)))
      out.push(`${where}: a router is listed in its own hashring`);
  }
  return { problems: out, endpoints };
}

/** Thanos config documents in the output, by what they are, with the key tree that describes them. */
export function thanosConfigDocuments(manifests: Manifest[]): Array<{ where: string; doc: any; tree: KeyTree }> {
  const out: Array<{ where: string; doc: any; tree: KeyTree }> = [];
  const typed = (tree: any, doc: any): KeyTree => ({ ...tree, config: tree.config[String(doc?.type).toLowerCase()] ?? {} });
  for (const m of manifests.filter((x) => x.kind === 'ConfigMap' && x.metadata.name.endsWith('-objstore'))) {
    for (const [key, text] of Object.entries(dataOf(m))) {
      const doc = parse(text);
      out.push({
        where: `ConfigMap ${m.metadata.name}/${key}`,
        doc,
        tree: { ...thanosKeys.objstore, config: (thanosKeys.objstore.config as any).s3 } as KeyTree,
      });
    }
  }
  const byFlag: Record<string, any> = {
    '--index-cache.config': thanosKeys.indexCache,
    '--store.caching-bucket.config': thanosKeys.cachingBucket,
    '--query-range.response-cache-config': thanosKeys.responseCache,
    '--endpoint.sd-config': thanosKeys.endpointSd,
    '--alertmanagers.config': thanosKeys.alertmanagers,
    '--query.config': { '[]': thanosKeys.query },
  };
  for (const { where, c } of containers(manifests)) {
    for (const [flag, tree] of Object.entries(byFlag)) {
      const value = flagValue(c.args ?? [], flag);
      if (value === undefined) continue;
      const doc = parse(value);
      out.push({ where: `${where} ${flag}`, doc, tree: 'type' in tree ? typed(tree, doc) : tree });
    }
  }
  return out;
}

/** Every PromQL rules file (a ConfigMap key whose YAML has `groups:`, Loki's left out). */
export function ruleFiles(manifests: Manifest[]): Array<{ where: string; text: string }> {
  return (
    manifests
      // Loki's rules are LogQL, which promtool cannot read: lib/loki/rules.ts parses them at synth.
      .filter((m) => m.kind === 'ConfigMap' && m.metadata.labels?.['app.kubernetes.io/name'] !== 'loki')
      .flatMap((m) =>
        Object.entries(dataOf(m))
          .filter(([, text]) => /^groups:/m.test(text))
          .map(([key, text]) => ({ where: `ConfigMap ${m.metadata.name}/${key}`, text })),
      )
  );
}
