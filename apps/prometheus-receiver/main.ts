import { App, Chart } from 'cdk8s';
import { PrometheusServer, RestrictedNamespace } from '../../lib';

/**
 * Plain Prometheus, federated by remote-write: two edge Prometheus servers (an HA pair) scrape
 * and keep a week locally, and write everything to a central Prometheus pair that runs the
 * remote-write receiver. Each edge pod writes to every central pod, so both central replicas hold
 * every series.
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
    replicas: 2,
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
