import { App, Chart } from 'cdk8s';
import {
  DATASOURCE_UIDS,
  Grafana,
  LokiCluster,
  SeaweedFs,
  OtelCollectorGateway,
  RestrictedNamespace,
  Tempo,
  ThanosCluster,
  declareExternalService,
  lokiDatasource,
  metricsDatasource,
  tempoDashboard,
  tempoDatasource,
} from '@obs-platform/constructs';

const app = new App();
const chart = new Chart(app, 'traces', { disableResourceNameHashes: true });
const namespace = 'obs';
new RestrictedNamespace(chart, 'namespace', namespace);

const store = new SeaweedFs(chart, 'seaweedfs', { namespace });
const alertmanagerUrl = 'http://alertmanager-operated.monitoring.svc.cluster.local:9093';
declareExternalService(chart, alertmanagerUrl, "the cluster's Alertmanager");
const loki = new LokiCluster(chart, 'loki', { namespace, storage: store, tenants: [{ id: 'apps' }], alertmanagerUrl });
const thanos = new ThanosCluster(chart, 'thanos', { namespace, storage: store, ruler: { alertmanagerUrls: [`dns+${alertmanagerUrl}`] } });

// Monolithic Tempo 3 (no broker needed); span metrics and service graphs go to Thanos.
const tempo = new Tempo(chart, 'tempo', {
  namespace,
  storage: store,
  retention: '168h',
  receivers: { zipkin: true },
  metricsGenerator: { remoteWrite: [thanos.remoteWriteTarget()] },
});

// Applications send OTLP to the gateway; it forwards to Tempo, Thanos and Loki.
const gateway = new OtelCollectorGateway(chart, 'otel', {
  namespace,
  traces: tempo,
  metrics: thanos.remoteWriteTarget(),
  logs: loki.clientEndpoint('apps'), // URLs, tenant and, behind basic auth, credentials
});

// Grafana with the three linked by uid: logs → traces, traces → logs and metrics, exemplars.
new Grafana(chart, 'grafana', {
  namespace,
  adminSecret: { name: 'grafana-admin' }, // keys admin-user and admin-password, created by you
  datasources: [
    metricsDatasource({ url: thanos.queryUrl, prometheusType: 'Thanos', tracesUid: DATASOURCE_UIDS.traces }),
    lokiDatasource({ url: loki.queryUrl, tenant: { header: loki.tenantHeader, id: 'apps' }, tracesUid: DATASOURCE_UIDS.traces }),
    tempoDatasource({ url: tempo.queryUrl, logsUid: DATASOURCE_UIDS.logs, metricsUid: DATASOURCE_UIDS.metrics }),
  ],
  dashboards: [tempoDashboard(tempo.scrapeTargets.map((t) => t.job))],
});

console.error(`OTLP endpoint for applications: ${gateway.otlpGrpcEndpoint}`);
app.synth();
