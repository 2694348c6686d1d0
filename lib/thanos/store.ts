import { Construct } from 'constructs';
import { checkReplicas, checkVolumeSize, requireProps } from '../core/check-options';
import { renderYaml } from '../core/config-file';
import { parseDuration } from '../core/duration';
import { Validator } from '../core/errors';
import { ScrapeTarget } from '../core/scrape-target';
import { Workload } from '../core/workload';
import { Memcached, MemcachedOptions, checkMemcachedOptions } from '../memcached/memcached';
import { ThanosBucket } from './bucket';
import { storeCache } from './caches';
import { StoreApiEndpoint, grpcSrvAddress } from './common';
import { ThanosComponentProps, thanosIdentity, thanosScrapeTarget, thanosServices, thanosWorkload } from './component';
import { registerBucketReader } from './bucket-users';
import { checkDuration, checkThanosComponent } from './validate';
import { clusterDomainOf } from '../core/cluster-domain';

/** Props of {@link ThanosStore}. */
export interface ThanosStoreProps extends ThanosComponentProps {
  /** The bucket whose blocks it serves. */
  readonly bucket: ThanosBucket;
  /** Store gateway pods; each serves every block. @default 2 */
  readonly replicas?: number;
  /** Size of each pod's volume for index headers (about 6 MB per block in the bucket). @default "20Gi" */
  readonly storageSize?: string;
  /** Storage class of the volumes. @default the cluster default */
  readonly storageClass?: string;
  /** A memcached index cache; without it, each pod keeps an in-memory one of `inMemoryIndexCacheSize`. @default none */
  readonly indexCache?: MemcachedOptions;
  /** Size of the in-memory index cache when there is no memcached one. @default "250MB" */
  readonly inMemoryIndexCacheSize?: string;
  /** A memcached cache of chunks and metadata read from the bucket. @default none */
  readonly bucketCache?: MemcachedOptions;
  /**
   * How long a block marked for deletion is still served. Keep it below the compactor's delete
   * delay (48h) so queries never reach a deleted block.
   * @default "24h"
   */
  readonly ignoreDeletionMarksDelay?: string;
}

const DATA_DIR = '/var/thanos/store';
const DEFAULT_RESOURCES = { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } };

/**
 * The Thanos store gateway: serves the blocks of a bucket over the StoreAPI. A StatefulSet so that
 * index headers survive restarts on a volume; Query finds it through {@link storeEndpoint}.
 */
export class ThanosStore extends Construct {
  readonly storeEndpoint: StoreApiEndpoint;
  /** Identifies the bucket it serves. */
  readonly bucketKey: string;
  /** How long it still serves a block marked for deletion, in milliseconds. */
  readonly ignoreDeletionMarksDelayMs: number;
  /** Where its metrics are scraped. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  readonly workload: Workload;
  readonly indexCache?: Memcached;
  readonly bucketCache?: Memcached;

  constructor(scope: Construct, id: string, props: ThanosStoreProps) {
    super(scope, id);
    requireProps(this, props, {
      namespace: 'give the Kubernetes namespace of its objects',
      bucket: 'pass a ThanosBucket (or use ThanosCluster, which makes one)',
    });
    const r = resolveStore(this, props);
    const { replicas, ignoreDelay, identity, clusterDomain } = r;
    const v = new Validator(this);
    checkThanosComponent(v, props, '-store-bucket-cache'.length);
    checkReplicas(v, 'replicas', replicas);
    checkDuration(v, 'ignoreDeletionMarksDelay', ignoreDelay, 0, 'a duration');
    checkVolumeSize(v, 'storageSize', props.storageSize);
    checkMemcachedOptions(v, 'indexCache', props.indexCache);
    checkMemcachedOptions(v, 'bucketCache', props.bucketCache);
    v.throwIfAny();
    this.bucketKey = props.bucket.bucketKey;
    this.ignoreDeletionMarksDelayMs = parseDuration(ignoreDelay)!;
    registerBucketReader(this);

    if (props.indexCache)
      this.indexCache = new Memcached(this, 'IndexCache', { ...props.indexCache, owner: identity, component: 'store-index-cache', clusterDomain });
    if (props.bucketCache)
      this.bucketCache = new Memcached(this, 'BucketCache', { ...props.bucketCache, owner: identity, component: 'store-bucket-cache', clusterDomain });
    const { headless } = thanosServices(this, identity);
    this.workload = thanosWorkload(this, 'Workload', {
      identity,
      kind: 'StatefulSet',
      replicas,
      subcommand: 'store',
      flags: [
        `--data-dir=${DATA_DIR}`,
        `--index-cache.config=${renderYaml(storeCache(this.indexCache, r.inMemoryIndexCacheSize))}`,
        // A hidden flag in v0.42.4 (cmd/thanos/store.go), accepted but not in --help.
        ...(this.bucketCache ? [`--store.caching-bucket.config=${renderYaml(storeCache(this.bucketCache, ''))}`] : []),
        `--ignore-deletion-marks-delay=${ignoreDelay}`,
        // The admin API marks blocks for deletion, a write: the gateway only ever reads.
        '--disable-admin-operations',
      ],
      options: props,
      bucket: props.bucket,
      volumeMounts: [{ name: 'data', mountPath: DATA_DIR }],
      volumeClaims: [{ name: 'data', size: r.storageSize, storageClass: props.storageClass }],
      defaultResources: DEFAULT_RESOURCES,
      livenessFailures: 8,
    });
    this.scrapeTargets = [thanosScrapeTarget(this, identity, headless!, clusterDomain)];
    this.storeEndpoint = {
      address: grpcSrvAddress(identity.serviceHost(headless!.metadata.name!, clusterDomain)),
      component: 'store gateway',
      // Blocks keep the replica labels of whoever wrote them; the gateways add none.
      replicaLabels: [],
    };
  }
}

/** Fills in every default, in one place. */
function resolveStore(scope: Construct, props: ThanosStoreProps) {
  return {
    identity: thanosIdentity(props, 'store', clusterDomainOf(scope, props.clusterDomain)),
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
    replicas: props.replicas ?? 2,
    ignoreDelay: props.ignoreDeletionMarksDelay ?? '24h',
    inMemoryIndexCacheSize: props.inMemoryIndexCacheSize ?? '250MB',
    storageSize: props.storageSize ?? '20Gi',
  };
}
