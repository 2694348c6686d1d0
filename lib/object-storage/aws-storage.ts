import { RuleResult, Validator } from '../core/errors';
import { Credentials, StorageCredentials } from './credentials';
import { ObjectStorage } from './object-storage';
import { ServiceAccountRef, StorageUsage } from './usage';

/**
 * How pods get AWS credentials. IRSA trusts the cluster's OIDC provider for one exact
 * ServiceAccount; EKS Pod Identity trusts the EKS service and binds the role with an association.
 */
export type AwsIdentityProps =
  | {
      readonly type: 'irsa';
      /** ARN of the cluster's existing IAM OIDC provider. One of this or `oidcIssuerUrl` is required. @default none */
      readonly oidcProviderArn?: string;
      /** The cluster's OIDC issuer URL; the stack then creates the IAM OIDC provider. @default none */
      readonly oidcIssuerUrl?: string;
    }
  | {
      readonly type: 'pod-identity';
      /** The EKS cluster the associations are made in (it needs the EKS Pod Identity Agent add-on). */
      readonly clusterName: string;
    };

/** Settings of one bucket, by bucket name. */
export interface AwsBucketSettings {
  /**
   * Expire objects after this many days, only under the key prefixes their component says it
   * keeps for a known time (Loki: each tenant's chunks; Thanos: the compactor's blocks). Must be
   * at least that retention, so S3 never deletes data the component still serves.
   * @default no expiry: the components apply their own retention
   */
  readonly expireAfterDays?: number;
  /** Keep previous versions of overwritten and deleted objects. @default the storage-wide `versioning` */
  readonly versioning?: boolean;
  /** Copy this bucket to the replication region. @default true when `replication` is set */
  readonly replicate?: boolean;
}

/** The storage classes a copy may be kept in: each serves reads at once, as a failed-over component needs. */
export type AwsReplicaStorageClass = 'STANDARD' | 'STANDARD_IA' | 'ONEZONE_IA' | 'INTELLIGENT_TIERING' | 'GLACIER_IR';

/** Where and how the buckets are copied (see {@link AwsStorageProps.replication}). */
export interface AwsReplicationProps {
  /** The region of the copies, another than the buckets'. */
  readonly region: string;
  /**
   * A KMS key of the copies' region (KMS keys are regional). Required with `kmsKeyArn`: S3
   * replicates SSE-KMS objects only when told the key to encrypt the copies with.
   * @default SSE-S3 (AES256) on the copies
   */
  readonly kmsKeyArn?: string;
  /** Storage class of the copies. @default "STANDARD" */
  readonly storageClass?: AwsReplicaStorageClass;
}

/** The AWS side of the platform's object storage: one account, one region, one naming prefix. */
export interface AwsStorageProps {
  /** The 12-digit AWS account that holds the buckets and roles. */
  readonly accountId: string;
  /** Region of the buckets, e.g. `eu-west-1`. */
  readonly region: string;
  /** AWS partition. @default "aws" */
  readonly partition?: 'aws' | 'aws-cn' | 'aws-us-gov';
  /** Prefix of every IAM role: `<prefix>-<namespace>-<serviceaccount>`, e.g. `acme-prod`. */
  readonly namePrefix: string;
  /** How pods assume their role. */
  readonly identity: AwsIdentityProps;
  /** A customer-managed KMS key (key ARN) for SSE-KMS; roles get `kms:GenerateDataKey` and `kms:Decrypt` on it. @default SSE-S3 (AES256) */
  readonly kmsKeyArn?: string;
  /**
   * Copy every object of every bucket to a bucket in another region as it is written (S3
   * cross-region replication, deletes included), for a region's loss. The stack makes the
   * copies' buckets and the replication role.
   * @default none
   */
  readonly replication?: AwsReplicationProps;
  /** Keep previous object versions, expiring them after `noncurrentVersionDays`. @default true */
  readonly versioning?: boolean;
  /** Days a previous version is kept (compactors delete all day, and each delete leaves one). @default 7 */
  readonly noncurrentVersionDays?: number;
  /** Per-bucket settings, by bucket name. @default none */
  readonly buckets?: Readonly<Record<string, AwsBucketSettings>>;
  /** Tags on every bucket, role and policy. @default none */
  readonly tags?: Readonly<Record<string, string>>;
  /** Let `terraform destroy` delete buckets that still hold objects. @default false */
  readonly forceDestroy?: boolean;
}

/**
 * Object storage on AWS S3 with one IAM role per client ServiceAccount. The Kubernetes side reads
 * endpoints and role ARNs from it; the cdktf stack (`@obs-platform/constructs/aws`) makes the
 * buckets and roles from the same object, so both outputs name the same things.
 */
