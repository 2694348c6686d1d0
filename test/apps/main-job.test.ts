import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { APPS } from '../../apps';
import { connectionGraph, describeFootprint, footprintOf, mermaidDiagram } from '../../lib';
import { agreementProblems } from '../support/agreement';
import { synthApp } from '../support/synth';
import { synthPlatformAwsStack } from '../support/terraform';

const ROOT = resolve(__dirname, '..', '..');
const built = existsSync(join(ROOT, 'build/apps/cli.js'));
const CLI = 'build/apps/cli.js';

/** Runs a command in the project root and fails with its output when it fails. */
function run(command: string, args: string[], env: Record<string, string> = {}): void {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
}

/** A cdktf resource block without the `//` metadata the CLI output keeps and `Testing.synth` drops. */
function withoutMetadata(resources: Record<string, Record<string, any>>): Record<string, Record<string, any>> {
  return Object.fromEntries(
    Object.entries(resources).map(([type, byId]) => [
      type,
      Object.fromEntries(
        Object.entries(byId).map(([id, r]) => {
          const { '//': _meta, ...rest } = r;
          return [id, rest];
        }),
      ),
    ]),
  );
}

function readYaml(file: string): any[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS())
    .filter((d) => d);
}

// These run the compiled apps, as `npm run synth` does; `npm test` builds first.
(built ? describe : describe.skip)('main job (compiled apps)', () => {
  test('synth --all writes every app into its own folder, equal to the in-process synth', () => {
    const out = mkdtempSync(join(tmpdir(), 'synth-all-'));
    run(process.execPath, [CLI, 'synth', '--all', '--out', out]);
    expect(readdirSync(out).sort()).toEqual(Object.keys(APPS).sort());
    for (const name of Object.keys(APPS)) {
      const { charts } = synthApp(name);
      const files = readdirSync(join(out, name)).filter((f) => f.endsWith('.k8s.yaml'));
      // One file per chart, named after it; single-chart apps name their chart after the app.
      expect(files.sort()).toEqual(charts.map((c) => `${c.id}.k8s.yaml`).sort());
      if (charts.length === 1) expect(charts[0].id).toBe(name);
      for (const chart of charts) expect(readYaml(join(out, name, `${chart.id}.k8s.yaml`))).toEqual(JSON.parse(JSON.stringify(chart.manifests)));
    }
  });

  test("cdk8s synth reads cdk8s.yaml and writes the default platform, quiet without a network with the README's flag", () => {
    const out = mkdtempSync(join(tmpdir(), 'cdk8s-synth-'));
    // Offline as a user on a plane: in a network namespace of its own (root only; CI runs as root).
    const offline = spawnSync('unshare', ['-n', 'true']).status === 0;
    if (!offline && process.env.CI) throw new Error('unshare -n failed: the offline run of cdk8s synth cannot be shown');
    const command = [...(offline ? ['unshare', '-n'] : []), 'npx', 'cdk8s', 'synth', '--check-upgrade=false', '--output', out];
    const result = spawnSync(command[0], command.slice(1), { cwd: ROOT, encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(readYaml(join(out, 'platform.k8s.yaml'))).toEqual(JSON.parse(JSON.stringify(synthApp('platform').manifests)));
  }, 60_000);

  test('the AWS switch (`npm run synth -- --aws`) writes the platform on S3 with a role per component, and cdktf synth its Terraform, offline; the two files agree', () => {
    const k8sOut = mkdtempSync(join(tmpdir(), 'synth-aws-'));
    run(process.execPath, [CLI, 'synth', 'platform', '--out', k8sOut, '--aws']);
    const manifests = readYaml(join(k8sOut, 'platform-aws.k8s.yaml'));
    expect(manifests).toEqual(JSON.parse(JSON.stringify(synthApp('platform-aws').manifests)));

    // The CLI as users run it: cdktf.json names the app; no network, no terraform binary, no provider download.
    const tfOut = mkdtempSync(join(tmpdir(), 'cdktf-synth-'));
    run('npx', ['cdktf', 'synth', '--output', tfOut], { DISABLE_VERSION_CHECK: '1', CHECKPOINT_DISABLE: '1', CI: '1' });
    const stackFile = join(tfOut, 'stacks', 'platform-aws-storage', 'cdk.tf.json');
    const tf = JSON.parse(readFileSync(stackFile, 'utf8'));
    const { '//': _metadata, ...inMemory } = synthPlatformAwsStack() as any;
    expect(withoutMetadata(tf.resource)).toEqual(inMemory.resource);
    expect(agreementProblems(manifests, tf)).toEqual([]);
  }, 120_000);

  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });

  test('help, version and the list of apps', () => {
    const help = cli('--help');
    expect({ status: help.status, stderr: help.stderr }).toEqual({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: obs-platform <command>/);
    expect(help.stdout).toContain('synth [APP...] [--out DIR] [--aws] [--all] [--diagram]');
    expect(cli('--version').stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(
      cli('list')
        .stdout.trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(Object.keys(APPS));
  });

  test.each([
    [['synth', 'nope'], `obs-platform: unknown app "nope" (apps: ${Object.keys(APPS).join(', ')})`],
    [['synth', '--nope'], 'obs-platform: unknown option "--nope" for synth (options: --out DIR, --aws, --all, --diagram)'],
    [['synth', 'loki-aws', '--aws'], 'obs-platform: app "loki-aws" has no AWS variant (apps with one: platform)'],
    [['synth', 'platform', '--all'], 'obs-platform: give app names or --all, not both'],
    [['synth', '--out'], 'obs-platform: --out needs a directory'],
    [['deploy'], 'obs-platform: unknown command "deploy" (commands: synth, diff, plan, list; see --help)'],
  ])('%j is refused in one line, exit status 2, nothing written', (args, message) => {
    const out = mkdtempSync(join(tmpdir(), 'refused-'));
    // Every synth that gets as far as writing is pointed at an empty folder, which must stay empty.
    const result = cli(...args, ...(args[0] === 'synth' && !args.includes('--out') ? ['--out', out] : []));
    expect({ status: result.status, stderr: result.stderr, stdout: result.stdout }).toEqual({ status: 2, stderr: `${message}\n`, stdout: '' });
    expect(readdirSync(out)).toEqual([]);
  });

  test("synth --diagram writes each chart's connections beside its YAML, and a run without it leaves none", () => {
    const out = mkdtempSync(join(tmpdir(), 'synth-diagram-'));
    const result = cli('synth', 'platform-dev', '--diagram', '--out', out);
    expect(result.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['platform-dev.connections.md', 'platform-dev.k8s.yaml']);
    const page = readFileSync(join(out, 'platform-dev.connections.md'), 'utf8');
    expect(page).toContain(`\`\`\`mermaid\n${mermaidDiagram(connectionGraph(synthApp('platform-dev').manifests))}\`\`\``);
    expect(cli('synth', 'platform-dev', '--out', out).status).toBe(0);
    expect(readdirSync(out)).toEqual(['platform-dev.k8s.yaml']);
  });

  test('synth reports every file with its objects per kind, and leaves no file of an earlier run or variant', () => {
    const out = mkdtempSync(join(tmpdir(), 'synth-stale-'));
    const first = cli('synth', '--out', out);
    expect(first.status).toBe(0);
    const manifests = synthApp('platform').manifests;
    const deployments = manifests.filter((m) => m.kind === 'Deployment').length;
    expect(first.stdout).toContain(`wrote ${join(out, 'platform.k8s.yaml')}: ${manifests.length} objects (`);
    expect(first.stdout).toContain(`Deployment ${deployments},`);
    // What the cluster must have room for, read from the output.
    const footprint = footprintOf(manifests);
    expect(first.stdout).toContain(`  ${describeFootprint(footprint)} by ${footprint.pods} pods`);
    // The AWS variant into the same folder: the MinIO platform's file is gone, so `kubectl apply -f` applies one platform.
    expect(cli('synth', '--aws', '--out', out).status).toBe(0);
    expect(readdirSync(out)).toEqual(['platform-aws.k8s.yaml']);
    // Then every app: each in its folder, and nothing left at the top.
    expect(cli('synth', '--all', '--out', out).status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(Object.keys(APPS).sort());
  });
});
