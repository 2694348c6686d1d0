#!/usr/bin/env node
// Builds a JSON tree of the YAML/JSON keys that Thanos accepts in the config
// files our constructs generate, read from the Go struct tags at a Thanos tag
// (and at the thanos-io/objstore commit that tag's go.mod pins), so tests can
// refuse keys Thanos does not know.
//
// Usage:
//   node scripts/extract-thanos-config-keys.mjs <thanos-git-dir> <objstore-git-dir> [thanos-ref] [--shape=typed]
//     > test/fixtures/thanos-0.42.4-config-keys.json
// The git dirs may be bare (files are read with `git show <ref>:<path>`); the
// objstore commit is taken from the pseudo-version in the Thanos go.mod.
//
// Output shape (default): leaf -> true; struct -> object of its keys; a list
// of structs -> its element's keys; a map or free-form value -> true. A
// `config: any` field that is decoded by `type` gets one subtree per accepted
// type value, keyed by the lower-cased value ("s3", "in-memory", ...).
// With --shape=typed: leaf -> the Go type, list of structs -> { "[]": {...} }
// (the shape of test/support/config-keys.ts), and `config` variants likewise
// keyed by lower-cased type value. A file that is a top-level list (hashring,
// query) is given as its element's tree in both shapes.
//
// Only struct tags are read. What each file's parser does with them (strict or
// lenient decoding, which `type` values exist) was checked by hand and is
// recorded in ROOTS below and in the output's "source" entry.
import { execFileSync } from 'node:child_process';

const THANOS = 'github.com/thanos-io/thanos';
const OBJSTORE = 'github.com/thanos-io/objstore';

// Go packages whose struct types may appear in a config tree. Every non-test
// .go file of each directory is parsed; types of other packages are leaves.
const PACKAGES = [
  [OBJSTORE, ''],
  [OBJSTORE, 'client'],
  [OBJSTORE, 'providers/s3'],
  [OBJSTORE, 'exthttp'],
  [THANOS, 'pkg/store/cache'],
  [THANOS, 'pkg/cache'],
  [THANOS, 'pkg/cacheutil'],
  [THANOS, 'pkg/queryfrontend'],
  [THANOS, 'pkg/receive'],
  [THANOS, 'pkg/alert'],
  [THANOS, 'pkg/clientconfig'],
  [THANOS, 'cmd/thanos'],
];

const pkgPath = (module, dir) => (dir ? `${module}/${dir}` : module);
const ref = (module, dir, type) => ({ pkg: pkgPath(module, dir), type });

