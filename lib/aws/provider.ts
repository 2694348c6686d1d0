/**
 * The one module that imports cdktf and the AWS provider. Everything else in lib/aws imports from
 * here, so moving to CDK Terrain is a rename in this file (`cdktf` → `cdktn`,
 * `@cdktf/provider-aws` → `@cdktn/provider-aws`, same `/lib/<resource>` paths) and in package.json.
 *
 * Each resource comes from its own module: the provider's barrel loads every resource of a
 * ~400 MB package, which costs seconds per synth.
 */
export { App, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
export type { S3BackendConfig } from 'cdktf';
export { AwsProvider } from '@cdktf/provider-aws/lib/provider';
export { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
export { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
export { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
export { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
export type { S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
export { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
export { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
export { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
export { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
export { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
export type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
export { IamRole } from '@cdktf/provider-aws/lib/iam-role';
export { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
export { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
export { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
export { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
