import { Memcached } from '../memcached/memcached';

/**
 * A Thanos cache: in the component's own memory, or in a memcached the construct emits. Thanos
 * reads each cache config as YAML with `type` and a `config` block.
 */
export interface ThanosCacheConfig {
  readonly type: 'IN-MEMORY' | 'MEMCACHED';
  readonly config: Record<string, unknown>;
  readonly [extra: string]: unknown;
}

/** The memcached client block: every pod of the cache by SRV lookup of its headless Service. */
export function memcachedClient(cache: Memcached): Record<string, unknown> {
  return {
    addresses: [`dnssrv+_${cache.portName}._tcp.${cache.serviceHost}`],
    // Thanos' defaults (500ms) time out on a busy node; the store gateway's lookups tolerate more.
    timeout: '2s',
    dns_provider_update_interval: '30s',
  };
}

/** An index or caching-bucket cache: memcached when given, else in-memory of `size`. */
export function storeCache(cache: Memcached | undefined, inMemorySize: string): ThanosCacheConfig {
  return cache ? { type: 'MEMCACHED', config: memcachedClient(cache) } : { type: 'IN-MEMORY', config: { max_size: inMemorySize } };
}

/** The query-frontend's results cache: memcached when given, else in-memory of `size`. */
export function responseCache(cache: Memcached | undefined, inMemorySize: string): ThanosCacheConfig {
  return cache ? { type: 'MEMCACHED', config: { ...memcachedClient(cache), expiration: '24h' } } : { type: 'IN-MEMORY', config: { max_size: inMemorySize } };
}
