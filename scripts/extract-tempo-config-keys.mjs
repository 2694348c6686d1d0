#!/usr/bin/env node
// Builds a JSON tree of every YAML key Grafana Tempo accepts, from the generated
// manifest (docs/sources/tempo/configuration/manifest.md: the default config
// marshalled to YAML), so tests can check that the Tempo config we generate
// only uses keys that really exist.
//
// Usage: node scripts/extract-tempo-config-keys.mjs <manifest.md> [out.json] [--manifest-only]
//        (writes to stdout when out.json is omitted)
//
// Rules (KeyTree format, same as extract-loki-config-keys.mjs):
//   scalar value        -> leaf type inferred from the YAML value:
//                          "boolean" | "int" | "float" | "duration" (Go duration
//                          text such as 30s, 2h0m0s) | "string"
//   mapping             -> nested object of the same shape
//   mapping with numeric keys (a Go map such as span_metrics.subprocessors),
//   empty mapping {}    -> leaf "map"
//   list of mappings    -> { "[]": { ...union of the items' keys... } }
//   list of scalars     -> leaf "list of <type>s"
//   empty list []       -> leaf "list"
//   null                -> leaf "any" (nil pointer / secret: no keys to offer)
// Leaves are never descended into by test/support/config-keys.ts, so free-form
// blocks (distributor.receivers, which holds OTel receiver config) are leaves.
//
// The manifest is produced with yaml.Marshal, so fields tagged `omitempty`
// whose default is the zero value are missing from it (stream_over_http_enabled,
// metrics_generator.storage.remote_write, every overrides.defaults.* that
// defaults to zero, ...). SUPPLEMENT below lists those keys, each copied from
// the Go struct tags at Tempo v3.0.3 (file:line in the comments). It only adds
// keys the manifest lacks; --manifest-only skips it.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument, isMap, isSeq, isScalar } from 'yaml';

const DURATION = /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

