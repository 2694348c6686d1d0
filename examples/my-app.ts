import { App, Chart } from 'cdk8s';
import { LokiCluster, Minio, RestrictedNamespace } from '@obs-platform/constructs';

const app = new App();
const chart = new Chart(app, 'logging', { disableResourceNameHashes: true });
// The namespace, labelled so that Pod Security admission enforces "restricted" on every pod in it.
new RestrictedNamespace(chart, 'namespace', 'logging');

// Object storage: MinIO in the cluster for a dev cluster, or `new S3Storage({...})` for AWS.
const minio = new Minio(chart, 'minio', { namespace: 'logging' });

const loki = new LokiCluster(chart, 'loki', {
  namespace: 'logging',
  storage: minio,
  retention: '720h',
  write: { replicas: 3, storageSize: '50Gi' },
  tenants: [{ id: 'team-a' }, { id: 'team-b', retention: '2160h' }],
  // The alerts of the tenants' rules go to the Alertmanager the cluster already runs.
  alertmanagerUrl: 'http://alertmanager-operated.monitoring.svc.cluster.local:9093',
});

// Wire other components through typed endpoints, never by retyping host names.
console.error(`push logs to ${loki.pushUrl} with header ${loki.tenantHeader}`);
app.synth();
