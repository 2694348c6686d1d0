import { parse } from 'yaml';
import keyTree from '../fixtures/loki-3.7.6-config-keys.json';
import { LOKI_LIMITS_KEYS } from '../../lib/loki/limits-keys';
import { KeyTree, unknownKeys } from '../support/config-keys';
import { dataOf, get } from '../support/synth';
import { lokiChart, lokiConfig } from './support';

const tree = keyTree as KeyTree;
const runtimeOf = (manifests: ReturnType<typeof lokiChart>['manifests']) =>
  parse(dataOf(get(manifests, 'ConfigMap', 'loki-runtime-config'))['runtime-config.yaml']);

describe('Loki limits, for the cluster and per tenant', () => {
  test("the library's list of limits keys is the limits_config block of the 3.7.6 key fixture", () => {
    expect([...LOKI_LIMITS_KEYS].sort()).toEqual(Object.keys(tree.limits_config as KeyTree).sort());
  });

  test("the cluster's limits land in limits_config, each tenant's in the runtime config over them, all Loki keys", () => {
    const { manifests } = lokiChart({
      limits: { ingestionRateMb: 8, ingestionBurstSizeMb: 16, maxQueryParallelism: 16, overrides: { max_label_names_per_series: 20 } },
      tenants: [
        { id: 'team-a', retention: '2160h', limits: { ingestionRateMb: 20, maxGlobalStreams: 20000, perStreamRateLimit: '5MB', queryTimeout: '2m' } },
        { id: 'team-b', limits: { maxQueryLookback: '168h', maxEntriesPerQuery: 10000, overrides: { max_streams_per_user: 1000 } } },
        { id: 'team-c' },
      ],
    });
    const config = lokiConfig(manifests);
    expect(config.limits_config).toMatchObject({
      ingestion_rate_mb: 8,
      ingestion_burst_size_mb: 16,
      max_query_parallelism: 16,
      max_label_names_per_series: 20,
      retention_period: '744h',
    });
    const runtime = runtimeOf(manifests);
    expect(runtime.overrides).toEqual({
      'team-a': { retention_period: '2160h', ingestion_rate_mb: 20, max_global_streams_per_user: 20000, per_stream_rate_limit: '5MB', query_timeout: '2m' },
      'team-b': { max_query_lookback: '168h', max_entries_limit_per_query: 10000, max_streams_per_user: 1000 },
    });
    expect(unknownKeys(config, tree)).toEqual([]);
    for (const limits of Object.values(runtime.overrides)) expect(unknownKeys(limits, tree.limits_config as KeyTree)).toEqual([]);
  });

  test('a limit Loki would not read is stopped at synth, naming the tenant, the field and the fix', () => {
    const cases: Array<[object, RegExp]> = [
      [{ ingestionRateMb: 0 }, /tenants\[0\]\.limits\.ingestionRateMb = 0: is not a positive number of MB \(ingestion_rate_mb\)/],
      [{ perStreamRateLimit: '3 megabytes' }, /perStreamRateLimit = "3 megabytes": is not a size Loki reads.*Fix: write it as "256KB"/s],
      [{ queryTimeout: '1 minute' }, /queryTimeout = "1 minute": is not a duration Loki reads \(query_timeout\)/],
      [{ maxGlobalStreams: 1.5 }, /maxGlobalStreams = 1.5: must be a whole number greater than 0/],
      [{ overrides: { max_stream_per_user: 10 } }, /overrides\.max_stream_per_user = 10: is not a key of Loki 3\.7\.6's limits_config/],
      [
        { overrides: { ingestion_rate_mb: 10 } },
        /overrides\.ingestion_rate_mb = 10: sets what tenants\[0\]\.limits\.ingestionRateMb sets.*Fix: set tenants\[0\]\.limits\.ingestionRateMb instead/s,
      ],
      [{ overrides: { retention_period: '48h' } }, /overrides\.retention_period = "48h": sets what tenants\[0\]\.retention sets/],
    ];
    for (const [limits, message] of cases) expect(() => lokiChart({ tenants: [{ id: 'team-a', limits }] })).toThrow(message);
    expect(() => lokiChart({ limits: { overrides: { retention_period: '48h' } } })).toThrow(
      /limits\.overrides\.retention_period = "48h": sets what retention sets/,
    );
  });

  test('without limits the runtime config overrides nothing and limits_config keeps the defaults', () => {
    const { manifests } = lokiChart({ tenants: [{ id: 'team-a' }] });
    expect(runtimeOf(manifests)).toEqual({ overrides: {} });
    expect(lokiConfig(manifests).limits_config.max_query_parallelism).toBe(32);
  });
});
