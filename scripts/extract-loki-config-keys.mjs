#!/usr/bin/env node
// Builds a JSON tree of every YAML key documented in Loki's generated
// configuration reference (docs/sources/shared/configuration.md), so tests can
// check that the Loki config we generate only uses keys that really exist.
//
// Usage: node scripts/extract-loki-config-keys.mjs <configuration.md> > out.json
//
// Output shape:
//   leaf                -> the type string from the doc ("boolean", "duration", ...)
//   nested block        -> object of the same shape
//   list of blocks      -> { "[]": { ...item keys... } }
//   user-keyed maps     -> leaf with the doc's type ("map of string to ...")
//   reference cycle     -> leaf "<ref:NAME>"
import { readFileSync } from 'node:fs';

const SQUASH = '...'; // marker prefix for "[<block>]" lines, which inline a block's keys
const ENTRY = /^\[([^\s:[\]<>]*):\s*<([^>]*)>.*\]$/; // [key: <type> | default = ...]
const INLINE = /^\[<([\w-]+)>\]$/; // [<block_name>]
const NESTED = /^([\w-]+):$/; // key: (children follow, indented)

function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: extract-loki-config-keys.mjs <configuration.md>\n');
    process.exit(2);
  }
  const { root, blocks } = collectSections(readFileSync(file, 'utf8'));
  if (!root) throw new Error('top-level configuration block not found');
  const tree = resolveNode(root, blocks, []);
  process.stdout.write(JSON.stringify(tree, null, 2) + '\n');
}

// Splits the reference part of the doc into the top-level block and the named
// "### block_name" sections. The reference region starts at the "Supported
// contents" heading and ends at the next level-2 heading; later sections hold
// examples that are not part of the schema.
function collectSections(md) {
  const lines = md.split(/\r?\n/);
  const blocks = new Map();
  let root = null;
  let inRegion = false;
  let section = null; // '' for the top-level block, else a block name
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^### Supported contents/.test(line)) {
      inRegion = true;
      section = '';
      continue;
    }
    if (!inRegion) continue;
    if (/^## /.test(line)) break;
    const h = /^### ([\w-]+)\s*$/.exec(line);
    if (h) {
      section = h[1];
      continue;
    }
    if (section === null || !/^```yaml\s*$/.test(line)) continue;
    const body = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    // Some sections show a usage example fence before the schema fence; only a
    // fence with "[key: ...]" / "[<block>]" entries is the schema.
    const isSchema = body.some((l) => /^\s*\[/.test(l));
    const done = section === '' ? root !== null : blocks.has(section);
    if (!isSchema || done) continue;
    const parsed = parseFence(body);
    if (section === '') root = parsed;
    else blocks.set(section, parsed);
  }
  return { root, blocks };
}

// Parses one schema fence into a raw tree. Nesting is by indentation only:
// a bare "key:" opens an inline object whose members are indented deeper.
function parseFence(body) {
  const root = {};
  const stack = [{ indent: 0, obj: root }];
  for (const raw of body) {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    while (stack.length > 1 && stack[stack.length - 1].indent > indent) stack.pop();
    const top = stack[stack.length - 1];
    const parent = top.obj;
    let m;
    if ((m = ENTRY.exec(text)) && m[1] === '' && top.owner) {
      // "[: <map of ...>]" documents an inline map: the enclosing key is itself
      // a user-keyed map, so it becomes a leaf with that type.
      top.owner[top.key] = m[2].trim();
    } else if (m) {
      setKey(parent, m[1], m[2].trim());
    } else if ((m = INLINE.exec(text))) {
      parent[SQUASH + m[1]] = true;
    } else if ((m = NESTED.exec(text))) {
      const child = {};
      setKey(parent, m[1], child);
      stack.push({ indent: indent + 1, obj: child, owner: parent, key: m[1] }); // any deeper indent is a child
    } else {
      process.stderr.write(`warning: unrecognised line: ${raw}\n`);
    }
  }
  return root;
}

function setKey(obj, key, value) {
  if (Object.hasOwn(obj, key)) process.stderr.write(`warning: duplicate key ${key}\n`);
  obj[key] = value;
}

// Replaces block references with the referenced block's resolved keys.
// `stack` holds the block names being expanded, to cut reference cycles.
function resolveNode(node, blocks, stack) {
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith(SQUASH)) {
      const name = key.slice(SQUASH.length);
      const inlined = resolveRef(name, blocks, stack);
      if (typeof inlined === 'string')
        out[key] = inlined; // unknown block or cycle
      else for (const [k, v] of Object.entries(inlined)) mergeKey(out, k, v);
    } else if (typeof value === 'string') {
      mergeKey(out, key, resolveType(value, blocks, stack));
    } else {
      mergeKey(out, key, resolveNode(value, blocks, stack));
    }
  }
  return out;
}

// A type is either a plain leaf type, a block name, or "list of <block>s".
// Maps ("map of string to X") are keyed by user-chosen names, so stay leaves.
function resolveType(type, blocks, stack) {
  if (blocks.has(type)) return resolveRef(type, blocks, stack);
  const list = /^list of (\w+?)s$/.exec(type);
  if (list && blocks.has(list[1])) return { '[]': resolveRef(list[1], blocks, stack) };
  return type;
}

function resolveRef(name, blocks, stack) {
  if (!blocks.has(name)) {
    process.stderr.write(`warning: unknown block <${name}>\n`);
    return `<ref:${name}>`;
  }
  if (stack.includes(name)) return `<ref:${name}>`;
  return resolveNode(blocks.get(name), blocks, [...stack, name]);
}

// Squashed blocks can repeat a key that the parent also declares; keep the
// first one but merge nested objects so no documented key is lost.
function mergeKey(out, key, value) {
  const prev = out[key];
  if (prev === undefined) out[key] = value;
  else if (typeof prev === 'object' && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) mergeKey(prev, k, v);
  }
}

main();
