import { App, Chart } from 'cdk8s';
import { Alertmanager, SeaweedFs, PrometheusAgent, RestrictedNamespace, ThanosCluster } from '@obs-platform/constructs';

const app = new App();
const chart = new Chart(app, 'metrics', { disableResourceNameHashes: true });
new RestrictedNamespace(chart, 'namespace', 'metrics');
const store = new SeaweedFs(chart, 'seaweedfs', { namespace: 'metrics' });

// An HA Alertmanager. The on-call webhook URL carries a token, so it stays in a Secret you create
// (key `on-call-url`); the config, which is in the output, names the file.
const alertmanager = new Alertmanager(chart, 'alertmanager', {
  namespace: 'metrics',
  secretFiles: { secretName: 'alertmanager-receivers' },
  config: {
    route: { receiver: 'on-call' },
    receivers: [{ name: 'on-call', webhook_configs: [{ url_file: '/etc/alertmanager/secrets/on-call-url' }] }],
  },
});

const thanos = new ThanosCluster(chart, 'thanos', {
  namespace: 'metrics',
  storage: store,
  receive: { replicas: 3, replicationFactor: 3 },
  compactor: { retention: { raw: '30d', fiveMinutes: '90d', oneHour: '1y' } },
  ruler: { alertmanagers: [alertmanager.endpoint] },
});

// The agent scrapes every Thanos component and writes to receive as tenant "team-a".
new PrometheusAgent(chart, 'agent', {
  namespace: 'metrics',
  scrapeTargets: [...thanos.scrapeTargets, alertmanager.scrapeTarget],
  remoteWrite: [thanos.remoteWriteTarget('team-a')],
});

console.error(`Grafana datasource: ${thanos.queryUrl}`);
app.synth();
