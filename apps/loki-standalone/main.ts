import { App, Chart } from 'cdk8s';
import {
  DATASOURCE_UIDS,
  Grafana,
  LokiCluster,
  SeaweedFs,
  PrometheusServer,
  RestrictedNamespace,
  emitServiceMonitors,
  lokiDashboard,
  acknowledgeWarning,
  lokiDatasource,
  metricsDatasource,
} from '../../lib';

/**
 * Scenario (c): Loki Simple Scalable on its own, as a logging team runs it. Read, write and
 * backend with the nginx gateway on an in-cluster SeaweedFS; one Prometheus scraping Loki; Grafana
 * with Loki and that Prometheus as datasources and a dashboard of Loki's own metrics.
 */
export function lokiStandalone(app: App): void {
  const chart = new Chart(app, 'loki-standalone', { disableResourceNameHashes: true });
  const namespace = 'logging';
  new RestrictedNamespace(chart, 'namespace', namespace);
  const store = new SeaweedFs(chart, 'seaweedfs', { namespace });
  const loki = new LokiCluster(chart, 'loki', { namespace, storage: store, tenants: [{ id: 'team-a' }, { id: 'team-b' }] });
  acknowledgeWarning(loki, 'alerts-go-nowhere', 'the logging team reads its logs in Grafana and alerts elsewhere: no Alertmanager in this scenario');
  // One replica: its data is the dashboard's, and a pair without Thanos Query in front would
  // answer each refresh from a different replica.
  const prometheus = new PrometheusServer(chart, 'prometheus', {
    namespace,
    replicas: 1,
    retention: '15d',
    scrapeTargets: loki.scrapeTargets,
  });
  const grafana = new Grafana(chart, 'grafana', {
    namespace,
    datasources: [
      metricsDatasource({ url: prometheus.queryUrl }),
      ...loki.tenantIds.map((tenant, i) =>
        lokiDatasource({
          url: loki.queryUrl,
          tenant: { header: loki.tenantHeader, id: loki.tenantHeaderFor(tenant).value },
          uid: i === 0 ? DATASOURCE_UIDS.logs : `loki-${tenant}`,
          name: `Loki (${tenant})`,
        }),
      ),
    ],
    dashboards: [lokiDashboard(loki.scrapeTargets.map((t) => t.job))],
  });
  emitServiceMonitors(chart, [...loki.scrapeTargets, ...prometheus.scrapeTargets, grafana.scrapeTarget], '30s');
}

if (require.main === module) {
  const app = new App();
  lokiStandalone(app);
  app.synth();
}
