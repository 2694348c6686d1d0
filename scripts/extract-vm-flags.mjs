#!/usr/bin/env node
// Lists every command-line flag of the VictoriaMetrics components we deploy, taken from the
// flag reference that upstream regenerates from the release binaries
// (docs/victoriametrics/<component>_common_flags.md), so tests can check that every flag our
// constructs emit exists in the pinned release. Enterprise-only flags are listed apart: the
// images we pin are the open-source ones, which refuse them.
//
// Usage: node scripts/extract-vm-flags.mjs <victoriametrics-git-dir> <tag> > out.json
//    or: node scripts/extract-vm-flags.mjs <module-dir> <version> > out.json
//   e.g. node scripts/extract-vm-flags.mjs "$(go env GOMODCACHE)/github.com/!victoria!metrics/!victoria!metrics@v1.151.0" \
//          v1.151.0 > test/fixtures/victoriametrics-1.151.0-flags.json
// The module the Go proxy serves is the single-node branch, but its docs carry the cluster
// components' flag references too (the docs are shared by both branches).
//
// Output: { source, components: { <name>: { flags, repeatable, enterprise } } }
//   flags       sorted flag names with one leading dash, e.g. "-storageNode"
//   repeatable  array flags (may be given many times or comma-separated)
//   enterprise  flags only the enterprise binary accepts
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const COMPONENTS = ['vminsert', 'vmselect', 'vmstorage', 'vmagent'];
// "  -name" or "  -name type": flag lines are indented by exactly two spaces.
const FLAG_LINE = /^ {2}(-[A-Za-z][\w.-]*)(?: (\S+))?\s*$/;

function main() {
  const [gitDir, tag] = process.argv.slice(2);
  if (!gitDir || !tag) {
    process.stderr.write('usage: extract-vm-flags.mjs <victoriametrics-git-dir|module-dir> <tag|version>\n');
    process.exit(2);
  }
  // A module directory (from `go mod download`) is read as it is; a git directory at the tag.
  const show = existsSync(join(gitDir, 'go.mod'))
    ? (path) => readFileSync(join(gitDir, path), 'utf8')
    : (path) => execFileSync('git', ['-C', gitDir, 'show', `${tag}:${path}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const components = {};
  for (const name of COMPONENTS) {
    const common = parse(show(`docs/victoriametrics/${name}_common_flags.md`));
    const enterprise = parse(show(`docs/victoriametrics/${name}_enterprise_flags.md`));
    if (common.flags.length < 50) throw new Error(`${name}: only ${common.flags.length} flags found; has the file format changed?`);
    components[name] = {
      flags: common.flags,
      repeatable: common.repeatable,
      enterprise: enterprise.flags.filter((f) => !common.flags.includes(f)),
    };
  }
  const out = { source: `VictoriaMetrics/VictoriaMetrics docs/victoriametrics/*_flags.md@${tag}`, components };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

function parse(md) {
  const flags = new Set();
  const repeatable = new Set();
  for (const line of md.split(/\r?\n/)) {
    const m = FLAG_LINE.exec(line);
    if (!m) continue;
    flags.add(m[1]);
    if (m[2] === 'array') repeatable.add(m[1]);
  }
  return { flags: [...flags].sort(), repeatable: [...repeatable].sort() };
}

main();
