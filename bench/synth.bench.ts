/**
 * Benchmarks of the main job (not tests: nothing here asserts a time).
 *   npm run bench
 * Prints medians over several runs of:
 *   - the in-process synth of every app (construct tree + toJson, no files);
 *   - the main job as users run it: `node build/apps/cli.js synth platform --out <dir>` (a fresh process),
 *     and `npm run synth` (which adds the no-op incremental `tsc -b` and npm's own start-up);
 *   - peak memory (max RSS) of the main-job process;
 *   - side by side, interleaved: the command line, `node -e "require('cdk8s')"` (the floor of any cdk8s
 *     program), and cdk8s's own `App.synth()` writing the same objects from JSON with no library code
 *     (the floor of any program that writes this output through cdk8s), with their ratios;
 *   - the Terraform side of platform-aws: in process, as a plain `node` process, and through
 *     `cdktf synth` (the CLI users run, which adds its own start-up).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from 'cdk8s';
import { Testing } from 'cdktf';
import { APPS } from '../apps';
import { platformAwsTerraform } from '../apps/platform-aws/terraform';

const ROOT = resolve(__dirname, '..', '..');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timeInProcess(name: string, runs: number): { ms: number; objects: number } {
  let objects = 0;
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = performance.now();
    const app = new App({ outdir: '/nonexistent' });
    APPS[name](app);
    objects = app.charts.reduce((n, c) => n + c.toJson().length, 0);
    const elapsed = performance.now() - start;
    if (i >= 3) times.push(elapsed); // the first runs warm the module cache and the JIT
  }
  return { ms: median(times), objects };
}

/** The cdktf stack of platform-aws (its Kubernetes side built in memory first), to JSON. */
function timeTerraformInProcess(runs: number): { ms: number; resources: number } {
  let resources = 0;
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = performance.now();
    const tf = JSON.parse(Testing.synth(platformAwsTerraform(Testing.app())));
    resources =
      Object.values(tf.resource as Record<string, object>).reduce((n, byId) => n + Object.keys(byId).length, 0) +
      Object.values(tf.data as Record<string, object>).reduce((n, byId) => n + Object.keys(byId).length, 0);
    const elapsed = performance.now() - start;
    if (i >= 3) times.push(elapsed);
  }
  return { ms: median(times), resources };
}

function timeProcess(command: string, args: string[], runs: number, env: Record<string, string> = {}): { ms: number; maxRssMb?: number } {
  const times: number[] = [];
  let maxRss = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
    times.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
    const rss = /maxrss=(\d+)/.exec(result.stderr ?? '');
    if (rss) maxRss = Math.max(maxRss, Number(rss[1]));
  }
  return { ms: median(times), maxRssMb: maxRss ? maxRss / 1024 : undefined };
}

/** Runs each command once per round, in turn, so that a noisy machine slows them alike; medians per command. */
function timeInterleaved(commands: Readonly<Record<string, string[]>>, rounds: number): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [name, args] of Object.entries(commands)) times[name].push(timeProcess(process.execPath, args, 1).ms);
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

/** The command line against what any cdk8s program pays: loading cdk8s, and cdk8s writing this output. */
function sideBySide(runs: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-side-'));
  const app = new App({ outdir: '/nonexistent' });
  APPS.platform(app);
  const objects = join(dir, 'platform.json');
  writeFileSync(objects, JSON.stringify(app.charts[0].toJson()));
  const floor =
    `const {App,Chart,ApiObject}=require('cdk8s');const a=new App({outdir:${JSON.stringify(join(dir, 'floor'))}});` +
    `const c=new Chart(a,'platform',{disableResourceNameHashes:true});` +
    `JSON.parse(require('fs').readFileSync(${JSON.stringify(objects)},'utf8')).forEach((o,i)=>new ApiObject(c,'o'+i,o));a.synth();`;
  const t = timeInterleaved(
    {
      cdk8s: ['-e', "require('cdk8s')"],
      floor: ['-e', floor],
      cli: ['build/apps/cli.js', 'synth', 'platform', '--out', join(dir, 'cli')],
    },
    runs,
  );
  console.log(`\nside by side, interleaved, median of ${runs} rounds`);
  console.log(`node -e "require('cdk8s')"                          ${t.cdk8s.toFixed(0).padStart(5)} ms  1.00x`);
  console.log(`cdk8s App.synth() of the same objects from JSON     ${t.floor.toFixed(0).padStart(5)} ms  ${(t.floor / t.cdk8s).toFixed(2)}x`);
  console.log(`obs-platform synth platform                         ${t.cli.toFixed(0).padStart(5)} ms  ${(t.cli / t.cdk8s).toFixed(2)}x`);
  rmSync(dir, { recursive: true, force: true });
}

function main(): void {
  const runs = Number(process.env.BENCH_RUNS ?? 15);
  console.log(`median of ${runs} runs each (node ${process.version})\n`);
  for (const name of Object.keys(APPS)) {
    const r = timeInProcess(name, runs);
    console.log(`in-process synth  ${name.padEnd(18)} ${r.ms.toFixed(1).padStart(7)} ms  ${r.objects} objects`);
  }
  const out = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  // Report the child's peak memory from inside it, on exit.
  const wrapper =
    `process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'));` +
    `process.argv=[process.argv[0],'cli','synth','platform','--out',${JSON.stringify(out)}];require('./build/apps/cli.js')`;
  const job = timeProcess(process.execPath, ['-e', wrapper], Math.max(5, Math.floor(runs / 2)));
  const npmRun = timeProcess('npm', ['run', '--silent', 'synth'], Math.max(3, Math.floor(runs / 3)));
  const inProcess = timeInProcess('platform', runs).ms;
  console.log(`main job  obs-platform synth platform         ${job.ms.toFixed(0).padStart(5)} ms  peak RSS ${job.maxRssMb?.toFixed(0)} MiB`);
  console.log(`main job  npm run synth (tsc -b no-op + npm)  ${npmRun.ms.toFixed(0).padStart(5)} ms`);
  console.log(`ratio     main job / in-process synth         ${(job.ms / inProcess).toFixed(1)}x`);
  sideBySide(runs);

  const tf = timeTerraformInProcess(runs);
  const tfOut = mkdtempSync(join(tmpdir(), 'bench-cdktf-'));
  // The app as cdktf runs it (output dir from CDKTF_OUTDIR); under -e it is not require.main, so call it.
  const tfScript =
    `process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'));` +
    `const {App}=require('cdktf');const a=new App();require('./build/apps/platform-aws/terraform.js').platformAwsTerraform(a);a.synth();`;
  const tfJob = timeProcess(process.execPath, ['-e', tfScript], Math.max(5, Math.floor(runs / 2)), { CDKTF_OUTDIR: tfOut });
  const cli = timeProcess('npx', ['cdktf', 'synth', '--output', tfOut], 3, { DISABLE_VERSION_CHECK: '1', CHECKPOINT_DISABLE: '1', CI: '1' });
  console.log(`\nterraform in-process synth platform-aws-storage ${tf.ms.toFixed(1).padStart(7)} ms  ${tf.resources} resources and data sources`);
  console.log(`terraform node process (app.synth to files)      ${tfJob.ms.toFixed(0).padStart(5)} ms  peak RSS ${tfJob.maxRssMb?.toFixed(0)} MiB`);
  console.log(`terraform cdktf synth (CLI)                      ${cli.ms.toFixed(0).padStart(5)} ms`);
  for (const dir of [out, tfOut]) rmSync(dir, { recursive: true, force: true });
}

main();
