import { App, Chart } from 'cdk8s';
import { Alertmanager, SeaweedFs, PrometheusServer, PrometheusServerProps, RestrictedNamespace, RuleGroup, ThanosBucket, ThanosCluster } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/** Rules the Prometheus pair evaluates locally, close to the data. */
const PROMETHEUS_RULES: RuleGroup[] = [
  {
    name: 'scrape-health',
    rules: [
      { record: 'job:up:ratio', expr: 'avg by (job) (up)' },
      {
        alert: 'ScrapeTargetDown',
        expr: 'up == 0',
        for: '10m',
        labels: { severity: 'warning' },
        annotations: { summary: '{{ $labels.job }} target {{ $labels.instance }} has been down for 10 minutes.' },
      },
    ],
  },
];

/**
 * Seed pattern (b): an HA pair of Prometheus servers with the Thanos sidecar. Each cuts 2h blocks
 * that the sidecar uploads to SeaweedFS, and serves its recent data to Thanos Query, which
 * deduplicates the pair along `prometheus_replica`. No receive: data arrives only through the
 * sidecars; store gateway, compactor and ruler work on the uploaded blocks. The pair scrapes the
 * Thanos components too, so the ruler's health rules have data, and both the pair and the ruler
 * send their alerts to every pod of an HA Alertmanager.
 */
export function thanosSidecar(app: App): void {
  const chart = new Chart(app, 'thanos-sidecar', { disableResourceNameHashes: true });
  const namespace = 'monitoring';
  new RestrictedNamespace(chart, 'namespace', namespace);
  const store = new SeaweedFs(chart, 'seaweedfs', { namespace });
  const bucket = new ThanosBucket(chart, 'bucket', { namespace, storage: store });
  const alertmanager = new Alertmanager(chart, 'alertmanager', { namespace });
  acknowledgeExampleAlertmanager(alertmanager);
  const prometheusProps: PrometheusServerProps = {
    namespace,
    replicas: 2,
    externalLabels: { cluster: 'prod-eu-1' },
    retention: '2d',
    ruleGroups: PROMETHEUS_RULES,
    alertmanagers: [alertmanager.endpoint],
    thanosSidecar: { bucket },
  };
  // Query reads the pair and the pair scrapes Query: the sidecar's endpoint is known from the props.
  const thanos = new ThanosCluster(chart, 'thanos', {
    namespace,
    bucket,
    receive: false,
    query: { extraEndpoints: [PrometheusServer.sidecarEndpointFor(chart, prometheusProps)] },
    ruler: { alertmanagers: [alertmanager.endpoint] },
  });
  new PrometheusServer(chart, 'prometheus', { ...prometheusProps, scrapeTargets: [...thanos.scrapeTargets, alertmanager.scrapeTarget] });
}

if (require.main === module) {
  const app = new App();
  thanosSidecar(app);
  app.synth();
}