// One tree per config file. `variants` fills the `config: any` field: type
// value -> struct. `strict` records how each part is decoded (hand-checked).
const ROOTS = {
  objstore: {
    flag: '--objstore.config(-file)',
    root: ref(OBJSTORE, 'client', 'BucketConfig'),
    variants: { field: 'config', constsIn: OBJSTORE, byType: { S3: ref(OBJSTORE, 'providers/s3', 'Config') } },
    strict: {
      '': 'yaml.v2 UnmarshalStrict (client/factory.go NewBucket)',
      'config.s3': 'yaml.v2 UnmarshalStrict (providers/s3/s3.go parseConfig)',
    },
    typeValues: 'GCS, S3, AZURE, SWIFT, COS, ALIYUNOSS, FILESYSTEM, BOS, OCI, OBS; matched after strings.ToUpper (case-insensitive); only S3 is in this tree',
  },
  indexCache: {
    flag: '--index-cache.config(-file)',
    root: ref(THANOS, 'pkg/store/cache', 'IndexCacheConfig'),
    variants: {
      field: 'config',
      byType: {
        'IN-MEMORY': ref(THANOS, 'pkg/store/cache', 'InMemoryIndexCacheConfig'),
        MEMCACHED: ref(THANOS, 'pkg/cacheutil', 'MemcachedClientConfig'),
        REDIS: ref(THANOS, 'pkg/cacheutil', 'RedisClientConfig'),
      },
    },
    strict: {
      '': 'yaml.v2 UnmarshalStrict (pkg/store/cache/factory.go NewIndexCache)',
      'config.in-memory': 'LENIENT: yaml.v2 Unmarshal (pkg/store/cache/inmemory.go parseInMemoryIndexCacheConfig)',
      'config.memcached': 'LENIENT: yaml.v2 Unmarshal (pkg/cacheutil/memcached_client.go parseMemcachedClientConfig)',
      'config.redis': 'LENIENT: yaml.v2 Unmarshal (pkg/cacheutil/redis_client.go parseRedisClientConfig)',
    },
    typeValues: 'IN-MEMORY, MEMCACHED, REDIS; matched after strings.ToUpper (case-insensitive)',
  },
  cachingBucket: {
    flag: '--store.caching-bucket.config(-file) (hidden flag)',
    root: ref(THANOS, 'pkg/store/cache', 'CachingWithBackendConfig'),
    variants: {
      field: 'config',
      byType: {
        'IN-MEMORY': ref(THANOS, 'pkg/cache', 'InMemoryCacheConfig'),
        MEMCACHED: ref(THANOS, 'pkg/cacheutil', 'MemcachedClientConfig'),
        REDIS: ref(THANOS, 'pkg/cacheutil', 'RedisClientConfig'),
        GROUPCACHE: ref(THANOS, 'pkg/cache', 'GroupcacheConfig'),
      },
    },
    strict: {
      '': 'yaml.v2 UnmarshalStrict (pkg/store/cache/caching_bucket_factory.go NewCachingBucketFromYaml)',
      'config.*': 'LENIENT: yaml.v2 Unmarshal in each backend parser (pkg/cache/inmemory.go, pkg/cache/groupcache.go, pkg/cacheutil/*_client.go)',
    },
    typeValues: 'IN-MEMORY, MEMCACHED, REDIS, GROUPCACHE; matched after strings.ToUpper (case-insensitive)',
  },
  responseCache: {
    flag: '--query-range.response-cache-config(-file), also --labels.response-cache-config(-file)',
    root: ref(THANOS, 'pkg/queryfrontend', 'CacheProviderConfig'),
    variants: {
      field: 'config',
      byType: {
        'IN-MEMORY': ref(THANOS, 'pkg/queryfrontend', 'InMemoryResponseCacheConfig'),
        MEMCACHED: ref(THANOS, 'pkg/queryfrontend', 'MemcachedResponseCacheConfig'),
        REDIS: ref(THANOS, 'pkg/queryfrontend', 'RedisResponseCacheConfig'),
      },
    },
    strict: {
      '': 'yaml.v2 UnmarshalStrict (pkg/queryfrontend/config.go NewCacheConfig)',
      'config.in-memory': 'LENIENT: yaml.v2 Unmarshal (same function)',
      'config.memcached': 'yaml.v2 UnmarshalStrict (same function)',
      'config.redis': 'yaml.v2 UnmarshalStrict (same function)',
    },
    typeValues: 'IN-MEMORY, MEMCACHED, REDIS; matched after strings.ToUpper (case-insensitive)',
  },
  hashring: {
    flag: '--receive.hashrings-file / --receive.hashrings (a JSON array; the tree is its element)',
    root: ref(THANOS, 'pkg/receive', 'HashringConfig'),
    tag: 'json',
    strict: {
      '': 'LENIENT: encoding/json Unmarshal (pkg/receive/config.go ParseConfig): unknown keys ignored, key match case-insensitive',
    },
    notes: 'endpoints[] may be plain strings (the address) or objects {address, capnproto_address, az}; address is required',
  },
  endpointSd: {
    flag: '--endpoint.sd-config(-file) (query)',
    root: ref(THANOS, 'cmd/thanos', 'EndpointConfig'),
    strict: { '': 'LENIENT: yaml.v3 Unmarshal (cmd/thanos/endpointset.go parse): unknown keys ignored' },
  },
  alertmanagers: {
    flag: '--alertmanagers.config(-file) (rule)',
    root: ref(THANOS, 'pkg/alert', 'AlertingConfig'),
    strict: { '': 'yaml.v2 UnmarshalStrict (pkg/alert/config.go LoadAlertingConfig)' },
  },
  query: {
    flag: '--query.config(-file) (rule; a YAML array; the tree is its element)',
    root: ref(THANOS, 'pkg/clientconfig', 'Config'),
    strict: { '': 'yaml.v2 UnmarshalStrict (pkg/clientconfig/config.go LoadConfigs)' },
  },
};

