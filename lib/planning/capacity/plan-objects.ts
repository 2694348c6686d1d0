import { embeddedStoreOf } from '../../platform/spec';
import type { PlatformSpec } from '../../platform/spec';
import { PlannedFigure, figure } from './figure';
import { ResolvedLoad } from './load';
import { VM_COPIES } from './plan-metrics';
import { DAY_SECONDS, GIB, MONTH_SECONDS, ceilGib, formatBytes, round2 } from './units';

/** What the stores keep in object storage, and the requests they make of it. */
export interface ObjectStoragePlan {
  /** Where the objects go: S3 (or another store the base spec names), or the embedded store's volume. */
  readonly where: 'bucket' | 'embedded';
  /** Bytes kept over the retention, per signal. */
  readonly logsBytes: PlannedFigure;
  readonly metricsBytes: PlannedFigure;
  readonly tracesBytes: PlannedFigure;
  /** The sum of the three. */
  readonly totalBytes: number;
  readonly putsPerMonth: PlannedFigure;
  readonly getsPerMonth: PlannedFigure;
  /** Every figure, in order. */
  readonly figures: readonly PlannedFigure[];
  /** The embedded store's part of the spec (its volume), when it holds the objects. */
  readonly spec: PlatformSpec;
}

/**
 * The objects each store keeps: the load over the retention at each store's bytes per unit. When
 * the base spec names no bucket, the embedded store holds them, so its volume is sized to fit.
 */
export function planObjects(load: ResolvedLoad, base: PlatformSpec): ObjectStoragePlan {
  const r = load.retentionDays;
  const day = (perSecond: number) => perSecond * DAY_SECONDS;
  const logsBytes = figure(
    'objects.logs',
    'Loki chunks and index',
    'bytes',
    (v) => day(load.logs.bytesPerSecond) * r.logs * v,
    (v) => `${round2(load.logs.gbPerDay)} GB/day × ${r.logs} days × ${v}`,
    ceilGib,
  );
  const figures: PlannedFigure[] = [logsBytes];
  let metricsBytes: PlannedFigure;
  if (load.metricsBackend === 'victoriametrics') {
    metricsBytes = figure(
      'objects.vmBackups',
      'vmbackup copies',
      'bytes',
      (v) => day(load.metrics.samplesPerSecond) * VM_COPIES * r.metrics * v,
      (v) => `${round2(load.metrics.samplesPerSecond)} samples/s × ${VM_COPIES} copies × ${r.metrics} days × ${v} byte`,
      ceilGib,
    );
    figures.push(metricsBytes);
  } else {
    const raw = figure(
      'objects.metricsThanos',
      'Thanos raw blocks',
      'bytes',
      (v) => day(load.metrics.samplesPerSecond) * r.metrics * v,
      (v) => `${round2(load.metrics.samplesPerSecond)} samples/s × ${r.metrics} days × ${v} bytes`,
      ceilGib,
    );
    metricsBytes = figure(
      'objects.metricsDownsampled',
      'Thanos blocks, downsampled ones included',
      'bytes',
      (v) => raw.value * v,
      (v) => `${formatBytes(raw.value)} × ${v}`,
      ceilGib,
    );
    figures.push(raw, metricsBytes);
  }
  const tracesBytes = figure(
    'objects.traces',
    'Tempo blocks',
    'bytes',
    (v) => day(load.traces.bytesPerSecond) * r.traces * v,
    (v) => `${round2(load.traces.bytesPerSecond / 1e6)} MB/s × ${r.traces} days × ${v}`,
    ceilGib,
  );
  figures.push(tracesBytes);
  // At steady state each store writes a day's share of what it keeps, every day.
  const writtenPerMonth = (logsBytes.value / r.logs + metricsBytes.value / r.metrics + tracesBytes.value / r.traces) * (MONTH_SECONDS / DAY_SECONDS);
  const putsPerMonth = figure(
    'objects.puts',
    'write requests per month',
    'requests/month',
    (v) => (writtenPerMonth / GIB) * v,
    (v) => `${formatBytes(writtenPerMonth)} written a month × ${v} PUTs per GiB`,
    Math.ceil,
  );
  const queries = load.queries.logs + load.queries.metrics + load.queries.traces;
  const getsPerMonth = figure(
    'objects.gets',
    'read requests per month',
    'requests/month',
    (v) => queries * MONTH_SECONDS * v,
    (v) => `${round2(queries)} queries/s over a month × ${v} GETs per query`,
    Math.ceil,
  );
  figures.push(putsPerMonth, getsPerMonth);
  const totalBytes = logsBytes.value + metricsBytes.value + tracesBytes.value;
  const embedded = embeddedStoreOf(base);
  let spec: PlatformSpec = {};
  if (embedded) {
    const volume = figure(
      'seaweedfs.volume',
      `${embedded} volume holding every object`,
      'bytes',
      (v) => totalBytes * v,
      (v) => `${formatBytes(totalBytes)} of objects × ${v}`,
      ceilGib,
    );
    figures.push(volume);
    const storageSize = `${Math.round(volume.value / GIB)}Gi`;
    spec = embedded === 'minio' ? { minio: { storageSize } } : { seaweedfs: { storageSize } };
  }
  return { where: embedded ? 'embedded' : 'bucket', logsBytes, metricsBytes, tracesBytes, totalBytes, putsPerMonth, getsPerMonth, figures, spec };
}
