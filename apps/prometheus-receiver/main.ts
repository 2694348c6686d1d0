import { App, Chart } from 'cdk8s';
import { PrometheusServer, RestrictedNamespace } from '../../lib';

/**
 * Plain Prometheus, federated by remote-write: an edge Prometheus scrapes and keeps a week
 * locally, and writes everything to a central Prometheus pair that runs the remote-write receiver.
 * The edge writes to every central pod, so both central replicas hold every series. The edge is a
 * single server on purpose: Prometheus cannot deduplicate, so an HA edge pair would store every
 * series twice in the centre (the construct refuses it); for HA senders, write to Thanos receive
 * or VictoriaMetrics instead.
 */
export function prometheusReceiver(app: App): void {
  const chart = new Chart(app, 'prometheus-receiver', { disableResourceNameHashes: true });
  const namespace = 'monitoring';
  new RestrictedNamespace(chart, 'namespace', namespace);
  const central = new PrometheusServer(chart, 'central', {
    namespace,
    name: 'central',
    replicas: 2,
    retention: '30d',
    storageSize: '100Gi',
    remoteWriteReceiver: true,
  });
  new PrometheusServer(chart, 'edge', {
    namespace,
    name: 'edge',
    replicas: 1,
    retention: '7d',
    externalLabels: { cluster: 'edge-eu-1' },
    scrapeTargets: central.scrapeTargets,
    remoteWrite: central.remoteWriteTargets,
  });
}

if (require.main === module) {
  const app = new App();
  prometheusReceiver(app);
  app.synth();
}
