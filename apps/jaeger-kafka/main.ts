import { App } from 'cdk8s';
import { ObservabilityPlatform } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/**
 * The "Jaeger with Kafka" lab on the platform: Jaeger v2 as the traces backend, its collectors
 * writing spans to the platform's in-cluster Kafka, its ingesters writing them to a remote storage
 * (Badger on a volume), its query serving Grafana's Jaeger datasource, which links a span to its
 * logs in Loki and its service's metrics. The OTLP gateway sends traces to the collectors.
 */
export function jaegerKafka(app: App): void {
  acknowledgeExampleAlertmanager(new ObservabilityPlatform(app, 'jaeger-kafka', { tracesBackend: 'jaeger' }));
}

if (require.main === module) {
  const app = new App();
  jaegerKafka(app);
  app.synth();
}
