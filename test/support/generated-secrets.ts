import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Manifest, containersOf } from './synth';

/** The Job of `manifests` that makes the Secret `secretName` in the cluster. */
export function generatorJobOf(manifests: Manifest[], secretName: string): Manifest {
  const jobs = manifests.filter((m) => m.kind === 'Job' && scriptOf(m)?.includes(`"name":"${secretName}"`));
  if (jobs.length !== 1) throw new Error(`expected one Job that generates Secret ${secretName}, found ${jobs.length}`);
  return jobs[0];
}

/** Whether a workload is a Job that generates a Secret. */
export function isSecretGenerator(m: Manifest): boolean {
  return m.kind === 'Job' && scriptOf(m)?.includes('"kind":"Secret"') === true;
}

function scriptOf(job: Manifest): string | undefined {
  const init = (job.spec.template.spec.initContainers ?? []).find((c: { name: string }) => c.name === 'values');
  return init?.command?.[2];
}

/**
 * Runs the shell step of a generator Job with this machine's sh, as the pod would with the Secret
 * `current` mounted (absent when undefined), and returns the Secret it writes for kubectl to apply.
 */
export function runSecretGenerator(job: Manifest, current?: Record<string, string>): { manifest: any; values: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'obs-generated-secret-'));
  try {
    mkdirSync(join(dir, 'current'));
    mkdirSync(join(dir, 'out'));
    for (const [key, value] of Object.entries(current ?? {})) writeFileSync(join(dir, 'current', key), value);
    const script = scriptOf(job)!
      .replace(/'\/current\//g, `'${dir}/current/`)
      .replace(/\/out\//g, `${dir}/out/`);
    execFileSync('/bin/sh', ['-c', script], { stdio: ['ignore', 'ignore', 'inherit'] });
    const manifest = JSON.parse(readFileSync(join(dir, 'out', 'secret.json'), 'utf8'));
    const values = Object.fromEntries(Object.entries(manifest.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    return { manifest, values };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const made = new WeakMap<readonly Manifest[], Map<string, Record<string, string>>>();

/**
 * The values the generator Job of the Secret `namespace/secretName` makes, run once per output so
 * that every pod of one run reads the same Secret, as in a cluster; undefined when no Job makes it.
 */
export function generatedSecretValues(manifests: readonly Manifest[], namespace: string, secretName: string): Record<string, string> | undefined {
  const job = manifests.find((m) => isSecretGenerator(m) && scriptOf(m)!.includes(`"name":"${secretName}","namespace":"${namespace}"`));
  if (!job) return undefined;
  const cache = made.get(manifests) ?? made.set(manifests, new Map()).get(manifests)!;
  const key = `${namespace}/${secretName}`;
  if (!cache.has(key)) cache.set(key, runSecretGenerator(job).values);
  return { ...cache.get(key)! };
}

/**
 * Declares that the output `later` is applied to the same cluster as `earlier`: the Secrets its
 * generator Jobs make exist there already, and those Jobs keep their values, so every pod of both
 * outputs reads the same keys.
 */
export function appliedAfter(later: readonly Manifest[], earlier: readonly Manifest[]): void {
  made.set(later, made.get(earlier) ?? made.set(earlier, new Map()).get(earlier)!);
}

/** The kubectl step of a generator Job: its args. */
export function applyArgsOf(job: Manifest): string[] {
  return containersOf(job.spec.template.spec).find((c) => c.name === 'apply')!.args;
}
