import { App } from 'cdk8s';
import { ObservabilityPlatform } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/** The default platform with VictoriaMetrics as its metrics backend: the one prop that differs. */
export function platformVictoriaMetrics(app: App): void {
  acknowledgeExampleAlertmanager(new ObservabilityPlatform(app, 'platform-vm', { metricsBackend: 'victoriametrics' }));
}

if (require.main === module) {
  const app = new App();
  platformVictoriaMetrics(app);
  app.synth();
}
