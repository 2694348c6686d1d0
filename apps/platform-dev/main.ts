import { App } from 'cdk8s';
import { ObservabilityPlatform } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/** The default platform sized for a laptop cluster (kind, k3d, minikube): the dev profile. */
export function platformDev(app: App): void {
  acknowledgeExampleAlertmanager(new ObservabilityPlatform(app, 'platform-dev', { profile: 'dev' }));
}

if (require.main === module) {
  const app = new App();
  platformDev(app);
  app.synth();
}
