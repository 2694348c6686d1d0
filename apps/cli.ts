#!/usr/bin/env node
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, App } from 'cdk8s';
import { FOOTPRINT_KINDS, ValidationError, clusterDomainOf, connectionGraph, connectionsMarkdown, describeFootprint, footprintOf } from '../lib';
import { APPS } from './index';
import { PLAN_USAGE, planCommand } from './plan-command';
import { diffCommand } from './diff-command';
import { UsageError } from './usage-error';

/** Apps with a variant on AWS S3 and IAM roles instead of the in-cluster MinIO. */
const AWS_VARIANTS: Readonly<Record<string, string>> = { platform: 'platform-aws' };

const USAGE = `Usage: obs-platform <command> [options]

Commands:
  synth [APP...] [--out DIR] [--aws] [--all] [--diagram]
                 write the Kubernetes YAML of the apps (default: platform) to DIR (default: dist);
                 with one app its files go to DIR, with several each app gets DIR/<app>.
                 --aws takes an app's AWS variant (S3 and IAM roles instead of MinIO);
                 --all writes every app; --diagram also writes each chart's connections as a
                 Mermaid diagram (<chart>.connections.md). Files an earlier run left in those
                 folders are removed.
  diff FROM [TO] [--app APP...] [--out FILE] [--safe]
                 the upgrade plan from one output to the next: every change classified as
                 refused (by the API server), data at risk, disruptive or safe, with the steps
                 that make each unsafe one safe and the rollout order. FROM and TO are each a
                 directory of synth output, one YAML file, a baseline file (.json.gz, written by
                 scripts/e2e-baseline.mjs) or git:REF (that commit synthesized on the fly); TO
                 defaults to this version's apps. --safe lists the safe changes too.
                 Exit status 1 when something is refused or puts data at risk.
${PLAN_USAGE}
  list           the apps, one per line
  --help, -h     this text
  --version, -v  the package version`;

/** The diagram of a chart, beside its YAML (kubectl, Argo CD and Flux read only .yaml, .yml and .json files). */
const DIAGRAM_SUFFIX = '.connections.md';

function main(argv: readonly string[]): void {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
      console.log(USAGE);
      return;
    case '--version':
    case '-v':
      // The package.json of the library, one folder above build/.
      console.log(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
      return;
    case 'list':
      for (const name of Object.keys(APPS)) console.log(`${name}${AWS_VARIANTS[name] ? `  (--aws: ${AWS_VARIANTS[name]})` : ''}`);
      return;
    case 'synth':
      synth(parseSynthArgs(rest));
      return;
    case 'plan':
      planCommand(rest);
      return;
    case 'diff':
      process.exitCode = diffCommand(rest);
      return;
    default:
      throw new UsageError(`unknown command "${command}" (commands: synth, diff, plan, list; see --help)`);
  }
}

interface SynthArgs {
  readonly apps: string[];
  readonly out: string;
  readonly diagram: boolean;
}

function parseSynthArgs(args: readonly string[]): SynthArgs {
  const positional: string[] = [];
  let out = 'dist';
  let aws = false;
  let diagram = false;
  let all = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--aws') aws = true;
    else if (arg === '--all') all = true;
    else if (arg === '--diagram') diagram = true;
    else if (arg === '--out' || arg.startsWith('--out=')) {
      const value = arg === '--out' ? args[++i] : arg.slice('--out='.length);
      if (!value) throw new UsageError('--out needs a directory');
      out = value;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option "${arg}" for synth (options: --out DIR, --aws, --all, --diagram)`);
    else positional.push(arg);
  }
  if (all && positional.length > 0) throw new UsageError('give app names or --all, not both');
  const chosen = all ? Object.keys(APPS) : positional.length > 0 ? positional : ['platform'];
  const apps = chosen.map((name) => {
    if (!APPS[name]) throw new UsageError(`unknown app "${name}" (apps: ${Object.keys(APPS).join(', ')})`);
    if (!aws) return name;
    const variant = AWS_VARIANTS[name];
    if (!variant) throw new UsageError(`app "${name}" has no AWS variant (apps with one: ${Object.keys(AWS_VARIANTS).join(', ')})`);
    return variant;
  });
  return { apps: [...new Set(apps)], out, diagram };
}

/**
 * Synthesizes each app into its folder. The folders first lose the `*.k8s.yaml` files an earlier
 * run wrote (another app or variant, a chart that no longer exists), so `kubectl apply -f` of the
 * folder applies exactly this output. Other files are left alone.
 */
function synth({ apps, out, diagram }: SynthArgs): void {
  const single = apps.length === 1;
  removeOutputs(out);
  if (!single) for (const name of Object.keys(APPS)) removeOutputs(join(out, name));
  for (const name of apps) {
    const app = new App({ outdir: single ? out : join(out, name) });
    APPS[name](app);
    // Every warning is printed by the library while the app synthesizes.
    app.synth();
    for (const chart of app.charts) {
      // Counted from the constructs, not by synthesizing the chart a second time.
      const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
      const kinds = new Map<string, number>();
      for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
      // Code-point order: localeCompare would load ICU's collator, a few percent of the whole run.
      const perKind = [...kinds]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ');
      console.log(`wrote ${join(app.outdir, `${chart.node.id}.k8s.yaml`)}: ${objects.length} objects (${perKind})`);
      // Only the workloads are rendered again, a small share of the objects.
      const footprint = footprintOf(objects.filter((o) => FOOTPRINT_KINDS.has(o.kind)).map((o) => o.toJson()));
      if (footprint.pods > 0) console.log(`  ${describeFootprint(footprint)} by ${footprint.pods} pods (a DaemonSet counted once)`);
      if (diagram) {
        const file = join(app.outdir, `${chart.node.id}${DIAGRAM_SUFFIX}`);
        writeFileSync(file, connectionsMarkdown(chart.node.id, connectionGraph(chart.toJson(), clusterDomainOf(chart))));
        console.log(`wrote ${file}`);
      }
    }
  }
}

function removeOutputs(dir: string): void {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return;
  }
  for (const file of files.filter((f) => f.endsWith('.k8s.yaml') || f.endsWith(DIAGRAM_SUFFIX))) rmSync(join(dir, file), { force: true });
}

try {
  main(process.argv.slice(2));
} catch (e) {
  // Usage mistakes and refused input are the user's to fix: their message, never a stack trace.
  // Anything else is a bug of ours, and its stack trace helps the report.
  if (e instanceof UsageError) {
    console.error(`obs-platform: ${e.message}`);
    process.exitCode = 2;
  } else if (e instanceof ValidationError) {
    console.error(`obs-platform: the input was refused:\n${e.message}`);
    process.exitCode = 1;
  } else {
    throw e;
  }
}
