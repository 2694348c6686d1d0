import { App } from 'cdk8s';
import { ObservabilityPlatform } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';
import { PLATFORM_AWS_ID, PLATFORM_AWS_SPEC } from './spec';

/**
 * The platform on AWS: S3 through the regional endpoint and one IRSA role per component, so no
 * key appears anywhere. `terraform.ts` makes the buckets and roles from the same spec.
 */
export function platformAws(app: App): ObservabilityPlatform {
  const platform = new ObservabilityPlatform(app, PLATFORM_AWS_ID, PLATFORM_AWS_SPEC);
  acknowledgeExampleAlertmanager(platform);
  return platform;
}

if (require.main === module) {
  const app = new App();
  platformAws(app);
  app.synth();
}
