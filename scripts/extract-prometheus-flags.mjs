#!/usr/bin/env node
// Lists every command-line flag a given Prometheus release accepts, so tests can
// check that the args we give the Prometheus container really exist, and that
// agent-mode and server-mode pods only get flags valid in their mode (Prometheus
// exits with code 3 when a server-only flag is given with --agent, and the
// other way round; see cmd/prometheus/main.go).
//
// Usage:
//   node scripts/extract-prometheus-flags.mjs <prometheus-git-dir> <tag> \
//     > test/fixtures/prometheus-<version>-flags.json
// e.g. git clone --bare https://github.com/prometheus/prometheus /tmp/prom.git &&
//      node scripts/extract-prometheus-flags.mjs /tmp/prom.git v3.14.0 \
//     > test/fixtures/prometheus-3.14.0-flags.json
// <prometheus-git-dir> is any clone of github.com/prometheus/prometheus (a bare
// one is fine); files are read with `git show <tag>:<path>`, no work tree needed.
//
// Sources, both at <tag>:
//   docs/command-line/prometheus.md  generated flag table (the documented flags)
//   cmd/prometheus/main.go           the flag definitions, read only to find the
//                                    flags hidden from the docs (`.Hidden()`), which
//                                    include --storage.tsdb.min/max-block-duration
//                                    that the Thanos sidecar set-up needs, and to
//                                    find which flags are booleans.
// The two are cross-checked: a visible flag in main.go missing from the docs, or
// a mode disagreement, is an error.
//
// Output:
//   source, hiddenSource  where the data came from
//   flags       every accepted long flag, sorted; a boolean flag appears both as
//               --x and --no-x (kingpin accepts --no-x for any boolean flag)
//   agentOnly   flags the docs/code mark "Use with agent mode only."
//   serverOnly  flags the docs/code mark "Use with server mode only."
//   hidden      accepted but undocumented flags (also listed in flags)
//   repeatable  flags that may be given more than once (shown with "..." in the docs)
//   booleans    boolean flags (positive form)
import { execFileSync } from 'node:child_process';

const DOC_PATH = 'docs/command-line/prometheus.md';
const MAIN_PATH = 'cmd/prometheus/main.go';
// Hidden flags that are not configuration: passing them makes Prometheus do
// something else and exit, so they are left out of the accepted list.
const INTERNAL = new Set(['--write-documentation']);
// Documented flags defined outside main.go (kingpin built-ins and the shared
// promslog flags); allowed to be missing from the main.go scan.
const DEFINED_ELSEWHERE = new Set(['--help', '--version', '--log.level', '--log.format']);

const AGENT_MARK = 'Use with agent mode only.';
const SERVER_MARK = 'Use with server mode only.';