// Keys tagged `omitempty` in Tempo v3.0.3 that the manifest omits.
const DURATION_T = 'duration';
const SLO = { duration_slo: DURATION_T, throughput_bytes_slo: 'float' }; // modules/frontend/config.go:85-88
const PROM_TLS = {
  // vendor/github.com/prometheus/common/config/http_config.go:1199-1229 (TLSConfig)
  ca: 'string',
  cert: 'string',
  key: 'string',
  ca_file: 'string',
  cert_file: 'string',
  key_file: 'string',
  ca_ref: 'string',
  cert_ref: 'string',
  key_ref: 'string',
  server_name: 'string',
  insecure_skip_verify: 'boolean',
  min_version: 'string',
  max_version: 'string',
};
const REMOTE_WRITE_ITEM = {
  // vendor/github.com/prometheus/prometheus/config/config.go:1457-1478 (RemoteWriteConfig)
  url: 'string',
  remote_timeout: DURATION_T,
  headers: 'map',
  write_relabel_configs: 'list',
  name: 'string',
  send_exemplars: 'boolean',
  send_native_histograms: 'boolean',
  round_robin_dns: 'boolean',
  protobuf_message: 'string',
  // inlined HTTPClientConfig, http_config.go:332-360, and ProxyConfig, http_config.go:1554-1569
  basic_auth: {
    // http_config.go:138-147 (BasicAuth)
    username: 'string',
    username_file: 'string',
    username_ref: 'string',
    password: 'string',
    password_file: 'string',
    password_ref: 'string',
  },
  authorization: {
    // http_config.go:159-165 (Authorization)
    type: 'string',
    credentials: 'string',
    credentials_file: 'string',
    credentials_ref: 'string',
  },
  oauth2: 'map',
  bearer_token: 'string',
  bearer_token_file: 'string',
  tls_config: PROM_TLS,
  follow_redirects: 'boolean',
  enable_http2: 'boolean',
  http_headers: 'map',
  proxy_url: 'string',
  no_proxy: 'string',
  proxy_from_environment: 'boolean',
  proxy_connect_header: 'map',
  queue_config: {
    // config.go:1581-1605 (QueueConfig)
    capacity: 'int',
    max_shards: 'int',
    min_shards: 'int',
    max_samples_per_send: 'int',
    batch_send_deadline: DURATION_T,
    min_backoff: DURATION_T,
    max_backoff: DURATION_T,
    retry_on_http_429: 'boolean',
    sample_age_limit: DURATION_T,
  },
  // config.go:1609-1616 (MetadataConfig)
  metadata_config: { send: 'boolean', send_interval: DURATION_T, max_samples_per_send: 'int' },
  sigv4: 'map',
  azuread: 'map',
  google_iam: 'map',
};
const SUPPLEMENT = {
  // cmd/tempo/app/config.go:44-57
  auth_enabled: 'boolean',
  multitenancy_enabled: 'boolean',
  shutdown_delay: DURATION_T,
  stream_over_http_enabled: 'boolean',
  enable_go_runtime_metrics: 'boolean',
  span_profiling: 'boolean',
  metrics_generator_client: 'map', // deprecated, accepted for compatibility
  distributor: {
    // modules/distributor/config.go:36-72
    receivers: 'map',
    log_received_spans: { enabled: 'boolean', include_all_attributes: 'boolean', filter_by_status_error: 'boolean' },
    log_discarded_spans: { enabled: 'boolean', include_all_attributes: 'boolean', filter_by_status_error: 'boolean' },
    metric_received_spans: { enabled: 'boolean', root_only: 'boolean' },
    artificial_delay: DURATION_T,
    // modules/distributor/usage/config.go:14-22
    usage: { cost_attribution: { enabled: 'boolean', max_cardinality: 'int', stale_duration: DURATION_T } },
  },
  querier: {
    // modules/querier/config.go:20-53
    extra_query_delay: DURATION_T,
    secondary_ingester_ring: 'string',
    partition_ring: { preferred_zone: 'string' },
  },
  query_frontend: {
    // modules/frontend/config.go:18-88
    api_timeout: DURATION_T,
    url_deny_list: 'list of strings',
    allowed_headers: 'list of strings',
    rf1_after: 'string', // deprecated, ignored
    skip_ast_transformations: 'list of strings',
    search: { timeout: DURATION_T, ...SLO, metadata_slo: { ...SLO } },
    trace_by_id: { concurrent_shards: 'int', external_enabled: 'boolean', ...SLO },
    // + modules/frontend/metrics_query_range_sharder.go:53
    metrics: { max_response_series: 'int', ...SLO },
  },
  metrics_generator: {
    // modules/generator/processor/spanmetrics/config.go:88
    processor: { span_metrics: { intrinsic_dimensions: { status_message: 'boolean' } } },
    // modules/generator/registry/config.go:19-21
    registry: { external_labels: 'map', inject_tenant_id_as: 'string' },
    // modules/generator/storage/config.go:24-28
    storage: { remote_write_add_org_id_header: 'boolean', remote_write: { '[]': REMOTE_WRITE_ITEM } },
  },
  overrides: {
    // modules/overrides/config.go:207-226 (Overrides) and the structs it uses
    defaults: {
      ingestion: {
        // config.go:69-83
        rate_strategy: 'string',
        rate_limit_bytes: 'int',
        burst_size_bytes: 'int',
        max_traces_per_user: 'int',
        max_global_traces_per_user: 'int',
        tenant_shard_size: 'int',
        max_attribute_bytes: 'int',
        artificial_delay: DURATION_T,
        retry_info_enabled: 'boolean',
      },
      read: {
        // config.go:163-182
        max_bytes_per_tag_values_query: 'int',
        max_blocks_per_tag_values_query: 'int',
        max_condition_groups_per_tag_query: 'int',
        max_search_duration: DURATION_T,
        max_metrics_duration: DURATION_T,
        unsafe_query_hints: 'boolean',
        left_pad_trace_ids: 'boolean',
        metrics_spanonly_fetch: 'boolean',
      },
      // config.go:184-189
      compaction: { block_retention: DURATION_T, compaction_window: DURATION_T, compaction_disabled: 'boolean' },
      metrics_generator: {
        // config.go:140-161
        ring_size: 'int',
        processors: 'list of strings',
        max_active_series: 'int',
        max_active_entities: 'int',
        collection_interval: DURATION_T,
        disable_collection: 'boolean',
        generate_native_histograms: 'string',
        trace_id_label_name: 'string',
        remote_write_headers: 'map',
        forwarder: { queue_size: 'int', workers: 'int' }, // config.go:85-88
        processor: {
          // config.go:120-124
          service_graphs: {
            // config.go:90-100
            histogram_buckets: 'list of floats',
            dimensions: 'list of strings',
            peer_attributes: 'list of strings',
            filter_policies: 'list',
            enable_client_server_prefix: 'boolean',
            enable_messaging_system_latency_histogram: 'boolean',
            enable_virtual_node_label: 'boolean',
            span_multiplier_key: 'string',
            enable_tracestate_span_multiplier: 'boolean',
          },
          span_metrics: {
            // config.go:102-113
            histogram_buckets: 'list of floats',
            dimensions: 'list of strings',
            intrinsic_dimensions: 'map',
            filter_policies: 'list',
            dimension_mappings: 'list',
            enable_target_info: 'boolean',
            target_info_excluded_dimensions: 'list of strings',
            enable_instance_label: 'boolean',
            span_multiplier_key: 'string',
            enable_tracestate_span_multiplier: 'boolean',
          },
          host_info: { host_identifiers: 'list of strings', metric_name: 'string' }, // config.go:115-118
        },
        ingestion_time_range_slack: DURATION_T,
        native_histogram_bucket_factor: 'float',
        native_histogram_max_bucket_number: 'int',
        native_histogram_min_reset_duration: DURATION_T,
        span_name_sanitization: 'string',
        max_cardinality_per_label: 'int',
      },
      forwarders: 'list of strings',
      global: { max_bytes_per_trace: 'int' }, // config.go:191-195
      // config.go:197-200; item keys: tempodb/backend/block_meta.go:177-186
      storage: { parquet_dedicated_columns: { '[]': { scope: 'string', name: 'string', type: 'string', options: 'list of strings' } } },
      cost_attribution: { max_cardinality: 'int', dimensions: 'map' }, // config.go:202-205
    },
  },
};

