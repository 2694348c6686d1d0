import { App } from 'cdk8s';
import { ObservabilityPlatform } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/** The default platform: no cloud account needed, object storage is MinIO in the cluster. */
export function defaultPlatform(app: App): void {
  acknowledgeExampleAlertmanager(new ObservabilityPlatform(app, 'platform'));
}

if (require.main === module) {
  const app = new App();
  defaultPlatform(app);
  app.synth();
}
