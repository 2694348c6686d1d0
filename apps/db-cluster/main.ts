import { App, Chart } from 'cdk8s';
import {
  Alertmanager,
  AwsStorage,
  DATASOURCE_UIDS,
  Grafana,
  LokiCluster,
  OtelCollectorGateway,
  PrometheusServer,
  PrometheusServerProps,
  Promtail,
  RestrictedNamespace,
  Tempo,
  ThanosBucket,
  ThanosCluster,
  clusterDomainOf,
  declareExternal,
  lokiDashboard,
  lokiDatasource,
  metricsDatasource,
  overviewDashboard,
  planAwsStorage,
  tempoDashboard,
  tempoDatasource,
  thanosDashboard,
} from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/** The database fleet's exporters, run by the database team in their own namespace. */
const DATABASE_EXPORTERS = { service: 'postgres-metrics', namespace: 'databases', port: 'metrics' };

/**
 * Scenario (a): monitoring of a database cluster, as such teams build it: promtail on every node
 * shipping logs to Loki; an HA Prometheus pair with the Thanos sidecar scraping the database
 * exporters and uploading blocks to S3; OpenTelemetry collectors sending the services' traces to
 * Tempo, whose span metrics (with exemplars) go back into Prometheus; Grafana over all three,
 * its dashboards fed by the Prometheus pair, which scrapes every component; an HA Alertmanager
 * that Prometheus, the Thanos ruler and Loki's ruler send to. Storage is S3 with one IRSA role per
 * component. promtail needs host access, so it runs in a namespace of its own
 * that admits it; everything else stays under Pod Security "restricted".
 */
export function dbCluster(app: App): void {
  const chart = new Chart(app, 'db-cluster', { disableResourceNameHashes: true });
  const namespace = 'db-monitoring';
  const hostNamespace = 'db-monitoring-host';
  new RestrictedNamespace(chart, 'namespace', namespace);
  new RestrictedNamespace(chart, 'host-namespace', hostNamespace, 'privileged');
  const storage = new AwsStorage(
    {
      accountId: '111122223333',
      region: 'us-east-2',
      namePrefix: 'acme-db',
      identity: { type: 'irsa', oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/EXAMPLE0DB0CLUSTER' },
    },
    chart.node.path,
  );

  const alertmanager = new Alertmanager(chart, 'alertmanager', { namespace });
  acknowledgeExampleAlertmanager(alertmanager);
  const loki = new LokiCluster(chart, 'loki', {
    namespace,
    storage,
    buckets: { chunks: 'acme-db-loki-chunks', ruler: 'acme-db-loki-ruler' },
    tenants: [{ id: 'databases' }],
    alertmanager: alertmanager.endpoint,
  });
  const logsTenant = loki.tenantHeaderFor('databases').value;
  const promtail = new Promtail(chart, 'promtail', { namespace: hostNamespace, loki: { pushUrl: loki.pushUrl, tenant: logsTenant } });

  const bucket = new ThanosBucket(chart, 'bucket', { namespace, storage, bucket: 'acme-db-thanos' });
  const exporters = `_${DATABASE_EXPORTERS.port}._tcp.${DATABASE_EXPORTERS.service}.${DATABASE_EXPORTERS.namespace}.svc.${clusterDomainOf(chart)}`;
  declareExternal(chart, {
    kind: 'Service',
    namespace: DATABASE_EXPORTERS.namespace,
    name: DATABASE_EXPORTERS.service,
    purpose: 'headless Service of the database exporters (port "metrics")',
  });
  // The HA pair is the one scraper of this app: Grafana's dashboards and the ruler read what it
  // scrapes, through Thanos Query. Query and Tempo need its addresses before it exists (it scrapes
  // them), so they come from its props.
  const prometheusProps: PrometheusServerProps = {
    namespace,
    replicas: 2,
    retention: '2d',
    externalLabels: { cluster: 'db-eu-1' },
    thanosSidecar: { bucket },
    // Tempo writes span metrics here, with exemplars: one target per pod, so both replicas hold them.
    remoteWriteReceiver: true,
    alertmanagers: [alertmanager.endpoint],
    extraScrapeConfigs: [{ job_name: 'postgres', dns_sd_configs: [{ names: [exporters], type: 'SRV' }] }],
  };
  const thanos = new ThanosCluster(chart, 'thanos', {
    namespace,
    bucket,
    receive: false,
    query: { extraEndpoints: [PrometheusServer.sidecarEndpointFor(chart, prometheusProps)] },
    ruler: { alertmanagers: [alertmanager.endpoint] },
  });

  const tempo = new Tempo(chart, 'tempo', {
    namespace,
    storage,
    bucket: 'acme-db-tempo',
    metricsGenerator: { remoteWrite: PrometheusServer.remoteWriteTargetsFor(chart, prometheusProps) },
  });
  const otel = new OtelCollectorGateway(chart, 'otel', { namespace, traces: tempo, logs: { otlpUrl: `${loki.queryUrl}/otlp`, tenant: logsTenant } });

  const components = [
    ...thanos.scrapeTargets,
    ...loki.scrapeTargets,
    ...tempo.scrapeTargets,
    otel.scrapeTarget,
    promtail.scrapeTarget,
    alertmanager.scrapeTarget,
  ];
  const prometheusJob = `${prometheusProps.name ?? 'prometheus'}-server`;
  const grafana = new Grafana(chart, 'grafana', {
    namespace,
    adminSecret: { name: 'grafana-admin' },
    datasources: [
      metricsDatasource({ url: thanos.queryUrl, prometheusType: 'Thanos', tracesUid: DATASOURCE_UIDS.traces }),
      lokiDatasource({ url: loki.queryUrl, tenant: { header: loki.tenantHeader, id: logsTenant }, tracesUid: DATASOURCE_UIDS.traces }),
      tempoDatasource({ url: tempo.queryUrl, logsUid: DATASOURCE_UIDS.logs, metricsUid: DATASOURCE_UIDS.metrics }),
    ],
    dashboards: [
      overviewDashboard([...components.map((t) => t.job), prometheusJob]),
      lokiDashboard(loki.scrapeTargets.map((t) => t.job)),
      tempoDashboard(tempo.scrapeTargets.map((t) => t.job)),
      thanosDashboard(thanos.scrapeTargets.map((t) => t.job)),
    ],
  });
  new PrometheusServer(chart, 'prometheus', { ...prometheusProps, scrapeTargets: [...components, grafana.scrapeTarget] });
  // The S3 side (buckets, roles) comes from the same declarations: check it before writing anything.
  planAwsStorage(storage, chart.node.path);
}

if (require.main === module) {
  const app = new App();
  dbCluster(app);
  app.synth();
}