// ---------------------------------------------------------------------------

function main() {
  const args = process.argv.slice(2);
  const typed = args.includes('--shape=typed');
  const [thanosGit, objstoreGit, thanosRef = 'v0.42.4'] = args.filter((a) => !a.startsWith('--'));
  if (!thanosGit || !objstoreGit) {
    process.stderr.write('usage: extract-thanos-config-keys.mjs <thanos-git-dir> <objstore-git-dir> [thanos-ref] [--shape=typed]\n');
    process.exit(2);
  }

  const goMod = git(thanosGit, 'show', `${thanosRef}:go.mod`);
  const pin = new RegExp(`^\\s*${escapeRe(OBJSTORE)}\\s+(\\S+)`, 'm').exec(goMod);
  if (!pin) throw new Error(`${OBJSTORE} not found in go.mod at ${thanosRef}`);
  if (/^\s*replace\b[\s\S]*thanos-io\/objstore\s*=>/m.test(goMod)) throw new Error('go.mod replaces objstore; resolve by hand');
  const objstoreVersion = pin[1];
  const hash = /-([0-9a-f]{12})$/.exec(objstoreVersion);
  const objstoreRef = hash ? hash[1] : objstoreVersion; // pseudo-version -> commit, else a tag

  const repos = {
    [THANOS]: { dir: thanosGit, ref: thanosRef, commit: git(thanosGit, 'rev-parse', `${thanosRef}^{commit}`).trim() },
    [OBJSTORE]: { dir: objstoreGit, ref: objstoreRef, commit: git(objstoreGit, 'rev-parse', `${objstoreRef}^{commit}`).trim() },
  };

  const pkgs = new Map();
  for (const [module, dir] of PACKAGES) pkgs.set(pkgPath(module, dir), loadPackage(repos[module], module, dir));

  const used = new Set();
  const out = {
    source: {
      generator: 'scripts/extract-thanos-config-keys.mjs',
      shape: typed
        ? 'leaf = Go type; list of structs = {"[]": item}; `config` = one subtree per accepted `type` value (lower-cased)'
        : 'leaf = true; list of structs = its element keys; `config` = one subtree per accepted `type` value (lower-cased)',
      thanos: { module: THANOS, ref: thanosRef, commit: repos[THANOS].commit },
      objstore: { module: OBJSTORE, version: objstoreVersion, commit: repos[OBJSTORE].commit, pinnedBy: `${THANOS}@${thanosRef}:go.mod` },
      files: [],
      configs: {},
    },
  };
  for (const [name, spec] of Object.entries(ROOTS)) {
    const ctx = { pkgs, used, typed, tag: spec.tag ?? 'yaml' };
    const tree = resolveStruct(ctx, spec.root, []);
    if (spec.variants) {
      const { field, byType } = spec.variants;
      if (!(field in tree)) throw new Error(`${name}: no field ${field}`);
      const constPkg = pkgs.get(spec.variants.constsIn ?? spec.root.pkg);
      const variants = {};
      for (const [value, target] of Object.entries(byType)) {
        // The accepted value must be a string constant of the package that switches on it.
        const hit = [...constPkg.files].find(([, text]) => new RegExp(`=\\s*"${escapeRe(value)}"`).test(text));
        if (!hit) throw new Error(`${name}: type value "${value}" not found in ${constPkg.path}`);
        used.add(hit[0]);
        variants[value.toLowerCase()] = resolveStruct(ctx, target, []);
      }
      tree[field] = variants;
    }
    out[name] = tree;
    const { root, variants, tag, ...meta } = spec;
    out.source.configs[name] = meta;
  }
  out.source.files = [...used].sort();
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

function git(dir, ...args) {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------
// A small parser for gofmt'd Go: top-level `type` declarations only.

function loadPackage(repo, module, dir) {
  const names = git(repo.dir, 'ls-tree', '--name-only', `${repo.ref}:${dir}`)
    .split('\n')
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  const types = new Map(); // name -> { kind: 'struct', fields, file } | { kind: 'named', underlying, file }
  const imports = new Map(); // file -> alias -> import path
  const files = new Map(); // file id -> text
  for (const name of names) {
    const file = dir ? `${dir}/${name}` : name;
    const text = git(repo.dir, 'show', `${repo.ref}:${file}`);
    const id = `${module}@${repo.ref}:${file}`;
    files.set(id, text);
    imports.set(id, parseImports(text));
    for (const [typeName, decl] of parseTypes(text, id)) {
      if (types.has(typeName)) throw new Error(`duplicate type ${typeName} in ${pkgPath(module, dir)}`);
      types.set(typeName, decl);
    }
  }
  return { path: pkgPath(module, dir), types, imports, files };
}

function parseImports(text) {
  const map = new Map();
  const add = (line) => {
    const m = /^\s*(?:([\w.]+)\s+)?"([^"]+)"/.exec(line);
    if (!m) return;
    const alias =
      m[1] ??
      m[2]
        .split('/')
        .filter((p) => !/^v\d+$/.test(p))
        .pop()
        .replace(/[^\w]/g, '');
    map.set(alias, m[2]);
  };
  const block = /^import \(\n([\s\S]*?)^\)/m.exec(text);
  if (block) block[1].split('\n').forEach(add);
  for (const m of text.matchAll(/^import (.+)$/gm)) if (!m[1].startsWith('(')) add(m[1]);
  return map;
}

