#!/usr/bin/env node
// Lists every command-line flag documented in Loki's generated configuration
// reference (docs/sources/shared/configuration.md): the "CLI flag: -name" line
// of each key, and the flags its introduction names in backticks
// (-config.file, -config.expand-env). Flags of reusable blocks, written with a
// "<prefix>" placeholder, are left out: their full names depend on where the
// block is used. Tests check the Loki args we emit against this list.
//
// Usage: node scripts/extract-loki-flags.mjs <configuration.md> [source label] > out.json
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: extract-loki-flags.mjs <configuration.md>\n');
  process.exit(2);
}
const md = readFileSync(file, 'utf8');
const flags = new Set();
for (const m of md.matchAll(/CLI flag: -([A-Za-z0-9._-]+)(?=\s|$)/g)) flags.add(m[1]);
for (const m of md.matchAll(/`-(config\.[a-z.-]+)(?:=[^`]*)?`/g)) flags.add(m[1]);
process.stdout.write(JSON.stringify({ source: process.argv[3] ?? 'docs/sources/shared/configuration.md', flags: [...flags].sort() }, null, 2) + '\n');
