import { App, Chart } from 'cdk8s';
import { PrometheusServer, RestrictedNamespace } from '../../lib';

/**
 * Hierarchical federation (seed 003): an edge Prometheus scrapes its cluster and aggregates with
 * recording rules; a global Prometheus pulls the aggregates and the edge's `up` series from the
 * edge's `/federate` endpoint, keeping the edge's own job and instance labels (`honor_labels`),
 * with the edge's external labels saying where each series came from.
 */
export function prometheusFederation(app: App): void {
  const chart = new Chart(app, 'prometheus-federation', { disableResourceNameHashes: true });
  const namespace = 'monitoring';
  new RestrictedNamespace(chart, 'namespace', namespace);
  // One edge Prometheus per cluster; in a real setup each runs in its own cluster and the global
  // one reaches them through their ingress (a /federate URL instead of the endpoint).
  const edges = ['eu-1', 'us-1'].map(
    (cluster) =>
      new PrometheusServer(chart, `edge-${cluster}`, {
        namespace,
        name: `edge-${cluster}`,
        replicas: 1,
        retention: '7d',
        scrapeInterval: '15s',
        externalLabels: { cluster: `edge-${cluster}` },
        ruleGroups: [
          {
            name: 'federated-aggregates',
            interval: '15s',
            rules: [
              { record: 'job:up:sum', expr: 'sum by (job) (up)' },
              { record: 'job:prometheus_tsdb_head_series:sum', expr: 'sum by (job) (prometheus_tsdb_head_series)' },
            ],
          },
        ],
      }),
  );
  new PrometheusServer(chart, 'global', {
    namespace,
    name: 'global',
    replicas: 1,
    retention: '90d',
    storageSize: '100Gi',
    externalLabels: { cluster: 'global' },
    federate: edges.map((edge) => ({
      job: `federate-${edge.identity.name}`,
      from: edge.federationEndpoint(),
      // The edge's recording rules, and its targets' health.
      match: ['{__name__=~"job:.*"}', 'up'],
      scrapeInterval: '30s',
    })),
  });
}

if (require.main === module) {
  const app = new App();
  prometheusFederation(app);
  app.synth();
}