export class AwsStorage implements ObjectStorage {
  readonly kind = 's3';
  readonly endpoint = undefined;
  readonly insecure = false;
  readonly forcePathStyle = false;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly credentials: StorageCredentials;
  readonly usage = new StorageUsage();
  readonly props: AwsStorageProps;

  /** `label` names this storage in error messages, e.g. the platform's path. */
  constructor(props: AwsStorageProps, label = 'AwsStorage') {
    const v = new Validator(label);
    checkAwsStorageProps(v, props);
    v.throwIfAny();
    this.props = props;
    this.region = props.region;
    this.accountId = props.accountId;
    this.partition = props.partition ?? 'aws';
    this.credentials = props.identity.type === 'irsa' ? Credentials.fromIrsaRoles((sa) => this.roleArn(sa)) : Credentials.fromPodIdentity();
  }

  get endpointHost(): string {
    return `s3.${this.region}.amazonaws.com${this.partition === 'aws-cn' ? '.cn' : ''}`;
  }

  checkClientNamespace(): RuleResult {
    return undefined;
  }

  /** Bucket names are global on AWS: the library's own carry the spec's prefix. */
  defaultBucketName(suggested: string): string {
    return `${this.props.namePrefix}-${suggested}`;
  }

  /** The role of one ServiceAccount. Deterministic, so the Kubernetes side knows it before the role exists. */
  roleName(serviceAccount: ServiceAccountRef): string {
    return `${this.props.namePrefix}-${serviceAccount.namespace}-${serviceAccount.name}`;
  }

  roleArn(serviceAccount: ServiceAccountRef): string {
    return `arn:${this.partition}:iam::${this.accountId}:role/${this.roleName(serviceAccount)}`;
  }

  /** The name of a bucket's copy in the replication region: the bucket's name and that region. */
  replicaBucketName(bucket: string): string {
    return `${bucket}-${this.props.replication?.region ?? this.region}`;
  }

  bucketArn(bucket: string): string {
    return `arn:${this.partition}:s3:::${bucket}`;
  }

