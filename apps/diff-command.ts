/**
 * `obs-platform diff`: the upgrade plan between two outputs. An output is every chart of every app,
 * read from a directory that `synth` wrote, a baseline file, or a git commit synthesized on the fly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ManifestObject, blocksApply, planUpgrade, upgradeReportMarkdown } from '../lib/planning/upgrade';
import { APPS } from './index';
import { UsageError } from './usage-error';

/** Every chart of every app: app → chart → objects. */
export type Output = Record<string, Record<string, ManifestObject[]>>;

interface DiffArgs {
  readonly from: string;
  readonly to?: string;
  readonly apps: readonly string[];
  readonly out?: string;
  readonly safe: boolean;
}

function parseDiffArgs(args: readonly string[]): DiffArgs {
  const positional: string[] = [];
  const apps: string[] = [];
  let out: string | undefined;
  let safe = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = (flag: string) => {
      const v = arg === flag ? args[++i] : arg.slice(flag.length + 1);
      if (!v) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (arg === '--safe') safe = true;
    else if (arg === '--app' || arg.startsWith('--app=')) apps.push(value('--app'));
    else if (arg === '--out' || arg.startsWith('--out=')) out = value('--out');
    else if (arg.startsWith('-')) throw new UsageError(`unknown option "${arg}" for diff (options: --app APP, --out FILE, --safe)`);
    else positional.push(arg);
  }
  if (positional.length === 0 || positional.length > 2)
    throw new UsageError('diff takes FROM and optionally TO: a synth output directory or YAML file, a baseline .json.gz file, or git:REF');
  return { from: positional[0], to: positional[1], apps, out, safe };
}

/** The objects of a YAML file of synth output (several documents). */
export function readYaml(file: string): ManifestObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as ManifestObject | null)
    .filter((o): o is ManifestObject => !!o && typeof o.kind === 'string');
}

/** A chart's file name without its suffix: `platform.k8s.yaml` is chart `platform`. */
const chartOfFile = (file: string) => file.replace(/\.k8s\.ya?ml$|\.ya?ml$/, '');

/**
 * A directory `synth` wrote: its `*.yaml` files are the charts of one app (named by `app`), or its
 * sub-directories are one app each (what `synth --all` writes).
 */
function readDirectory(dir: string, app: string): Output {
  const entries = readdirSync(dir);
  const charts = (d: string) =>
    Object.fromEntries(
      readdirSync(d)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => [chartOfFile(f), readYaml(join(d, f))]),
    );
  const own = charts(dir);
  if (Object.keys(own).length > 0) return { [app]: own };
  const output: Output = {};
  for (const sub of entries.filter((e) => statSync(join(dir, e)).isDirectory())) {
    const found = charts(join(dir, sub));
    if (Object.keys(found).length > 0) output[sub] = found;
  }
  if (Object.keys(output).length === 0) throw new UsageError(`${dir} holds no synth output (*.yaml files, or one folder of them per app)`);
  return output;
}

/** A baseline file of scripts/e2e-baseline.mjs: `{ version, apps: { app: { chart: objects } } }`, gzipped or not. */
function readBaseline(file: string): Output {
  const raw = readFileSync(file);
  const parsed = JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as { apps?: Output };
  if (!parsed.apps) throw new UsageError(`${file} is not a baseline file (no "apps")`);
  return parsed.apps;
}

/** This version's output of the apps named (every app when none is). */
export function synthesizeApps(names: readonly string[] = Object.keys(APPS)): Output {
  const output: Output = {};
  for (const name of names) {
    if (!APPS[name]) throw new UsageError(`unknown app "${name}" (apps: ${Object.keys(APPS).join(', ')})`);
    const app = new App({ outdir: join(tmpdir(), 'obs-platform-unused') });
    APPS[name](app);
    output[name] = Object.fromEntries(app.charts.map((c) => [c.node.id, c.toJson() as ManifestObject[]]));
  }
  return output;
}

/** The script run in a checkout of another commit: its apps, synthesized, as JSON on stdout. */
const SYNTH_ALL = `
process.env.OBS_PLATFORM_WARNINGS = 'silent';
const { App } = require('cdk8s');
const { APPS } = require('./build/apps');
const out = {};
for (const [name, build] of Object.entries(APPS)) {
  const app = new App({ outdir: require('os').tmpdir() });
  build(app);
  out[name] = Object.fromEntries(app.charts.map((c) => [c.node.id, c.toJson()]));
}
process.stdout.write(JSON.stringify(out));
`;

