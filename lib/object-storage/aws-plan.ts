import { Validator } from '../core/errors';
import { bucketName } from './bucket-name';
import { AwsStorage, ROLE_NAME } from './aws-storage';
import { RetentionClaim, ServiceAccountRef } from './usage';

const DAY_MS = 24 * 3600_000;

/** One lifecycle expiry: objects under `prefix` expire `days` after they were written. */
export interface ExpiryRule {
  readonly prefix: string;
  readonly days: number;
}

/** Everything the cdktf side needs to make one bucket. */
export interface BucketPlan {
  readonly name: string;
  /** The components that use it, for tags and outputs. */
  readonly clients: readonly string[];
  readonly versioning: boolean;
  /** Days previous versions are kept, when versioning is on. */
  readonly noncurrentVersionDays: number;
  /** Expiry rules, one per prefix a component keeps for a known time; empty when none was asked. */
  readonly expiries: readonly ExpiryRule[];
  readonly kmsKeyArn?: string;
  readonly forceDestroy: boolean;
  /** Its copy in another region, when replicated. */
  readonly replica?: ReplicaPlan;
}

/** The copy of one bucket in the replication region. */
export interface ReplicaPlan {
  readonly name: string;
  readonly region: string;
  readonly kmsKeyArn?: string;
  readonly storageClass: string;
}

/** Everything the cdktf side needs to make one component's role. */
export interface RolePlan {
  readonly name: string;
  readonly arn: string;
  readonly component: string;
  readonly serviceAccount: ServiceAccountRef;
  readonly buckets: readonly string[];
  /** The S3 actions the component documents. */
  readonly actions: readonly string[];
  /** The KMS key the role may use for SSE-KMS. */
  readonly kmsKeyArn?: string;
}

/** The buckets and roles of an {@link AwsStorage}, after its components registered. */
export interface AwsStoragePlan {
  readonly buckets: readonly BucketPlan[];
  readonly roles: readonly RolePlan[];
  /** The role S3 assumes to copy objects, when any bucket is replicated. */
  readonly replicationRole?: string;
}

/**
 * Turns what the components declared into buckets and roles, checking what only becomes known
 * once they have: bucket names, role names, and expiries against each component's retention.
 * Both the platform chart and the cdktf stack call it, so bad input stops either synth.
 */
export function planAwsStorage(storage: AwsStorage, label: string, propertyPrefix = ''): AwsStoragePlan {
  const v = new Validator(label);
  const p = (name: string) => `${propertyPrefix}${name}`;
  const props = storage.props;
  const settings = props.buckets ?? {};
  const declared = storage.usage.buckets;
  for (const name of Object.keys(settings).filter((b) => !declared.includes(b))) {
    v.check(
      false,
      p(`buckets["${name}"]`),
      name,
      'names a bucket no component uses',
      `use one of ${declared.map((b) => `"${b}"`).join(', ') || '(none declared)'}, or remove it`,
    );
  }
  const clients = storage.usage.clients;
  const buckets = declared.map((name): BucketPlan => {
    v.apply(`bucket "${name}"`, name, bucketName(name));
    const own = settings[name] ?? {};
    const versioning = own.versioning ?? props.versioning ?? true;
    const replica = props.replication && (own.replicate ?? true) ? replicaOf(v, storage, name, versioning, p) : undefined;
    return {
      name,
      clients: clients.filter((c) => c.buckets.includes(name)).map((c) => c.component),
      versioning,
      noncurrentVersionDays: props.noncurrentVersionDays ?? 7,
      expiries:
        own.expireAfterDays === undefined ? [] : expiries(v, p(`buckets["${name}"].expireAfterDays`), own.expireAfterDays, storage.usage.claimsOf(name)),
      kmsKeyArn: props.kmsKeyArn,
      forceDestroy: props.forceDestroy ?? false,
      replica,
    };
  });
  const replicationRole = buckets.some((b) => b.replica) ? `${props.namePrefix}-s3-replication` : undefined;
  const roles = clients.map((client): RolePlan => {
    const name = storage.roleName(client.serviceAccount);
    v.check(
      ROLE_NAME.test(name),
      `role of ServiceAccount ${client.serviceAccount.namespace}/${client.serviceAccount.name}`,
      name,
      'is longer than the 64 characters IAM allows',
      `shorten ${p('namePrefix')}`,
    );
    return {
      name,
      arn: storage.roleArn(client.serviceAccount),
      component: client.component,
      serviceAccount: client.serviceAccount,
      buckets: client.buckets,
      actions: client.actions,
      kmsKeyArn: props.kmsKeyArn,
    };
  });
  v.throwIfAny();
  return { buckets, roles, replicationRole };
}

/** The copy of a bucket: S3 replicates only between versioned buckets, and names are global. */
function replicaOf(v: Validator, storage: AwsStorage, bucket: string, versioning: boolean, p: (name: string) => string): ReplicaPlan | undefined {
  const replication = storage.props.replication!;
  const name = storage.replicaBucketName(bucket);
  v.check(
    versioning,
    p(`buckets["${bucket}"].versioning`),
    false,
    'is off on a replicated bucket, and S3 replicates only versioned buckets',
    `keep versioning on, or set buckets["${bucket}"].replicate to false`,
  );
  v.apply(`copy of bucket "${bucket}"`, name, bucketName(name));
  return { name, region: replication.region, kmsKeyArn: replication.kmsKeyArn, storageClass: replication.storageClass ?? 'STANDARD' };
}

/**
 * One expiry per prefix a component keeps for a known time. The days must cover every claim
 * inside that prefix (a nested prefix kept longer, or for ever, would lose data), and a bucket
 * whose components keep everything for ever gets none.
 */
function expiries(v: Validator, property: string, days: number, claims: readonly RetentionClaim[]): ExpiryRule[] {
  if (!v.check(Number.isInteger(days) && days >= 1, property, days, 'must be a whole number of days, at least 1', 'give a number of days, or remove it'))
    return [];
  const finite = claims.filter((c) => c.keptForMs !== undefined);
  if (finite.length === 0) {
    const why = claims.map((c) => c.reason).join('; ') || 'its components keep every object until they delete it themselves';
    v.check(
      false,
      property,
      days,
      `asks S3 to expire objects of a bucket whose data is kept for ever (${why})`,
      'remove it; the components delete what they no longer need',
    );
    return [];
  }
  const rules: ExpiryRule[] = [];
  for (const claim of finite) {
    const covered = claims.filter((c) => c.prefix.startsWith(claim.prefix));
    const forever = covered.find((c) => c.keptForMs === undefined);
    if (forever) {
      v.check(
        false,
        property,
        days,
        `would expire "${forever.prefix || '(whole bucket)'}", which is kept for ever (${forever.reason})`,
        'remove it, or give the data under that prefix a retention',
      );
      continue;
    }
    const longest = covered.reduce((a, c) => (c.keptForMs! > a.keptForMs! ? c : a));
    const minDays = Math.ceil(longest.keptForMs! / DAY_MS);
    if (
      v.check(
        days >= minDays,
        property,
        days,
        `is shorter than the ${minDays} days the data under "${longest.prefix || '(whole bucket)'}" is kept (${longest.reason}), so S3 would delete data the component still serves`,
        `set it to ${minDays} or more, or remove it`,
      )
    ) {
      rules.push({ prefix: claim.prefix, days });
    }
  }
  return rules;
}
