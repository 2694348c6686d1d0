import { App, Chart } from 'cdk8s';
import { LokiCluster, SeaweedFs, RestrictedNamespace, admitClients, declareExternalService } from '@obs-platform/constructs';

const app = new App();
const chart = new Chart(app, 'logging', { disableResourceNameHashes: true });
// The namespace, labelled so that Pod Security admission enforces "restricted" on every pod in it.
new RestrictedNamespace(chart, 'namespace', 'logging');

// Object storage: SeaweedFS in the cluster for a dev cluster, or `new S3Storage({...})` for AWS.
const store = new SeaweedFs(chart, 'seaweedfs', { namespace: 'logging' });

// The alerts of the tenants' rules go to the Alertmanager the cluster already runs. Every address a
// component is configured with must reach something; one the app does not emit is declared.
const alertmanagerUrl = 'http://alertmanager-operated.monitoring.svc.cluster.local:9093';
declareExternalService(chart, alertmanagerUrl, "the cluster's Alertmanager (kube-prometheus-stack)");

const loki = new LokiCluster(chart, 'loki', {
  namespace: 'logging',
  storage: store,
  retention: '720h',
  write: { replicas: 3, storageSize: '50Gi' },
  // Each tenant's retention and limits, over the cluster's (changed without restarting Loki).
  tenants: [
    { id: 'team-a', limits: { ingestionRateMb: 20, maxGlobalStreams: 20000 } },
    { id: 'team-b', retention: '2160h', limits: { maxQueryLookback: '168h', overrides: { max_streams_per_user: 1000 } } },
  ],
  alertmanagerUrl,
});

// The namespace denies every connection by default, and each component admits only the paths the
// app configures. Clients the app does not build are admitted by namespace (or labels, or CIDR).
admitClients(chart, loki.pushUrl, [{ namespaces: ['shop', 'payments'] }]);

// Wire other components through typed endpoints, never by retyping host names.
console.error(`push logs to ${loki.pushUrl} with header ${loki.tenantHeader}`);
app.synth();