/**
 * The output of another commit of this repository: its tree exported to a temporary folder, built
 * with this checkout's dependencies (node_modules linked), and its apps synthesized there.
 */
function synthesizeCommit(ref: string): Output {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let root: string;
  try {
    root = git('rev-parse', '--show-toplevel');
    git('rev-parse', '--verify', `${ref}^{commit}`);
  } catch {
    throw new UsageError(`git:${ref} is not a commit of the repository here (run diff inside a clone of the library)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'obs-platform-diff-'));
  try {
    execFileSync('sh', ['-c', `git -C "$1" archive --format=tar "$2" | tar -x -C "$3"`, 'sh', root, ref, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const json = execFileSync(process.execPath, ['-e', SYNTH_ALL], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(json) as Output;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads one side of a diff. */
export function readOutput(source: string, defaultApp: string): Output {
  if (source.startsWith('git:')) return synthesizeCommit(source.slice('git:'.length));
  if (!existsSync(source)) throw new UsageError(`${source} does not exist (give a synth output directory or YAML file, a baseline .json.gz file, or git:REF)`);
  if (statSync(source).isDirectory()) return readDirectory(source, defaultApp);
  if (/\.json(\.gz)?$/.test(source)) return readBaseline(source);
  // One file is one chart of one app, whatever its name: two files compare with each other.
  if (/\.ya?ml$/.test(source)) return { [defaultApp]: { [defaultApp]: readYaml(source) } };
  throw new UsageError(`${source} is neither a directory, a YAML file, a .json(.gz) baseline, nor git:REF`);
}

/** Only the apps asked for, when any are. */
function only(output: Output, apps: readonly string[]): Output {
  return apps.length === 0 ? output : Object.fromEntries(Object.entries(output).filter(([name]) => apps.includes(name)));
}

/** The report of the upgrade from `from` to `to`, app by app and chart by chart, and whether it blocks. */
export function diffOutputs(from: Output, to: Output, options: { readonly safe?: boolean; readonly title?: string } = {}): { report: string; blocks: boolean } {
  const sections: string[] = [`# ${options.title ?? 'Upgrade plan'}`, ''];
  let blocks = false;
  for (const app of Object.keys(to).filter((a) => a in from)) {
    const charts = new Set([...Object.keys(from[app]), ...Object.keys(to[app])]);
    for (const chart of charts) {
      const plan = planUpgrade(from[app][chart] ?? [], to[app][chart] ?? []);
      blocks ||= blocksApply(plan);
      sections.push(upgradeReportMarkdown(chart === app ? app : `${app} / ${chart}`, plan, { safe: options.safe ?? false }));
    }
  }
  const added = Object.keys(to).filter((a) => !(a in from));
  const removed = Object.keys(from).filter((a) => !(a in to));
  if (added.length > 0) sections.push(`Apps new since then (nothing to upgrade): ${added.join(', ')}.`, '');
  if (removed.length > 0) sections.push(`Apps no longer in the new output: ${removed.join(', ')}.`, '');
  return { report: sections.join('\n'), blocks };
}

/** The report's title: where it goes from and to. */
export function reportTitle(from: string, to?: string): string {
  return `Upgrade plan: ${basename(from)} → ${to ? basename(to) : 'this version'}`;
}

/** Runs `diff`; returns the exit status: 1 when anything is refused or puts data at risk, else 0. */
export function diffCommand(args: readonly string[]): number {
  const { from, to, apps, out, safe } = parseDiffArgs(args);
  process.env.OBS_PLATFORM_WARNINGS ??= 'silent';
  const defaultApp = apps[0] ?? 'platform';
  const before = only(readOutput(from, defaultApp), apps);
  const after = to ? only(readOutput(to, defaultApp), apps) : synthesizeApps(Object.keys(before).filter((a) => a in APPS));
  const { report, blocks } = diffOutputs(before, after, { safe, title: reportTitle(from, to) });
  if (out) {
    writeFileSync(out, report);
    console.log(`wrote ${out}`);
  } else {
    console.log(report);
  }
  console.error(
    blocks ? 'obs-platform diff: something is refused or puts data at risk (exit status 1)' : 'obs-platform diff: nothing refused, no data at risk',
  );
  return blocks ? 1 : 0;
}