function main() {
  const args = process.argv.slice(2).filter((a) => a !== '--manifest-only');
  const manifestOnly = process.argv.includes('--manifest-only');
  const [file, out] = args;
  if (!file) {
    process.stderr.write('usage: extract-tempo-config-keys.mjs <manifest.md> [out.json] [--manifest-only]\n');
    process.exit(2);
  }
  const doc = parseDocument(extractYaml(readFileSync(file, 'utf8')), { uniqueKeys: true });
  if (doc.errors.length) throw new Error(`YAML errors: ${doc.errors.map((e) => e.message).join('; ')}`);
  const tree = convert(doc.contents, '');
  if (typeof tree !== 'object') throw new Error('manifest YAML is not a mapping');
  if (!manifestOnly) addMissing(tree, SUPPLEMENT, '');
  const json = JSON.stringify(tree, null, 2) + '\n';
  if (out) writeFileSync(out, json);
  else process.stdout.write(json);
}

// The manifest has exactly one ```yaml fence, under "## Complete configuration".
function extractYaml(md) {
  const m = /^```yaml\s*\n([\s\S]*?)^```\s*$/m.exec(md);
  if (!m) throw new Error('no ```yaml block found');
  return m[1];
}

function convert(node, path) {
  if (node === null || node === undefined) return 'any';
  if (isScalar(node)) return scalarType(node);
  if (isSeq(node)) {
    if (node.items.length === 0) return 'list';
    if (node.items.every((i) => isMap(i))) {
      const item = {};
      for (const i of node.items) addMissing(item, convert(i, `${path}[]`), `${path}[]`);
      return { '[]': item };
    }
    const types = [...new Set(node.items.map((i) => (isScalar(i) ? scalarType(i) : 'any')))];
    return types.length === 1 ? `list of ${types[0]}s` : 'list';
  }
  if (isMap(node)) {
    if (node.items.length === 0) return 'map';
    const keys = node.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key));
    if (keys.every((k) => /^\d+$/.test(k))) return 'map'; // Go map keyed by an enum, not a struct
    const obj = {};
    node.items.forEach((pair, i) => {
      obj[keys[i]] = convert(pair.value, path ? `${path}.${keys[i]}` : keys[i]);
    });
    return obj;
  }
  process.stderr.write(`warning: unexpected node at ${path}\n`);
  return 'any';
}

function scalarType(node) {
  const v = node.value;
  if (v === null) return 'any';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') {
    const src = String(node.source ?? v);
    return Number.isInteger(v) && !/[.eE]/.test(src) ? 'int' : 'float';
  }
  if (typeof v === 'string' && DURATION.test(v)) return 'duration';
  return 'string';
}

// Adds keys from `extra` that `tree` lacks, descending into shared blocks.
function addMissing(tree, extra, path) {
  for (const [key, value] of Object.entries(extra)) {
    const here = path ? `${path}.${key}` : key;
    const prev = tree[key];
    if (prev === undefined) tree[key] = value;
    else if (typeof prev === 'object' && typeof value === 'object') addMissing(prev, value, here);
    else if ((typeof prev === 'object') !== (typeof value === 'object')) {
      process.stderr.write(`warning: ${here} is a ${typeof prev === 'object' ? 'block' : 'leaf'} in the manifest; keeping it\n`);
    }
  }
}

main();
