import { App as KubernetesApp } from 'cdk8s';
import { App } from 'cdktf';
import { AwsStorageStack, S3StateBackendProps } from '../../lib/aws';
import { platformAws } from './main';

/**
 * The Terraform side of the AWS platform: the cdktf app named in cdktf.json. It builds the
 * Kubernetes side in memory (nothing is written) so that every component declares its buckets
 * and ServiceAccount, then makes exactly those buckets and roles.
 */
export function platformAwsTerraform(app: App, stateBackend?: S3StateBackendProps): AwsStorageStack {
  const platform = platformAws(new KubernetesApp());
  return new AwsStorageStack(app, 'platform-aws-storage', { storage: platform.aws!, stateBackend });
}

/** Remote state when `TF_STATE_BUCKET` is set (and optionally `TF_STATE_REGION`, `TF_STATE_LOCK_TABLE`). */
function stateBackendFromEnv(env: NodeJS.ProcessEnv): S3StateBackendProps | undefined {
  if (!env.TF_STATE_BUCKET) return undefined;
  return { bucket: env.TF_STATE_BUCKET, key: 'platform-aws/storage.tfstate', region: env.TF_STATE_REGION, dynamodbTable: env.TF_STATE_LOCK_TABLE };
}

if (require.main === module) {
  const app = new App();
  platformAwsTerraform(app, stateBackendFromEnv(process.env));
  app.synth();
}
