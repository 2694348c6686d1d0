#!/usr/bin/env node
// Lists every command-line flag of the Thanos sub-commands we deploy, taken
// from the `--help` output embedded in docs/components/<cmd>.md at a release
// tag, so tests can check that every flag our constructs emit really exists.
// Hidden flags are not in the help text and so are deliberately not listed.
//
// Usage: node scripts/extract-thanos-flags.mjs <thanos-git-dir> <tag> > out.json
//   e.g. node scripts/extract-thanos-flags.mjs ../thanos/.git v0.42.4 \
//          > test/fixtures/thanos-0.42.4-flags.json
//
// Output: { source, subcommands: { <cmd>: { flags, repeatable, deprecated } } }
//   flags       sorted long flag names; "--[no-]x" yields both "--x" and "--no-x"
//   repeatable  flags whose help line ends with "..." (may be given many times)
//   deprecated  flags whose description mentions "deprecated" (best effort)
import { execFileSync } from 'node:child_process';

const SUBCOMMANDS = ['receive', 'query', 'query-frontend', 'store', 'compact', 'rule', 'sidecar'];
// A flag line is indented by at most 6 columns ("  -h, --x" or "      --x");
// description lines are indented much deeper and may themselves start with "--".
const FLAG_LINE = /^ {2,6}(?:-\w, )?--(\[no-\])?([\w][\w.-]*)(\S*)(.*)$/;

function main() {
  const [gitDir, tag] = process.argv.slice(2);
  if (!gitDir || !tag) {
    process.stderr.write('usage: extract-thanos-flags.mjs <thanos-git-dir> <tag>\n');
    process.exit(2);
  }
  const subcommands = {};
  for (const cmd of SUBCOMMANDS) {
    const md = execFileSync('git', ['-C', gitDir, 'show', `${tag}:docs/components/${cmd}.md`], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    subcommands[cmd] = parseHelp(helpBlock(md, cmd), cmd);
  }
  const out = { source: `thanos-io/thanos docs/components/*.md@${tag}`, subcommands };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

// Returns the lines of the fenced block that starts with "usage: thanos <cmd>".
function helpBlock(md, cmd) {
  const lines = md.split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith(`usage: thanos ${cmd} `));
  if (start < 0) throw new Error(`${cmd}: help block not found`);
  const end = lines.findIndex((l, i) => i > start && /^```/.test(l));
  if (end < 0) throw new Error(`${cmd}: help block not closed`);
  return lines.slice(start, end);
}

function parseHelp(lines, cmd) {
  const entries = []; // { names, repeatable, text }
  let current = null;
  let inFlags = false;
  for (const line of lines) {
    if (/^Flags:\s*$/.test(line)) {
      inFlags = true;
      continue;
    }
    if (!inFlags || line.trim() === '') continue;
    if (/^\S/.test(line)) break; // a new section (e.g. "Args:") ends the flags
    const m = FLAG_LINE.exec(line);
    if (m) {
      const [, negatable, name, value, rest] = m;
      const names = negatable ? [`--${name}`, `--no-${name}`] : [`--${name}`];
      // The value placeholder may contain spaces ("--label=key="value" ..."), so
      // look for the "..." marker before the padding that precedes the description.
      const head = (value + rest).split(/ {2,}/)[0];
      current = { names, repeatable: /\.\.\.$/.test(head.trim()), text: rest };
      entries.push(current);
    } else if (current && /^ {7,}\S/.test(line)) {
      current.text += ' ' + line.trim();
    } else {
      process.stderr.write(`warning: ${cmd}: unrecognised line: ${line}\n`);
    }
  }
  if (entries.length === 0) throw new Error(`${cmd}: no flags found`);
  const pick = (pred) => [...new Set(entries.filter(pred).flatMap((e) => e.names))].sort();
  return {
    flags: pick(() => true),
    repeatable: pick((e) => e.repeatable),
    deprecated: pick((e) => /deprecat/i.test(e.text)),
  };
}

main();
