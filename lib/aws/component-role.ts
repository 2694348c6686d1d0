import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { ROLE_NAME } from '../object-storage/aws-storage';
import { ServiceAccountRef } from '../object-storage/usage';
import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
  EksPodIdentityAssociation,
  IamPolicy,
  IamRole,
  IamRolePolicyAttachment,
} from './provider';

/** How the role is trusted: IRSA through the cluster's OIDC provider, or EKS Pod Identity. */
export type RoleTrust =
  | {
      readonly type: 'irsa';
      /** ARN of the IAM OIDC provider (a token when the stack creates it). */
      readonly oidcProviderArn: string;
      /** The issuer without scheme, e.g. `oidc.eks.eu-west-1.amazonaws.com/id/ABC`: the prefix of the condition keys. */
      readonly issuerHostPath: string;
    }
  | { readonly type: 'pod-identity'; readonly clusterName: string };

/** Props of {@link ComponentRole}: one IAM role for one component's ServiceAccount. */
export interface ComponentRoleProps {
  /** The IAM role name. */
  readonly roleName: string;
  /** The one ServiceAccount allowed to assume it. */
  readonly serviceAccount: ServiceAccountRef;
  readonly trust: RoleTrust;
  /** ARNs of the buckets the component uses (`arn:aws:s3:::<name>`). */
  readonly bucketArns: readonly string[];
  /** The S3 actions the component documents; `s3:ListBucket` is granted on the bucket, the rest on its objects. */
  readonly actions: readonly string[];
  /** KMS key of the buckets, when SSE-KMS: adds `kms:GenerateDataKey` and `kms:Decrypt` on it. @default none */
  readonly kmsKeyArn?: string;
  /** @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** S3 actions that act on the bucket itself rather than on its objects. */
const BUCKET_LEVEL_ACTIONS = new Set(['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads']);
const EKS_PODS_SERVICE = 'pods.eks.amazonaws.com';
const STS_AUDIENCE = 'sts.amazonaws.com';

/**
 * The IAM role of one component: trusted by exactly one ServiceAccount, allowed exactly the S3
 * actions its upstream documents on exactly its buckets. With Pod Identity it also makes the
 * association that hands the role to that ServiceAccount.
 */
export class ComponentRole extends Construct {
  readonly role: IamRole;
  readonly policy: IamPolicy;
  readonly trustPolicy: DataAwsIamPolicyDocument;
  readonly permissions: DataAwsIamPolicyDocument;
  readonly association?: EksPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: ComponentRoleProps) {
    super(scope, id);
    const v = new Validator(this);
    v.check(
      ROLE_NAME.test(props.roleName),
      'roleName',
      props.roleName,
      'is not an IAM role name (1-64 of letters, digits and "+=,.@_-")',
      'shorten it or drop other characters',
    );
    v.check(
      props.actions.length > 0 && props.actions.every((a) => /^s3:[A-Za-z]+$/.test(a)),
      'actions',
      props.actions,
      'must be named S3 actions, no wildcards',
      'list what the component documents, e.g. ["s3:GetObject", "s3:ListBucket"]',
    );
    v.check(props.bucketArns.length > 0, 'bucketArns', props.bucketArns, 'is empty, so the role would grant nothing', 'give the buckets the component uses');
    v.throwIfAny();

    this.trustPolicy = new DataAwsIamPolicyDocument(this, 'Trust', { statement: [trustStatement(props.trust, props.serviceAccount)] });
    this.permissions = new DataAwsIamPolicyDocument(this, 'Permissions', { statement: permissionStatements(props) });
    const tags = props.tags ? { ...props.tags } : undefined;
    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      description: `S3 access of ServiceAccount ${props.serviceAccount.namespace}/${props.serviceAccount.name}`,
      assumeRolePolicy: this.trustPolicy.json,
      tags,
    });
    this.policy = new IamPolicy(this, 'Policy', {
      name: props.roleName,
      description: `Least privilege for ${props.serviceAccount.namespace}/${props.serviceAccount.name}: its documented S3 actions on its own buckets`,
      policy: this.permissions.json,
      tags,
    });
    new IamRolePolicyAttachment(this, 'Attachment', { role: this.role.name, policyArn: this.policy.arn });
    if (props.trust.type === 'pod-identity') {
      this.association = new EksPodIdentityAssociation(this, 'PodIdentity', {
        clusterName: props.trust.clusterName,
        namespace: props.serviceAccount.namespace,
        serviceAccount: props.serviceAccount.name,
        roleArn: this.role.arn,
        tags,
      });
    }
  }
}

/** Trust for exactly one ServiceAccount: IRSA's `sub` and `aud`, or Pod Identity's session tags. */
function trustStatement(trust: RoleTrust, sa: ServiceAccountRef): DataAwsIamPolicyDocumentStatement {
  if (trust.type === 'irsa') {
    return {
      sid: 'ServiceAccountWebIdentity',
      effect: 'Allow',
      actions: ['sts:AssumeRoleWithWebIdentity'],
      principals: [{ type: 'Federated', identifiers: [trust.oidcProviderArn] }],
      condition: [
        { test: 'StringEquals', variable: `${trust.issuerHostPath}:sub`, values: [`system:serviceaccount:${sa.namespace}:${sa.name}`] },
        { test: 'StringEquals', variable: `${trust.issuerHostPath}:aud`, values: [STS_AUDIENCE] },
      ],
    };
  }
  return {
    sid: 'EksPodIdentity',
    effect: 'Allow',
    actions: ['sts:AssumeRole', 'sts:TagSession'],
    principals: [{ type: 'Service', identifiers: [EKS_PODS_SERVICE] }],
    // The tags EKS attaches to the session: a stray association in another cluster or for another
    // ServiceAccount cannot use the role.
    condition: [
      { test: 'StringEquals', variable: 'aws:RequestTag/eks-cluster-name', values: [trust.clusterName] },
      { test: 'StringEquals', variable: 'aws:RequestTag/kubernetes-namespace', values: [sa.namespace] },
      { test: 'StringEquals', variable: 'aws:RequestTag/kubernetes-service-account', values: [sa.name] },
    ],
  };
}

/** Listing on the buckets, object actions on their keys, and the KMS key when there is one. */
function permissionStatements(props: ComponentRoleProps): DataAwsIamPolicyDocumentStatement[] {
  const bucketActions = props.actions.filter((a) => BUCKET_LEVEL_ACTIONS.has(a));
  const objectActions = props.actions.filter((a) => !BUCKET_LEVEL_ACTIONS.has(a));
  const statements: DataAwsIamPolicyDocumentStatement[] = [];
  if (bucketActions.length > 0) statements.push({ sid: 'Buckets', effect: 'Allow', actions: bucketActions, resources: [...props.bucketArns] });
  if (objectActions.length > 0) statements.push({ sid: 'Objects', effect: 'Allow', actions: objectActions, resources: props.bucketArns.map((b) => `${b}/*`) });
  if (props.kmsKeyArn) {
    statements.push({ sid: 'BucketKey', effect: 'Allow', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.kmsKeyArn] });
  }
  return statements;
}
