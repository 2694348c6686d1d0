/**
 * The cdktf side (`@obs-platform/constructs/aws`): S3 buckets and IAM roles for object storage.
 * Kept out of the main entry point so Kubernetes-only users never load cdktf or the AWS provider.
 */
export * from './component-role';
export * from './secure-bucket';
export * from './storage-stack';
export * from './replication';