function main() {
  const [gitDir, tag] = process.argv.slice(2);
  if (!gitDir || !tag) {
    process.stderr.write('usage: extract-prometheus-flags.mjs <prometheus-git-dir> <tag>\n');
    process.exit(2);
  }
  const doc = parseDocTable(gitShow(gitDir, tag, DOC_PATH));
  const code = parseMainGo(gitShow(gitDir, tag, MAIN_PATH));
  if (doc.size === 0) throw new Error(`no flags found in ${DOC_PATH}@${tag}`);
  if (code.size === 0) throw new Error(`no flag definitions found in ${MAIN_PATH}@${tag}`);

  const errors = [];
  const all = new Map(); // name -> { mode, boolean, repeatable, hidden }
  for (const [name, d] of doc) {
    const c = code.get(name);
    if (!c) {
      if (!DEFINED_ELSEWHERE.has(name)) errors.push(`${name} is documented but not defined in ${MAIN_PATH}`);
    } else {
      if (c.hidden) errors.push(`${name} is documented but marked Hidden() in ${MAIN_PATH}`);
      if (c.mode !== d.mode) errors.push(`${name}: docs say mode ${d.mode}, ${MAIN_PATH} says ${c.mode}`);
    }
    all.set(name, { mode: d.mode, boolean: d.boolean || Boolean(c?.boolean), repeatable: d.repeatable, hidden: false });
  }
  for (const [name, c] of code) {
    if (doc.has(name)) continue;
    if (!c.hidden) {
      errors.push(`${name} is defined without Hidden() in ${MAIN_PATH} but missing from ${DOC_PATH}`);
      continue;
    }
    if (INTERNAL.has(name)) continue;
    all.set(name, { mode: c.mode, boolean: c.boolean, repeatable: c.repeatable, hidden: true });
  }
  if (errors.length) {
    for (const e of errors) process.stderr.write(`error: ${e}\n`);
    process.exit(1);
  }

  const forms = (name, f) => (f.boolean && !DEFINED_ELSEWHERE.has(name) ? [name, '--no-' + name.slice(2)] : [name]);
  const pick = (pred) =>
    [...all]
      .filter(([, f]) => pred(f))
      .flatMap(([name, f]) => forms(name, f))
      .sort();
  const out = {
    source: `prometheus/prometheus ${DOC_PATH}@${tag}`,
    hiddenSource: `prometheus/prometheus ${MAIN_PATH}@${tag}`,
    flags: pick(() => true),
    agentOnly: pick((f) => f.mode === 'agent'),
    serverOnly: pick((f) => f.mode === 'server'),
    hidden: pick((f) => f.hidden),
    repeatable: [...all]
      .filter(([, f]) => f.repeatable)
      .map(([n]) => n)
      .sort(),
    booleans: [...all]
      .filter(([n, f]) => f.boolean && !DEFINED_ELSEWHERE.has(n))
      .map(([n]) => n)
      .sort(),
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

function gitShow(gitDir, tag, path) {
  return execFileSync('git', ['-C', gitDir, 'show', `${tag}:${path}`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

// Rows look like:
// | <code class="text-nowrap">-h</code>, <code class="text-nowrap">--help</code> | Show ... |  |
// | <code class="text-nowrap">--web.listen-address</code> <code class="text-nowrap">...</code> | ... | `0.0.0.0:9090` |
// Cells are split on "|" not preceded by a backslash (descriptions escape "\|").
function parseDocTable(md) {
  const flags = new Map();
  for (const line of md.split(/\r?\n/)) {
    if (!line.startsWith('| <code')) continue;
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length !== 3) throw new Error(`unexpected flag row (${cells.length} cells): ${line}`);
    const [nameCell, desc, def] = cells;
    const codes = [...nameCell.matchAll(/<code[^>]*>([^<]*)<\/code>/g)].map((m) => m[1]);
    const names = codes.filter((c) => c.startsWith('--'));
    if (names.length !== 1) throw new Error(`expected one long flag in: ${nameCell}`);
    const name = names[0];
    if (flags.has(name)) throw new Error(`duplicate flag ${name}`);
    const mode = desc.endsWith(AGENT_MARK) ? 'agent' : desc.endsWith(SERVER_MARK) ? 'server' : 'any';
    flags.set(name, {
      mode,
      boolean: /^`(true|false)`$/.test(def),
      repeatable: codes.includes('...'),
    });
  }
  return flags;
}

// Finds each flag definition in main.go and reads its builder chain up to the
// call that binds the value (…Var(…), .Bool(), .String(), …).
function parseMainGo(src) {
  const flags = new Map();
  const START = /\b(a\.Flag\(|serverOnlyFlag\(a,|agentOnlyFlag\(a,)\s*"([^"]+)"/g;
  // The binding call follows ")." (possibly across a line break); requiring the
  // ")" skips calls like `x.String()` inside a help-text expression.
  const END = /\)\.\s*(\w*Var|SetValue|Bool|String|Strings|Int|Int64|Duration|Enum|Float64|Uint|ExistingFile|ExistingDir)\(/g;
  let m;
  while ((m = START.exec(src))) {
    END.lastIndex = START.lastIndex;
    const e = END.exec(src);
    if (!e) throw new Error(`no value binding after flag ${m[2]}`);
    const chain = src.slice(START.lastIndex, e.index + 1);
    const terminal = e[1];
    const name = '--' + m[2];
    if (flags.has(name)) throw new Error(`duplicate flag definition ${name}`);
    flags.set(name, {
      mode: m[1].startsWith('server') ? 'server' : m[1].startsWith('agent') ? 'agent' : 'any',
      hidden: /\.\s*Hidden\(\)/.test(chain),
      boolean: terminal === 'Bool' || terminal === 'BoolVar',
      repeatable: /^Strings/.test(terminal),
    });
  }
  return flags;
}

main();
