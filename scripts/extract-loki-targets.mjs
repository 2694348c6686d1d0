#!/usr/bin/env node
// Lists the -target values a Loki release accepts: the modules its loki.go
// registers without `modules.UserInvisibleModule`, by the names modules.go
// gives their constants. Tests check every -target the library emits against it.
//
// Usage: node scripts/extract-loki-targets.mjs <pkg/loki/modules.go> <pkg/loki/loki.go> [source label] > out.json
import { readFileSync } from 'node:fs';

const [modulesFile, lokiFile, source] = process.argv.slice(2);
if (!modulesFile || !lokiFile) {
  process.stderr.write('usage: extract-loki-targets.mjs <modules.go> <loki.go> [source label]\n');
  process.exit(2);
}
const names = new Map([...readFileSync(modulesFile, 'utf8').matchAll(/^\s+(\w+)\s*=\s*"([\w-]+)"$/gm)].map((m) => [m[1], m[2]]));
const targets = [...readFileSync(lokiFile, 'utf8').matchAll(/mm\.RegisterModule\((\w+),[^\n]*\)/g)]
  .filter((m) => !m[0].includes('UserInvisibleModule'))
  .map((m) => {
    const value = names.get(m[1]);
    if (!value) throw new Error(`no constant ${m[1]} in ${modulesFile}`);
    return value;
  });
process.stdout.write(JSON.stringify({ source: source ?? 'pkg/loki', targets: [...new Set(targets)].sort() }, null, 2) + '\n');
