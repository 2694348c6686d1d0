/** A key tree: leaf = type string, nested block = object, list of blocks = `{ "[]": {...} }`. */
export type KeyTree = { [key: string]: string | KeyTree };

/**
 * Paths in `config` that the key tree does not know. Values under a leaf (maps, free-form
 * blocks) are not descended into: the reference gives them no fixed keys.
 */
export function unknownKeys(config: unknown, tree: KeyTree, path = ''): string[] {
  if (config === null || typeof config !== 'object') return [];
  if (Array.isArray(config)) {
    const item = tree['[]'];
    if (item === undefined || typeof item === 'string') return [];
    return config.flatMap((entry, i) => unknownKeys(entry, item, `${path}[${i}]`));
  }
  return Object.entries(config as Record<string, unknown>).flatMap(([key, value]) => {
    const here = path ? `${path}.${key}` : key;
    const node = tree[key];
    if (node === undefined) return [here];
    if (typeof node === 'string') return [];
    return unknownKeys(value, node, here);
  });
}

/** Paths of the gRPC client blocks in a key tree (dskit's `grpcclient.Config`: compression and TLS keys). */
export function grpcClientBlocks(tree: KeyTree, path = ''): string[] {
  const here = 'grpc_compression' in tree && 'tls_enabled' in tree ? [path] : [];
  const nested = Object.entries(tree).flatMap(([key, node]) =>
    typeof node === 'string' || key === '[]' ? [] : grpcClientBlocks(node, path ? `${path}.${key}` : key),
  );
  return [...here, ...nested];
}
