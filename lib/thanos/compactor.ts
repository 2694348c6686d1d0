import { Construct } from 'constructs';
import { parseDuration } from '../core/duration';
import { checkLabelName, checkVolumeSize, requireProps } from '../core/check-options';
import { Validator } from '../core/errors';
import { ScrapeTarget } from '../core/scrape-target';
import { Workload } from '../core/workload';
import { ThanosBucket } from './bucket';
import { ThanosComponentProps, thanosIdentity, thanosScrapeTarget, thanosServices, thanosWorkload } from './component';
import { registerCompactor } from './bucket-users';
import { ThanosQuery } from './query';
import { checkDuration, checkThanosComponent } from './validate';
import { clusterDomainOf } from '../core/cluster-domain';

/** How long the bucket keeps each resolution. `0d` keeps it for ever. */
export interface ThanosRetention {
  /** Raw samples. @default "30d" */
  readonly raw?: string;
  /** 5-minute downsampled samples. @default "90d" */
  readonly fiveMinutes?: string;
  /** 1-hour downsampled samples. @default "1y" */
  readonly oneHour?: string;
}

/** Props of {@link ThanosCompactor}. */
export interface ThanosCompactorProps extends ThanosComponentProps {
  /** The bucket it compacts. Exactly one compactor may work on a bucket. */
  readonly bucket: ThanosBucket;
  /** Retention per resolution. @default raw 30d, 5m 90d, 1h 1y */
  readonly retention?: ThanosRetention;
  /** Downsample to 5m and 1h resolutions, which long-range queries need. @default true */
  readonly downsampling?: boolean;
  /**
   * Replica labels along which blocks written by replicas of the same data (receive replicas,
   * ruler replicas, Prometheus pairs) are merged into one. Irreversible: list only labels whose
   * values are replicas. @default none
   */
  readonly deduplicationReplicaLabels?: readonly string[];
  /**
   * Merge along the replica labels this query deduplicates along (read when the app is
   * synthesized, so writers made later count), with the algorithm their copies need. What
   * ThanosCluster does. @default none
   */
  readonly deduplicateLike?: ThanosQuery;
  /**
   * How copies are merged. `one-to-one` is right only for sample-identical copies (receive
   * replication); copies made independently (HA rulers, Prometheus pairs) need `penalty`, or the
   * merged series interleave both replicas' samples for good.
   * @default with `deduplicateLike`, one-to-one when every label's copies are identical, else penalty; with explicit labels, penalty
   */
  readonly deduplicationFunc?: 'one-to-one' | 'penalty';
  /**
   * How long a block marked for deletion stays in the bucket, so readers stop using it first. Keep
   * it at least twice the store gateways' `ignoreDeletionMarksDelay`. @default "48h"
   */
  readonly deleteDelay?: string;
  /** Blocks compacted at once; give it as many CPU cores. @default 1 */
  readonly concurrency?: number;
  /** Size of the work volume (about 100Gi for a medium bucket, times concurrency). @default "100Gi" */
  readonly storageSize?: string;
  /** Storage class of the work volume. @default the cluster default */
  readonly storageClass?: string;
}

const DATA_DIR = '/var/thanos/compact';
const DEFAULT_DELETE_DELAY = '48h';
const DEFAULT_RESOURCES = { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '4Gi' } };
/** Thanos downsamples raw blocks older than 40h to 5m, and 5m blocks older than 10d to 1h (pkg/compact/downsample). */
const DOWNSAMPLE_5M_AFTER_MS = 40 * 3600_000;
const DOWNSAMPLE_1H_AFTER_MS = 10 * 24 * 3600_000;

/**
 * The Thanos compactor: compacts, downsamples, deduplicates and applies retention to one bucket.
 * A one-pod StatefulSet, so a rollout stops the old pod before the new one starts: two compactors
 * on one bucket write overlapping blocks and halt.
 */
