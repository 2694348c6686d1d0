import { Minio } from '../../lib/object-storage/minio';
import { ThanosBucket, ThanosCompactor, ThanosQuery } from '../../lib/thanos';
import { synth, testChart } from '../support/synth';
import { thanosChart } from './support';

/** The message a ThanosCluster with `props` fails with. */
const failure = (props: Parameters<typeof thanosChart>[0]) => {
  try {
    thanosChart(props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
};

describe('Thanos bad input is stopped at synth time with construct, property, value and fix', () => {
  test('a replication factor above the receive replicas', () => {
    expect(failure({ receive: { replicas: 2, replicationFactor: 3 } })).toBe(
      '[test/thanos/Receive] replicationFactor = 3: leaves ring "default" with 2 ingestors for a replication factor of 3; ketama refuses a ring with fewer endpoints than the replication factor. Fix: lower replicationFactor to 2 or give ring "default" at least 3 replicas.',
    );
    expect(failure({ receive: { hashrings: [{ name: 'small', tenants: ['a'], replicas: 1 }, { name: 'default' }] } })).toBe(
      '[test/thanos/Receive] hashrings[0].replicas = 1: leaves ring "small" with 1 ingestors for a replication factor of 3; ketama refuses a ring with fewer endpoints than the replication factor. Fix: lower replicationFactor to 1 or give ring "small" at least 3 replicas.',
    );
  });

  test('an empty hashring list and two catch-all rings', () => {
    expect(failure({ receive: { hashrings: [] } })).toBe(
      '[test/thanos/Receive] hashrings = []: is empty: receive refuses to start with an empty hashrings file. Fix: leave hashrings unset for one catch-all ring, or list at least one ring.',
    );
    expect(failure({ receive: { hashrings: [{ name: 'a' }, { name: 'b' }] } })).toBe(
      '[test/thanos/Receive] hashrings = ["a","b"]: has 2 rings without tenants; only one ring can take the tenants no other ring lists. Fix: give every ring but one its tenants.',
    );
  });

  test('two compactors on one bucket, also through different constructs', () => {
    const chart = testChart();
    const minio = new Minio(chart, 'minio', { namespace: 'obs' });
    const bucket = new ThanosBucket(chart, 'bucket', { namespace: 'obs', storage: minio });
    new ThanosCompactor(chart, 'first', { namespace: 'obs', bucket });
    const again = new ThanosBucket(chart, 'again', { namespace: 'obs', name: 'other', storage: minio, bucket: 'thanos-blocks' });
    new ThanosCompactor(chart, 'second', { namespace: 'obs', name: 'other', bucket: again });
    const prefixed = new ThanosBucket(chart, 'prefixed', { namespace: 'obs', name: 'third', storage: minio, bucket: 'thanos-blocks', prefix: 'third' });
    new ThanosCompactor(chart, 'third', { namespace: 'obs', name: 'third', bucket: prefixed });
    // Found at synth, once every construct exists: the one made second is named, with the first.
    expect(() => synth(chart)).toThrow(
      '[test/second] bucket = "thanos-blocks": is already compacted by test/first; two compactors on one bucket write overlapping blocks and halt. Fix: run one compactor per bucket: remove one, or give each its own bucket or prefix.',
    );
    expect(() => synth(chart)).not.toThrow('test/third');
  });

  test('a query with no store to discover', () => {
    expect(() => new ThanosQuery(testChart(), 'query', { namespace: 'obs', endpoints: [] })).toThrow(
      '[test/query] endpoints = []: is empty: a query with no StoreAPI to discover answers every query with no data. Fix: pass the storeEndpoints of a ThanosReceive, ThanosStore, ThanosRuler or Prometheus sidecar.',
    );
  });

  test('retention shorter than downsampling needs', () => {
    expect(failure({ compactor: { retention: { raw: '1d', fiveMinutes: '7d' } } })).toBe(
      [
        '[test/thanos/Compactor] retention.raw = "1d": is shorter than the downsampling needs (raw blocks are downsampled to 5m once they are 40h old); the compactor refuses to start. Fix: set it to "40h" or longer, "0d" to keep for ever, or set downsampling: false.',
        '[test/thanos/Compactor] retention.fiveMinutes = "7d": is shorter than the downsampling needs (5m blocks are downsampled to 1h once they are 10 days old); the compactor refuses to start. Fix: set it to "10d" or longer, "0d" to keep for ever, or set downsampling: false.',
      ].join('\n'),
    );
    expect(() => thanosChart({ compactor: { retention: { raw: '1d', fiveMinutes: '7d' }, downsampling: false } })).not.toThrow();
    expect(() => thanosChart({ compactor: { retention: { raw: '0d', fiveMinutes: '0d', oneHour: '0d' } } })).not.toThrow();
  });

  test('more: receive retention below one block, a bad ring name, a ruler with nothing to evaluate, a scheme-less Alertmanager', () => {
    expect(failure({ receive: { retention: '1h' } })).toBe(
      '[test/thanos/Receive] retention = "1h": is shorter than the minimum of 2h (receive cuts a block every 2h and must keep it until it is uploaded). Fix: set it to "2h" or longer.',
    );
    expect(failure({ receive: { hashrings: [{ name: 'Team_A' }] } })).toBe(
      '[test/thanos/Receive] hashrings[0].name = "Team_A": is not a DNS label other than "router" (it names the ring\'s StatefulSet). Fix: use a name such as "team-a".',
    );
    expect(failure({ ruler: { ruleGroups: [] } })).toBe(
      '[test/thanos/Ruler] ruleGroups = []: is empty and no ruleConfigMaps are given: the ruler would evaluate nothing. Fix: give ruleGroups or ruleConfigMaps, or leave the ruler out.',
    );
    expect(failure({ ruler: { alertmanagerUrls: ['alertmanager:9093'] } })).toBe(
      '[test/thanos/Ruler] alertmanagerUrls[0] = "alertmanager:9093": has no http:// or https:// scheme. Fix: write it as "http://alertmanager.monitoring.svc:9093".',
    );
  });

  test('storage left unset, and a bucket name S3 refuses', () => {
    expect(failure({ storage: undefined })).toBe(
      '[test/thanos] storage = (unset): is required: Thanos keeps blocks older than a few hours only in object storage. Fix: pass `storage: minio` (a Minio construct) for an in-cluster store, or `new S3Storage({...})` for S3.',
    );
    expect(failure({ bucket: 'Thanos_Blocks' })).toMatch(/^\[test\/thanos\/Bucket\] bucket = "Thanos_Blocks": /);
  });
});
