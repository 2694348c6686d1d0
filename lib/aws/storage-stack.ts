import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { AwsStorage } from '../object-storage/aws-storage';
import { planAwsStorage } from '../object-storage/aws-plan';
import { ComponentRole, RoleTrust } from './component-role';
import { AwsProvider, IamOpenidConnectProvider, S3Backend, TerraformOutput, TerraformStack } from './provider';
import { SecureBucket } from './secure-bucket';
import { BucketReplication } from './replication';

/** Where Terraform keeps the stack's state, when not in a local file. */
export interface S3StateBackendProps {
  /** The state bucket (made beforehand, outside this stack). */
  readonly bucket: string;
  /** Object key of the state file. */
  readonly key: string;
  /** @default the storage's region */
  readonly region?: string;
  /** A DynamoDB table for locking; without one, Terraform ≥ 1.10 locks with a lock file next to the state. @default none */
  readonly dynamodbTable?: string;
}

/** Props of {@link AwsStorageStack}: the AWS storage a platform declared, made into buckets and roles. */
export interface AwsStorageStackProps {
  /**
   * The storage the Kubernetes side was built with, after its components registered: its
   * buckets, clients and retention become buckets, roles and lifecycle rules here.
   */
  readonly storage: AwsStorage;
  /** Remote state in S3, encrypted. @default local state (`terraform.<stack>.tfstate`) */
  readonly stateBackend?: S3StateBackendProps;
}

/**
 * The Terraform side of an {@link AwsStorage}: one hardened bucket per declared store and one
 * least-privilege role per client ServiceAccount, trusted through IRSA or EKS Pod Identity. Names
 * come from the same object the Kubernetes side used, so both outputs agree by construction.
 */
export class AwsStorageStack extends TerraformStack {
  /** The buckets, by name. */
  readonly buckets: Readonly<Record<string, SecureBucket>>;
  /** The copies of the buckets in the replication region, by the name of the bucket they copy. */
  readonly replicas: Readonly<Record<string, SecureBucket>>;
  /** The replication role and rules, when `replication` is set. */
  readonly replication?: BucketReplication;
  /** The roles, by role name. */
  readonly roles: Readonly<Record<string, ComponentRole>>;
  /** The OIDC provider, when the stack creates it from an issuer URL. */
  readonly oidcProvider?: IamOpenidConnectProvider;

  constructor(scope: Construct, id: string, props: AwsStorageStackProps) {
    super(scope, id);
    const storage = props.storage;
    const plan = planAwsStorage(storage, this.node.path);
    const v = new Validator(this);
    v.check(
      plan.roles.length > 0,
      'storage',
      '(no clients)',
      'has no component using it, so there is nothing to make',
      'build the Kubernetes side (e.g. ObservabilityPlatform with `aws`) from this storage before the stack',
    );
    v.throwIfAny();

    new AwsProvider(this, 'aws', { region: storage.region, allowedAccountIds: [storage.accountId] });
    if (props.stateBackend) this.useS3State(props.stateBackend, storage.region);
    const tags = { ...storage.props.tags };
    const { trust, oidcProvider } = this.roleTrust(storage, tags);
    this.oidcProvider = oidcProvider;

    const buckets: Record<string, SecureBucket> = {};
    for (const b of plan.buckets) {
      buckets[b.name] = new SecureBucket(this, `bucket-${b.name}`, {
        bucketName: b.name,
        kmsKeyArn: b.kmsKeyArn,
        versioning: b.versioning,
        noncurrentVersionDays: b.noncurrentVersionDays,
        expiries: b.expiries,
        forceDestroy: b.forceDestroy,
        tags: { ...tags, 'obs-platform.io/used-by': b.clients.join(' ') },
      });
    }
    const pairs = plan.buckets.flatMap((b) => {
      if (!b.replica) return [];
      const replica = new SecureBucket(this, `replica-${b.name}`, {
        bucketName: b.replica.name,
        region: b.replica.region,
        kmsKeyArn: b.replica.kmsKeyArn,
        versioning: true,
        noncurrentVersionDays: b.noncurrentVersionDays,
        // Lifecycle rules are not replicated: the copy expires what the bucket expires, itself.
        expiries: b.expiries,
        forceDestroy: b.forceDestroy,
        tags: { ...tags, 'obs-platform.io/replica-of': b.name },
      });
      return [{ source: buckets[b.name], replica, storageClass: b.replica.storageClass }];
    });
    this.replicas = Object.fromEntries(pairs.map((p) => [p.source.bucketName, p.replica]));
    if (plan.replicationRole) {
      this.replication = new BucketReplication(this, 'replication', {
        roleName: plan.replicationRole,
        pairs,
        sourceKmsKeyArn: storage.props.kmsKeyArn,
        replicaKmsKeyArn: storage.props.replication?.kmsKeyArn,
        tags,
      });
    }
    const roles: Record<string, ComponentRole> = {};
    for (const r of plan.roles) {
      roles[r.name] = new ComponentRole(this, `role-${r.serviceAccount.namespace}-${r.serviceAccount.name}`, {
        roleName: r.name,
        serviceAccount: r.serviceAccount,
        trust,
        bucketArns: r.buckets.map((b) => storage.bucketArn(b)),
        actions: r.actions,
        kmsKeyArn: r.kmsKeyArn,
        tags: { ...tags, 'obs-platform.io/component': r.component },
      });
    }
    this.buckets = buckets;
    this.roles = roles;

    new TerraformOutput(this, 'bucket_names', { value: plan.buckets.map((b) => b.name) });
    if (pairs.length > 0)
      new TerraformOutput(this, 'replica_bucket_names', { value: Object.fromEntries(pairs.map((p) => [p.source.bucketName, p.replica.bucketName])) });
    new TerraformOutput(this, 'role_arns', {
      value: Object.fromEntries(plan.roles.map((r) => [`${r.serviceAccount.namespace}/${r.serviceAccount.name}`, roles[r.name].role.arn])),
    });
  }

  /** The trust every role gets; IRSA with only an issuer URL makes the OIDC provider here. */
  private roleTrust(storage: AwsStorage, tags: Record<string, string>): { trust: RoleTrust; oidcProvider?: IamOpenidConnectProvider } {
    const identity = storage.props.identity;
    if (identity.type === 'pod-identity') return { trust: { type: 'pod-identity', clusterName: identity.clusterName } };
    const issuerHostPath = storage.oidcIssuerHostPath!;
    if (identity.oidcProviderArn) return { trust: { type: 'irsa', oidcProviderArn: identity.oidcProviderArn, issuerHostPath } };
    const oidcProvider = new IamOpenidConnectProvider(this, 'oidc-provider', {
      url: `https://${issuerHostPath}`,
      clientIdList: ['sts.amazonaws.com'],
      tags,
    });
    return { trust: { type: 'irsa', oidcProviderArn: oidcProvider.arn, issuerHostPath }, oidcProvider };
  }

  private useS3State(backend: S3StateBackendProps, region: string): void {
    const s3 = new S3Backend(this, {
      bucket: backend.bucket,
      key: backend.key,
      region: backend.region ?? region,
      encrypt: true,
      dynamodbTable: backend.dynamodbTable,
    });
    // cdktf 0.21 predates S3-native locking; Terraform 1.10+ reads `use_lockfile`.
    if (!backend.dynamodbTable) s3.addOverride('use_lockfile', true);
  }
}
