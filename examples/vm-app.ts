import { App, Chart } from 'cdk8s';
import { RestrictedNamespace, VictoriaMetricsCluster, VmAgent } from '@obs-platform/constructs';

const app = new App();
const chart = new Chart(app, 'metrics', { disableResourceNameHashes: true });
new RestrictedNamespace(chart, 'namespace', 'metrics');

const vm = new VictoriaMetricsCluster(chart, 'vm', {
  namespace: 'metrics',
  retention: '90d',
  replicationFactor: 2,
  dedupInterval: '30s', // the agents below are an HA pair: keep one sample per scrape interval
  vmstorage: { replicas: 3, storageSize: '100Gi' },
  vmselect: { autoscaling: { minReplicas: 2, maxReplicas: 6 } },
});

// An HA pair of agents, labelling everything they send, writing as tenant (account) 1.
new VmAgent(chart, 'agent', {
  namespace: 'metrics',
  replicas: 2,
  scrapeTargets: vm.scrapeTargets,
  externalLabels: { region: 'eu-west-1', cluster: 'prod-euw1' },
  remoteWrite: [vm.remoteWriteTarget(1)],
});

console.error(`Grafana datasource: ${vm.queryUrl(1)}`);
app.synth();
