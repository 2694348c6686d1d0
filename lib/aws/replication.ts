import { Construct } from 'constructs';
import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
  IamPolicy,
  IamRole,
  IamRolePolicyAttachment,
  S3BucketReplicationConfigurationA,
} from './provider';
import { SecureBucket } from './secure-bucket';

/** One bucket and its copy in another region. */
export interface ReplicatedPair {
  readonly source: SecureBucket;
  readonly replica: SecureBucket;
  /** The replica's storage class. */
  readonly storageClass: string;
}

/** Props of {@link BucketReplication}. */
export interface BucketReplicationProps {
  /** The IAM role S3 assumes to copy objects. */
  readonly roleName: string;
  readonly pairs: readonly ReplicatedPair[];
  /** The buckets' KMS key, when SSE-KMS: the role decrypts with it. @default none */
  readonly sourceKmsKeyArn?: string;
  /** The copies' KMS key (in their region): the role encrypts with it. @default none (SSE-S3 copies) */
  readonly replicaKmsKeyArn?: string;
  /** @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * S3 cross-region replication of the platform's buckets, per the S3 user guide's setup: one role
 * that S3 assumes, allowed to read each bucket's versions and write them to its copy, and a
 * replication rule per bucket for every object, delete markers included, so that the copy mirrors
 * what the components deleted (a compactor's merged blocks would otherwise pile up there).
 */
export class BucketReplication extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: BucketReplicationProps) {
    super(scope, id);
    const tags = props.tags ? { ...props.tags } : undefined;
    const trust = new DataAwsIamPolicyDocument(this, 'Trust', {
      statement: [{ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }] }],
    });
    const permissions = new DataAwsIamPolicyDocument(this, 'Permissions', { statement: replicationStatements(props) });
    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      description: 'S3 cross-region replication of the observability buckets',
      assumeRolePolicy: trust.json,
      tags,
    });
    const policy = new IamPolicy(this, 'Policy', {
      name: props.roleName,
      description: "Read the buckets' versions, write their copies",
      policy: permissions.json,
      tags,
    });
    new IamRolePolicyAttachment(this, 'Attachment', { role: this.role.name, policyArn: policy.arn });

    for (const { source, replica, storageClass } of props.pairs) {
      new S3BucketReplicationConfigurationA(this, `Rule-${source.bucketName}`, {
        bucket: source.bucket.id,
        role: this.role.arn,
        rule: [
          {
            id: 'copy-every-object',
            status: 'Enabled',
            filter: { prefix: '' },
            deleteMarkerReplication: { status: 'Enabled' },
            destination: {
              bucket: replica.bucket.arn,
              storageClass,
              ...(props.replicaKmsKeyArn ? { encryptionConfiguration: { replicaKmsKeyId: props.replicaKmsKeyArn } } : {}),
            },
            ...(props.sourceKmsKeyArn ? { sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } } } : {}),
          },
        ],
        // S3 refuses a replication rule until both buckets are versioned.
        dependsOn: [source.versioning!, replica.versioning!],
      });
    }
  }
}

/** What S3 needs to copy: read the configuration and versions of each bucket, replicate into each copy, and the keys. */
function replicationStatements(props: BucketReplicationProps): DataAwsIamPolicyDocumentStatement[] {
  const sources = props.pairs.map((p) => p.source.bucket.arn);
  const replicas = props.pairs.map((p) => p.replica.bucket.arn);
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    { sid: 'ReadReplicationSettings', effect: 'Allow', actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: sources },
    {
      sid: 'ReadVersions',
      effect: 'Allow',
      actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
      resources: sources.map((arn) => `${arn}/*`),
    },
    {
      sid: 'WriteCopies',
      effect: 'Allow',
      actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
      resources: replicas.map((arn) => `${arn}/*`),
    },
  ];
  if (props.sourceKmsKeyArn) statements.push({ sid: 'DecryptSources', effect: 'Allow', actions: ['kms:Decrypt'], resources: [props.sourceKmsKeyArn] });
  if (props.replicaKmsKeyArn) statements.push({ sid: 'EncryptCopies', effect: 'Allow', actions: ['kms:Encrypt'], resources: [props.replicaKmsKeyArn] });
  return statements;
}
