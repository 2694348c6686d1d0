import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { bucketName } from '../object-storage/bucket-name';
import { ExpiryRule } from '../object-storage/aws-plan';
import { kmsKeyArn } from '../object-storage/aws-storage';
import {
  DataAwsIamPolicyDocument,
  S3Bucket,
  S3BucketLifecycleConfiguration,
  S3BucketLifecycleConfigurationRule,
  S3BucketOwnershipControls,
  S3BucketPolicy,
  S3BucketPublicAccessBlock,
  S3BucketServerSideEncryptionConfigurationA,
  S3BucketVersioningA,
} from './provider';

/** Props of {@link SecureBucket}: an S3 bucket with encryption, versioning, TLS-only access and public access blocked. */
export interface SecureBucketProps {
  /** The bucket's global name. */
  readonly bucketName: string;
  /** A KMS key ARN for SSE-KMS (with an S3 bucket key, which cuts KMS calls). @default SSE-S3 (AES256) */
  readonly kmsKeyArn?: string;
  /** Keep previous versions. @default true */
  readonly versioning?: boolean;
  /** Days a previous version is kept. @default 7 */
  readonly noncurrentVersionDays?: number;
  /** Expiry of current objects, per prefix. @default none */
  readonly expiries?: readonly ExpiryRule[];
  /** Let `terraform destroy` delete the bucket with its objects. @default false */
  readonly forceDestroy?: boolean;
  /** Tags of the bucket. @default none */
  readonly tags?: Readonly<Record<string, string>>;
  /** The region of the bucket, when not the provider's (a replica). @default the provider's region */
  readonly region?: string;
}

/** Uploads that never complete still cost storage; Tempo's S3 guide advises aborting them after a day. */
const ABORT_MULTIPART_DAYS = 1;

/**
 * An S3 bucket hardened the way terraform-aws-modules/s3-bucket is used in production: default
 * encryption, every public-access block on, ACLs disabled (bucket owner enforced), a policy that
 * denies plain HTTP and TLS below 1.2, optional versioning, and lifecycle rules. It never holds a
 * policy granting access: each component's role does that.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  readonly policy: S3BucketPolicy;
  /** Its versioning, when on: replication must wait for it. */
  readonly versioning?: S3BucketVersioningA;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    validate(this, props);
    this.bucketName = props.bucketName;
    const versioning = props.versioning ?? true;
    const region = props.region;
    this.bucket = new S3Bucket(this, 'Bucket', {
      region,
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy ?? false,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    const bucket = this.bucket.id;

    new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
      region,
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyArn ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn } : { sseAlgorithm: 'AES256' },
          bucketKeyEnabled: props.kmsKeyArn !== undefined,
        },
      ],
    });
    // S3 rejects concurrent changes to one bucket's settings ("A conflicting conditional operation
    // is currently in progress"), so public access block → policy → ownership run in order.
    const publicAccess = new S3BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      region,
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    this.policy = new S3BucketPolicy(this, 'Policy', {
      region,
      bucket,
      policy: this.transportPolicy().json,
      dependsOn: [publicAccess],
    });
    new S3BucketOwnershipControls(this, 'Ownership', {
      region,
      bucket,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
      dependsOn: [this.policy],
    });
    const versioned = versioning ? new S3BucketVersioningA(this, 'Versioning', { region, bucket, versioningConfiguration: { status: 'Enabled' } }) : undefined;
    this.versioning = versioned;
    new S3BucketLifecycleConfiguration(this, 'Lifecycle', {
      region,
      bucket,
      rule: lifecycleRules(props, versioning),
      // Rules on noncurrent versions need versioning to exist first.
      dependsOn: versioned ? [versioned] : undefined,
    });
  }

  /** Denies every request over plain HTTP or TLS older than 1.2, whoever makes it. */
  private transportPolicy(): DataAwsIamPolicyDocument {
    const resources = [this.bucket.arn, `${this.bucket.arn}/*`];
    const everyone = [{ type: '*', identifiers: ['*'] }];
    return new DataAwsIamPolicyDocument(this, 'TransportPolicy', {
      statement: [
        {
          sid: 'DenyInsecureTransport',
          effect: 'Deny',
          actions: ['s3:*'],
          resources,
          principals: everyone,
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
        {
          sid: 'DenyOutdatedTls',
          effect: 'Deny',
          actions: ['s3:*'],
          resources,
          principals: everyone,
          condition: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
        },
      ],
    });
  }
}

function lifecycleRules(props: SecureBucketProps, versioning: boolean): S3BucketLifecycleConfigurationRule[] {
  const rules: S3BucketLifecycleConfigurationRule[] = [
    {
      id: 'abort-incomplete-multipart-uploads',
      status: 'Enabled',
      filter: [{ prefix: '' }],
      abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_MULTIPART_DAYS }],
    },
  ];
  if (versioning) {
    rules.push({
      id: 'expire-noncurrent-versions',
      status: 'Enabled',
      filter: [{ prefix: '' }],
      noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays ?? 7 }],
      // Once its versions are gone, a lone delete marker only slows listings.
      expiration: [{ expiredObjectDeleteMarker: true }],
    });
  }
  for (const expiry of props.expiries ?? []) {
    rules.push({
      id: `expire-${expiry.prefix.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-|-$/g, '') || 'all'}-after-${expiry.days}d`,
      status: 'Enabled',
      filter: [{ prefix: expiry.prefix }],
      expiration: [{ days: expiry.days }],
    });
  }
  return rules;
}

function validate(scope: SecureBucket, props: SecureBucketProps): void {
  const v = new Validator(scope);
  v.apply('bucketName', props.bucketName, bucketName(props.bucketName));
  if (props.kmsKeyArn !== undefined) {
    v.apply('kmsKeyArn', props.kmsKeyArn, kmsKeyArn(props.kmsKeyArn));
  }
  for (const [i, e] of (props.expiries ?? []).entries()) {
    v.check(Number.isInteger(e.days) && e.days >= 1, `expiries[${i}].days`, e.days, 'must be a whole number of days, at least 1', 'give a number of days');
  }
  v.throwIfAny();
}
