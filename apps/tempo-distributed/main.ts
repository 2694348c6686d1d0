import { App } from 'cdk8s';
import { ObservabilityPlatform } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/**
 * The default platform with Tempo in distributed mode: every Tempo 3 component apart, writing
 * through an in-cluster Apache Kafka (KRaft, three nodes) that the platform runs for it, its trace
 * topic made by a Job with one partition per live-store.
 */
export function tempoDistributed(app: App): void {
  acknowledgeExampleAlertmanager(
    new ObservabilityPlatform(app, 'tempo-distributed', { tempo: { mode: 'distributed', distributed: { liveStore: 3, blockBuilder: 3 } } }),
  );
}

if (require.main === module) {
  const app = new App();
  tempoDistributed(app);
  app.synth();
}