function parseTypes(text, file) {
  const lines = text.split('\n');
  const out = new Map();
  let inGroup = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^type \($/.test(line)) {
      inGroup = true;
      continue;
    }
    if (inGroup && /^\)$/.test(line)) {
      inGroup = false;
      continue;
    }
    const head = inGroup ? /^\t(\w+)(\[[^\]]*\])? (.*)$/.exec(line) : /^type (\w+)(\[[^\]]*\])? (.*)$/.exec(line);
    if (!head) continue;
    const [, name, , rest] = head;
    if (/^struct \{\s*\}$/.test(rest)) {
      out.set(name, { kind: 'struct', fields: [], file });
      continue;
    }
    if (/^struct \{$/.test(rest)) {
      const close = inGroup ? '\t}' : '}';
      const { fields, end } = parseStructBody(lines, i + 1, close, file);
      out.set(name, { kind: 'struct', fields, file });
      i = end;
      continue;
    }
    if (/\binterface \{/.test(rest) || /^func\b/.test(rest)) {
      out.set(name, { kind: 'named', underlying: 'any', file });
      continue;
    }
    const alias = /^(?:= )?([^\s/]+)/.exec(rest);
    out.set(name, { kind: 'named', underlying: alias[1], file });
  }
  return out;
}

// Parses struct fields from `start` up to the closing line (`close` exactly,
// or, for a nested anonymous struct, its indent + `}` and an optional tag).
function parseStructBody(lines, start, close, file) {
  const fields = [];
  for (let i = start; i < lines.length; i++) {
    const raw = lines[i];
    if (typeof close === 'string' ? raw === close : close.test(raw)) return { fields, end: i, closeLine: raw };
    const line = stripComment(raw).trim();
    if (line === '') continue;
    let m;
    if ((m = /^(\w+) struct \{$/.exec(line))) {
      const indent = /^\s*/.exec(raw)[0];
      const inner = parseStructBody(lines, i + 1, new RegExp(`^${indent}\\}\\s*(\`[^\`]*\`)?\\s*$`), file);
      fields.push({ names: [m[1]], type: { anon: inner.fields }, tag: /`[^`]*`/.exec(inner.closeLine)?.[0] ?? '' });
      i = inner.end;
    } else if ((m = /^(\w+(?:\s*,\s*\w+)*)\s+([^`\s][^`]*?)\s*(`[^`]*`)?$/.exec(line))) {
      fields.push({ names: m[1].split(/\s*,\s*/), type: m[2], tag: m[3] ?? '' });
    } else if ((m = /^(\*?[\w.]+)\s*(`[^`]*`)?$/.exec(line))) {
      fields.push({ names: [], embedded: true, type: m[1], tag: m[2] ?? '' });
    } else {
      throw new Error(`${file}: unrecognised struct line: ${raw}`);
    }
  }
  throw new Error(`${file}: unterminated struct`);
}

// Cuts a `//` comment that is outside any `...` or "..." literal.
function stripComment(line) {
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === '`' || c === '"') quote = c;
    else if (c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

// ---------------------------------------------------------------------------

function tagOf(tag, key) {
  const m = new RegExp(`${key}:"([^"]*)"`).exec(tag);
  if (!m) return null;
  const [name, ...opts] = m[1].split(',');
  return { name, opts };
}

function resolveStruct(ctx, { pkg, type }, stack) {
  const p = ctx.pkgs.get(pkg);
  if (!p) throw new Error(`package ${pkg} not loaded`);
  const node = resolveType(ctx, p, type, null, stack);
  if (typeof node !== 'object' || node === null) throw new Error(`${pkg}.${type} is not a struct`);
  return node;
}

// Returns the key tree for a Go type expression, or a leaf.
function resolveType(ctx, pkg, expr, file, stack) {
  const leaf = (t) => (ctx.typed ? t : true);
  if (typeof expr === 'object') return structTree(ctx, pkg, expr.anon, file, stack);
  let t = expr.trim();
  while (t.startsWith('*')) t = t.slice(1);
  const list = /^\[\d*\](.+)$/.exec(t);
  if (list) {
    const item = resolveType(ctx, pkg, list[1], file, stack);
    if (typeof item !== 'object') return leaf(expr);
    return ctx.typed ? { '[]': item } : item;
  }
  if (/^(map\[|any$|interface\s*\{|func\b|chan\b)/.test(t)) return leaf(expr);
  let target = pkg;
  let name = t;
  const q = /^(\w+)\.(\w+)$/.exec(t);
  if (q) {
    const importPath = file && pkg.imports.get(file)?.get(q[1]);
    target = importPath && ctx.pkgs.get(importPath);
    if (!target) return leaf(expr);
    name = q[2];
  }
  const decl = target.types.get(name);
  if (!decl) return leaf(expr); // builtin or unknown: a scalar
  const key = `${target.path}.${name}`;
  if (stack.includes(key)) throw new Error(`type cycle at ${key}`);
  if (decl.kind === 'named') {
    const r = resolveType(ctx, target, decl.underlying, decl.file, [...stack, key]);
    return typeof r === 'object' ? r : leaf(expr);
  }
  return structTree(ctx, target, decl.fields, decl.file, [...stack, key], decl.file);
}

function structTree(ctx, pkg, fields, file, stack, declFile = file) {
  if (declFile) ctx.used.add(declFile);
  const out = {};
  for (const f of fields) {
    const tag = tagOf(f.tag, ctx.tag);
    if (tag?.name === '-') continue;
    const inline = ctx.tag === 'yaml' ? tag?.opts.includes('inline') : f.embedded && !tag?.name;
    if (inline) {
      const sub = resolveType(ctx, pkg, f.type, declFile, stack);
      if (typeof sub !== 'object') throw new Error(`${declFile}: inline field of non-struct type ${f.type}`);
      for (const [k, v] of Object.entries(sub)) setKey(out, k, v, declFile);
      continue;
    }
    const names = f.embedded ? [f.type.replace(/^\*/, '').split('.').pop()] : f.names;
    for (const n of names) {
      if (!/^[A-Z]/.test(n)) continue; // unexported: not decoded
      // No tag name: yaml.v2/v3 use the lower-cased field name, encoding/json the field name.
      const key = tag?.name || (ctx.tag === 'yaml' ? n.toLowerCase() : n);
      setKey(out, key, resolveType(ctx, pkg, f.type, declFile, stack), declFile);
    }
  }
  return out;
}

function setKey(obj, key, value, file) {
  if (Object.hasOwn(obj, key)) throw new Error(`${file}: duplicate key ${key}`);
  obj[key] = value;
}

main();
