import { App, Chart } from 'cdk8s';
import { Minio, PrometheusServer, RestrictedNamespace, RuleGroup, ThanosBucket, ThanosCluster } from '../../lib';

/** Rules the Prometheus pair evaluates locally, close to the data. */
const PROMETHEUS_RULES: RuleGroup[] = [{
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
}];

/**
 * Seed pattern (b): an HA pair of Prometheus servers with the Thanos sidecar. Each cuts 2h blocks
 * that the sidecar uploads to MinIO, and serves its recent data to Thanos Query, which
 * deduplicates the pair along `prometheus_replica`. No receive: data arrives only through the
 * sidecars; store gateway, compactor and ruler work on the uploaded blocks.
 */
export function thanosSidecar(app: App): void {
  const chart = new Chart(app, 'thanos-sidecar', { disableResourceNameHashes: true });
  const namespace = 'monitoring';
  new RestrictedNamespace(chart, 'namespace', namespace);
  const minio = new Minio(chart, 'minio', { namespace });
  const bucket = new ThanosBucket(chart, 'bucket', { namespace, storage: minio });
  const prometheus = new PrometheusServer(chart, 'prometheus', {
    namespace,
    replicas: 2,
    externalLabels: { cluster: 'prod-eu-1' },
    retention: '2d',
    ruleGroups: PROMETHEUS_RULES,
    thanosSidecar: { bucket },
  });
  new ThanosCluster(chart, 'thanos', {
    namespace,
    bucket,
    receive: false,
    query: { extraEndpoints: [prometheus.storeEndpoint!] },
    ruler: { alertmanagerUrls: ['http://alertmanager.monitoring.svc.cluster.local:9093'] },
  });
}

if (require.main === module) {
  const app = new App();
  thanosSidecar(app);
  app.synth();
}