export class ThanosCompactor extends Construct {
  /** Identifies the bucket; no other compactor in the app may have the same. */
  readonly bucketKey: string;
  /** The name of the bucket it compacts. */
  readonly bucketName: string;
  /** How long marked blocks stay before deletion, in milliseconds. */
  readonly deleteDelayMs: number;
  readonly workload: Workload;
  /** Where its metrics are scraped. */
  readonly scrapeTargets: readonly ScrapeTarget[];

  constructor(scope: Construct, id: string, props: ThanosCompactorProps) {
    super(scope, id);
    requireProps(this, props, {
      namespace: 'give the Kubernetes namespace of its objects',
      bucket: 'pass a ThanosBucket (or use ThanosCluster, which makes one)',
    });
    this.bucketKey = props.bucket.bucketKey;
    this.bucketName = props.bucket.bucket;
    const r = resolveCompactor(this, props);
    const { retention, deleteDelay, identity } = r;
    validateCompactor(this, props, r);
    this.deleteDelayMs = parseDuration(deleteDelay)!;
    props.bucket.declareRetention(...keptFor(retention, deleteDelay));
    registerCompactor(this);

    const { headless } = thanosServices(this, identity, { listeners: { grpc: false }, clusterIp: false });
    this.scrapeTargets = [thanosScrapeTarget(this, identity, headless!, r.clusterDomain)];
    this.workload = thanosWorkload(this, 'Workload', {
      identity,
      kind: 'StatefulSet',
      replicas: 1,
      subcommand: 'compact',
      listeners: { grpc: false },
      flags: [
        '--wait',
        `--data-dir=${DATA_DIR}`,
        `--retention.resolution-raw=${retention.raw}`,
        `--retention.resolution-5m=${retention.fiveMinutes}`,
        `--retention.resolution-1h=${retention.oneHour}`,
        `--delete-delay=${deleteDelay}`,
        `--compact.concurrency=${r.concurrency}`,
        ...(r.downsampling ? [] : ['--downsampling.disable']),
      ],
      lateFlags: () => deduplicationFlags(props),
      options: props,
      bucket: props.bucket,
      bucketAccess: 'compact',
      volumeMounts: [{ name: 'data', mountPath: DATA_DIR }],
      volumeClaims: [{ name: 'data', size: r.storageSize, storageClass: props.storageClass }],
      defaultResources: DEFAULT_RESOURCES,
      // A compaction pass is not resumable; let it finish its current upload.
      terminationGracePeriodSeconds: 300,
      disruptionBudget: false,
    });
  }
}

/** Every prop of a compactor with its default filled in. */
type ResolvedCompactor = ReturnType<typeof resolveCompactor>;

/** Fills in every default, in one place. */
function resolveCompactor(scope: Construct, props: ThanosCompactorProps) {
  return {
    identity: thanosIdentity(props, 'compactor', clusterDomainOf(scope, props.clusterDomain)),
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
    retention: { raw: props.retention?.raw ?? '30d', fiveMinutes: props.retention?.fiveMinutes ?? '90d', oneHour: props.retention?.oneHour ?? '1y' },
    downsampling: props.downsampling ?? true,
    concurrency: props.concurrency ?? 1,
    deleteDelay: props.deleteDelay ?? DEFAULT_DELETE_DELAY,
    storageSize: props.storageSize ?? '100Gi',
  };
}

/** `--deduplication.*` flags: the labels, and penalty unless every copy is sample-identical. */
function deduplicationFlags(props: ThanosCompactorProps): string[] {
  const sources = props.deduplicateLike
    ? props.deduplicateLike.replicaLabelSources()
    : (props.deduplicationReplicaLabels ?? []).map((label) => ({ label, identical: false }));
  if (sources.length === 0) return [];
  const func = props.deduplicationFunc ?? (sources.every((s) => s.identical) ? 'one-to-one' : 'penalty');
  return [
    ...sources.map((s) => `--deduplication.replica-label=${s.label}`),
    // The empty default is Thanos' one-to-one merger.
    ...(func === 'penalty' ? ['--deduplication.func=penalty'] : []),
  ];
}