  /** IRSA: the issuer without scheme (`oidc.eks.<region>.amazonaws.com/id/<id>`), the prefix of the trust condition keys. */
  get oidcIssuerHostPath(): string | undefined {
    const identity = this.props.identity;
    if (identity.type !== 'irsa') return undefined;
    if (identity.oidcProviderArn) return OIDC_PROVIDER_ARN.exec(identity.oidcProviderArn)![1];
    return identity.oidcIssuerUrl!.replace(/^https:\/\//, '').replace(/\/+$/, '');
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const KMS_KEY_ARN = /^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** A KMS key ARN, not a key id or an alias (which cannot scope IAM grants); `why` says what needs the ARN. */
export function kmsKeyArn(value: string, why?: string): RuleResult {
  if (KMS_KEY_ARN.test(value)) return undefined;
  return { problem: why ? `is not a KMS key ARN; ${why}` : 'is not a KMS key ARN', fix: 'give the key\'s ARN, "arn:aws:kms:<region>:<account>:key/<key-id>"' };
}
const OIDC_PROVIDER_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:oidc-provider\/([^\s]+)$/;
const ISSUER_URL = /^https:\/\/[a-z0-9.-]+(\/[^\s]*)?$/;
/** IAM role names: 1-64 of letters, digits and `+=,.@_-`. */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/** Checks the props of {@link AwsStorage}; `prefix` is prepended to property names (`aws.`). */
export function checkAwsStorageProps(v: Validator, props: AwsStorageProps, prefix = ''): void {
  const p = (name: string) => `${prefix}${name}`;
  v.check(
    ACCOUNT_ID.test(String(props.accountId)),
    p('accountId'),
    props.accountId,
    'is not a 12-digit AWS account id',
    'give the account id as a string of 12 digits, e.g. "111122223333"',
  );
  v.check(REGION.test(String(props.region)), p('region'), props.region, 'is not an AWS region name', 'use a region such as "eu-west-1"');
  v.check(
    /^[A-Za-z0-9+=,.@_-]{1,32}$/.test(String(props.namePrefix)),
    p('namePrefix'),
    props.namePrefix,
    'must be 1-32 letters, digits or "+=,.@_-" (it starts every IAM role name, which may be 64 long)',
    'use a short prefix such as "acme-prod"',
  );
  if (props.kmsKeyArn !== undefined) {
    v.apply(
      p('kmsKeyArn'),
      props.kmsKeyArn,
      kmsKeyArn(props.kmsKeyArn, "a key id or an alias cannot scope the roles' kms:GenerateDataKey and kms:Decrypt grants"),
    );
  }
  if (props.noncurrentVersionDays !== undefined) {
    v.check(
      Number.isInteger(props.noncurrentVersionDays) && props.noncurrentVersionDays >= 1,
      p('noncurrentVersionDays'),
      props.noncurrentVersionDays,
      'must be a whole number of days, at least 1',
      'set it to 7, or turn versioning off',
    );
  }
  checkIdentity(v, props.identity, p('identity'));
  if (props.replication !== undefined) checkReplication(v, props, p);
}

const REPLICA_STORAGE_CLASSES: readonly AwsReplicaStorageClass[] = ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR'];

function checkReplication(v: Validator, props: AwsStorageProps, p: (name: string) => string): void {
  const r = props.replication!;
  if (v.check(REGION.test(String(r.region)), p('replication.region'), r.region, 'is not an AWS region name', 'use a region such as "eu-central-1"')) {
    v.check(
      r.region !== props.region,
      p('replication.region'),
      r.region,
      'is the region of the buckets themselves: a copy there does not survive the loss of the region',
      'choose another region for the copies',
    );
  }
  if (r.kmsKeyArn !== undefined) {
    if (v.apply(p('replication.kmsKeyArn'), r.kmsKeyArn, kmsKeyArn(r.kmsKeyArn))) {
      v.check(
        r.kmsKeyArn.split(':')[3] === r.region,
        p('replication.kmsKeyArn'),
        r.kmsKeyArn,
        `is a key of region "${r.kmsKeyArn.split(':')[3]}", and KMS keys are regional: the copies in "${r.region}" need a key of their own region`,
        `give a key of ${r.region}`,
      );
    }
  } else {
    v.check(
      props.kmsKeyArn === undefined,
      p('replication.kmsKeyArn'),
      undefined,
      'is missing: the buckets are encrypted with a KMS key, and S3 replicates such objects only with a key for the copies',
      `give a KMS key ARN of ${r.region}`,
    );
  }
  if (r.storageClass !== undefined) {
    v.check(
      REPLICA_STORAGE_CLASSES.includes(r.storageClass),
      p('replication.storageClass'),
      r.storageClass,
      'is not a storage class that serves reads at once (a copy in an archive class cannot be read by a failed-over component)',
      `use one of ${REPLICA_STORAGE_CLASSES.join(', ')}`,
    );
  }
}

function checkIdentity(v: Validator, identity: AwsIdentityProps | undefined, property: string): void {
  if (
    !v.check(
      identity !== undefined && ['irsa', 'pod-identity'].includes(identity.type),
      `${property}.type`,
      identity?.type,
      'must be "irsa" or "pod-identity"',
      'choose how pods assume their role: { type: "irsa", oidcProviderArn } or { type: "pod-identity", clusterName }',
    )
  )
    return;
  if (identity!.type === 'pod-identity') {
    v.check(
      EKS_CLUSTER_NAME.test(String(identity!.clusterName)),
      `${property}.clusterName`,
      identity!.clusterName,
      'is not an EKS cluster name',
      'give the name of the EKS cluster the pods run in',
    );
    return;
  }
  const irsa = identity!;
  const given = [irsa.oidcProviderArn, irsa.oidcIssuerUrl].filter((x) => x !== undefined).length;
  if (
    !v.check(
      given === 1,
      `${property}.oidcProviderArn`,
      irsa.oidcProviderArn,
      given === 0
        ? "is required for IRSA: without the cluster's OIDC provider no role can trust its ServiceAccounts"
        : 'and oidcIssuerUrl are both set; the role could trust only one of them',
      given === 0
        ? 'give the provider\'s ARN (aws eks describe-cluster … identity.oidc.issuer, then the IAM provider of that issuer), or oidcIssuerUrl to create the provider, or use type: "pod-identity"'
        : 'keep oidcProviderArn for an existing provider, or oidcIssuerUrl to create one',
    )
  )
    return;
  if (irsa.oidcProviderArn !== undefined) {
    v.check(
      OIDC_PROVIDER_ARN.test(irsa.oidcProviderArn),
      `${property}.oidcProviderArn`,
      irsa.oidcProviderArn,
      'is not an IAM OIDC provider ARN',
      'use "arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>"',
    );
  } else {
    v.check(
      ISSUER_URL.test(irsa.oidcIssuerUrl!),
      `${property}.oidcIssuerUrl`,
      irsa.oidcIssuerUrl,
      'is not an https issuer URL',
      'use the cluster\'s issuer, "https://oidc.eks.<region>.amazonaws.com/id/<id>"',
    );
  }
}
