#!/usr/bin/env node
// Packs the library and installs the tarball into a fresh consumer project, as a user would,
// then compiles and runs a Kubernetes-only app there. Prints one JSON line with what it found.
//
//   node scripts/consumer-install.mjs [--with-aws] [--keep]
//
// Without --with-aws the consumer asks for nothing but the package: npm installs the required
// peers (cdk8s, cdk8s-plus-28, constructs) and must leave the optional cdktf ones out.
// With --with-aws it also installs cdktf and the AWS provider and synthesizes the storage stack,
// to measure what the Terraform side costs. Needs the build (`npm run build`) and the registry.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const withAws = process.argv.includes('--with-aws');
const keep = process.argv.includes('--keep');
const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// What a Kubernetes-only user writes: the constructs, a chart, synth in memory.
const KUBERNETES_APP = `
import { App } from 'cdk8s';
import { ObservabilityPlatform } from '@obs-platform/constructs';

const app = new App({ outdir: 'dist' });
const platform = new ObservabilityPlatform(app, 'platform');
console.log(\`objects=\${platform.toJson().length}\`);
`;

// A user of the Terraform side: the same spec through the ./aws entry point.
const AWS_APP = `
import { App as KubernetesApp } from 'cdk8s';
import { App, Testing } from 'cdktf';
import { ObservabilityPlatform } from '@obs-platform/constructs';
import { AwsStorageStack } from '@obs-platform/constructs/aws';

const platform = new ObservabilityPlatform(new KubernetesApp(), 'platform', {
  aws: {
    accountId: '111122223333', region: 'eu-west-1', namePrefix: 'acme',
    identity: { type: 'pod-identity', clusterName: 'prod' },
  },
  loki: { buckets: { chunks: 'acme-consumer-chunks', ruler: 'acme-consumer-ruler' } },
  thanos: { bucket: 'acme-consumer-thanos' },
});
const stack = new AwsStorageStack(new App(), 'storage', { storage: platform.aws! });
const tf = JSON.parse(Testing.synth(stack));
console.log(\`objects=\${platform.toJson().length} buckets=\${Object.keys(tf.resource.aws_s3_bucket).length}\`);
`;

const work = mkdtempSync(join(tmpdir(), 'obs-consumer-'));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

try {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root))[0];
  const tarball = join(work, packed.filename);
  const consumer = join(work, 'consumer');
  mkdirSync(consumer, { recursive: true });
  const dependencies = { '@obs-platform/constructs': `file:${tarball}` };
  if (withAws) Object.assign(dependencies, { cdktf: own.devDependencies.cdktf, '@cdktf/provider-aws': own.devDependencies['@cdktf/provider-aws'] });
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0', dependencies }, null, 2));
  // The README's tsconfig and its first example, run with the README's command: what a newcomer copies.
  writeFileSync(join(consumer, 'tsconfig.json'), readmeTsconfig());
  writeFileSync(join(consumer, 'main.ts'), readFileSync(join(root, 'examples', 'my-app.ts'), 'utf8'));
  writeFileSync(join(consumer, 'platform.ts'), withAws ? AWS_APP : KUBERNETES_APP);

  const started = Date.now();
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], consumer);
  const installMs = Date.now() - started;
  // The project's own compiler on the consumer's code (`npx tsc` in the README): no TypeScript to download here.
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], consumer);
  const output = run(process.execPath, [join(consumer, 'build', 'platform.js')], consumer).trim();
  run(process.execPath, [join(consumer, 'build', 'main.js')], consumer);
  const example = Object.fromEntries(
    readdirSync(join(consumer, 'dist')).map((f) => [f, readFileSync(join(consumer, 'dist', f), 'utf8').split(/^---$/m).length]),
  );

  const modules = join(consumer, 'node_modules');
  console.log(
    JSON.stringify({
      tarballBytes: statSync(tarball).size,
      tarballFiles: packed.files.map((f) => f.path),
      installedBytes: diskUsage(modules),
      packages: countPackages(modules),
      installMs,
      has: Object.fromEntries(
        ['cdk8s', 'cdk8s-plus-28', 'constructs', 'cdktf', '@cdktf/provider-aws', 'cdktf-cli'].map((p) => [p, existsSync(join(modules, p, 'package.json'))]),
      ),
      output,
      example,
      ...(keep ? { dir: consumer } : {}),
    }),
  );
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

/** The tsconfig.json the README gives for your own app (the json block after "tsconfig.json"). */
function readmeTsconfig() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /tsconfig\.json[^\n]*\n+```json\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no ```json block after "tsconfig.json"');
  return block[1];
}

/** Bytes of every file under `dir` (apparent size, like `du -sb`). */
function diskUsage(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += diskUsage(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** Installed packages (folders with a package.json directly under a node_modules). */
function countPackages(dir) {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.bin') continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      count += countPackages(path);
      continue;
    }
    if (existsSync(join(path, 'package.json'))) count += 1;
    if (existsSync(join(path, 'node_modules'))) count += countPackages(join(path, 'node_modules'));
  }
  return count;
}
