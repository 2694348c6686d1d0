#!/usr/bin/env node
// Writes the upgrade baseline of the end-to-end tier: every chart of every app, as this checkout
// synthesizes it, so that a later version's output can be applied on top of it to a real
// kube-apiserver. Secret values are replaced by "redacted" (base64): the check is about the
// objects' shape and immutable fields, and a baseline must not carry credentials, not even the
// dev-only generated ones. Run it on the release being upgraded from, after `npm run build`:
//   node scripts/e2e-baseline.mjs test/e2e/baseline/<version>.json.gz
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: e2e-baseline.mjs <out.json.gz>\n');
  process.exit(2);
}
process.env.OBS_PLATFORM_WARNINGS = 'silent';
const require = createRequire(resolve('package.json'));
const { App } = require('cdk8s');
const { APPS } = require(resolve('build/apps'));
// The release and the commit it was written from, e.g. "0.1.0 (573bce5)".
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const version = `${require(resolve('package.json')).version} (${commit})`;

const redact = (m) =>
  m.kind === 'Secret'
    ? {
        ...m,
        data: Object.fromEntries(Object.keys({ ...m.data, ...m.stringData }).map((k) => [k, Buffer.from('redacted').toString('base64')])),
        stringData: undefined,
      }
    : m;
const apps = {};
for (const [name, build] of Object.entries(APPS)) {
  const app = new App({ outdir: '/nonexistent' });
  build(app);
  apps[name] = Object.fromEntries(app.charts.map((c) => [c.node.id, c.toJson().map(redact)]));
}
writeFileSync(out, gzipSync(JSON.stringify({ version, apps })));
process.stdout.write(`${out}: ${Object.keys(apps).length} apps\n`);
