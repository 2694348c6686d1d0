import { App } from 'cdk8s';
import { ObservabilityPlatform } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/**
 * Scenario (b), the umbrella monitoring stack that many clusters run today, as one spec: an
 * Alloy DaemonSet shipping pod logs and an Alloy OTLP gateway, metrics-server,
 * kube-state-metrics and node-exporter, Loki, Thanos receive behind the Prometheus agent pair,
 * Grafana whose datasources and dashboards are grafana-operator resources, and an HA
 * Alertmanager that both rulers send to. Needs grafana-operator and the prometheus-operator
 * CRDs in the cluster.
 */
export function umbrella(app: App): void {
  const platform = new ObservabilityPlatform(app, 'umbrella', {
    // The umbrella stack runs the operators: its Grafana is a grafana-operator resource too.
    serviceMonitors: true,
    namespace: 'monitoring',
    // The operator's Prometheus, which the ServiceMonitors are for, may scrape every component.
    network: { scrapers: [{ namespaces: ['monitoring'], podLabels: { 'app.kubernetes.io/managed-by': 'prometheus-operator' } }] },
    tenants: [{ id: 'platform' }, { id: 'apps', retention: '336h' }],
    alertmanager: { replicas: 2 },
    collectors: {
      otlp: { implementation: 'alloy', replicas: 2 },
      metricsServer: {},
    },
    grafana: { delivery: 'operator', adminSecret: { name: 'grafana-admin' } },
    // Thanos components talk gRPC with mutual TLS, from a certificate cert-manager makes.
    thanos: { grpcTls: { secretName: 'thanos-grpc-tls', serverName: 'thanos-grpc.internal', issuer: { name: 'platform-ca', kind: 'ClusterIssuer' } } },
    // Batch jobs (backups, reports) push their last run's metrics here.
    pushgateway: {},
  });
  acknowledgeExampleAlertmanager(platform);
}

if (require.main === module) {
  const app = new App();
  umbrella(app);
  app.synth();
}