/**
 * How long blocks stay in the bucket: the longest resolution's retention plus the delete delay,
 * or for ever when any resolution is kept for ever (`0d`). A block's objects are written after its
 * newest sample, so an object older than this holds only data the compactor has dropped.
 */
function keptFor(retention: Required<ThanosRetention>, deleteDelay: string): [number | undefined, string] {
  const values = [retention.raw, retention.fiveMinutes, retention.oneHour];
  const ms = values.map((r) => parseDuration(r) ?? 0);
  const reason = `the compactor keeps blocks for ${values.join(' / ')} (raw / 5m / 1h) + ${deleteDelay} delete delay`;
  if (ms.some((x) => x === 0)) return [undefined, reason];
  return [Math.max(...ms) + (parseDuration(deleteDelay) ?? 0), reason];
}

function validateCompactor(scope: ThanosCompactor, props: ThanosCompactorProps, r: ResolvedCompactor): void {
  const { retention, downsampling, concurrency, deleteDelay } = r;
  const v = new Validator(scope);
  checkThanosComponent(v, props, '-compactor-headless'.length);
  const durations = {
    'retention.raw': [retention.raw, DOWNSAMPLE_5M_AFTER_MS, 'raw blocks are downsampled to 5m once they are 40h old'],
    'retention.fiveMinutes': [retention.fiveMinutes, DOWNSAMPLE_1H_AFTER_MS, '5m blocks are downsampled to 1h once they are 10 days old'],
  } as const;
  for (const [property, [value, minMs, why]] of Object.entries(durations)) {
    const ms = parseDuration(value);
    if (!v.check(ms !== undefined, property, value, 'is not a duration', 'write it as "30d", "90d" or "0d" (keep for ever)')) continue;
    // Thanos refuses to start (cmd/thanos/compact.go) when a resolution is deleted before it is downsampled.
    if (downsampling && ms !== 0) {
      v.check(
        ms! >= minMs,
        property,
        value,
        `is shorter than the downsampling needs (${why}); the compactor refuses to start`,
        `set it to "${minMs / 3600_000 >= 48 ? `${minMs / 86400_000}d` : `${minMs / 3600_000}h`}" or longer, "0d" to keep for ever, or set downsampling: false`,
      );
    }
  }
  v.check(
    parseDuration(retention.oneHour) !== undefined,
    'retention.oneHour',
    retention.oneHour,
    'is not a duration',
    'write it as "1y", "365d" or "0d" (keep for ever)',
  );
  if (checkDuration(v, 'deleteDelay', deleteDelay, 0, 'a duration')) {
    v.check(
      parseDuration(deleteDelay)! > 0,
      'deleteDelay',
      deleteDelay,
      'deletes compacted-away blocks at once, while store gateways and queries still read them: queries fail on missing objects',
      'keep the default "48h", or at least twice the store gateways\' ignoreDeletionMarksDelay',
    );
  }
  checkVolumeSize(v, 'storageSize', props.storageSize);
  v.check(
    Number.isInteger(concurrency) && concurrency >= 1,
    'concurrency',
    concurrency,
    'must be a whole number of at least 1',
    'set it to the CPU cores the compactor may use',
  );
  for (const label of props.deduplicationReplicaLabels ?? []) checkLabelName(v, 'deduplicationReplicaLabels', label);
  v.check(
    !(props.deduplicateLike && props.deduplicationReplicaLabels),
    'deduplicationReplicaLabels',
    props.deduplicationReplicaLabels,
    'is given together with deduplicateLike, which decides the labels itself',
    'keep one of the two',
  );
  if (props.deduplicationFunc !== undefined) {
    v.check(
      ['one-to-one', 'penalty'].includes(props.deduplicationFunc),
      'deduplicationFunc',
      props.deduplicationFunc,
      'is not a merge algorithm Thanos has',
      'use "penalty" or "one-to-one"',
    );
  }
  v.throwIfAny();
}
