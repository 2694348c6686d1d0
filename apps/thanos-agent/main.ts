import { App, Chart } from 'cdk8s';
import { Alertmanager, SeaweedFs, PrometheusAgent, RestrictedNamespace, ThanosCluster } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/**
 * Seed pattern (a): Prometheus in agent mode remote-writing to Thanos receive. Routers and
 * ingestors are split, team-a has its own hashring and everyone else shares one; each team's
 * agent writes as its tenant. Blocks go to SeaweedFS; memcached caches the store gateway and the
 * query-frontend.
 */
export function thanosAgent(app: App): void {
  const chart = new Chart(app, 'thanos-agent', { disableResourceNameHashes: true });
  const namespace = 'metrics';
  new RestrictedNamespace(chart, 'namespace', namespace);
  const store = new SeaweedFs(chart, 'seaweedfs', { namespace });
  const alertmanager = new Alertmanager(chart, 'alertmanager', { namespace });
  acknowledgeExampleAlertmanager(alertmanager);
  const thanos = new ThanosCluster(chart, 'thanos', {
    namespace,
    storage: store,
    receive: {
      routing: 'split',
      router: { replicas: 3 },
      hashrings: [
        { name: 'team-a', tenants: ['team-a'] },
        { name: 'shared', replicas: 4 },
      ],
      externalLabels: { region: 'eu-west-1' },
      storageSize: '50Gi',
    },
    queryFrontend: { resultsCache: { memoryMb: 512 } },
    store: { indexCache: { memoryMb: 1024 }, bucketCache: { memoryMb: 1024 } },
    compactor: { retention: { raw: '14d', fiveMinutes: '90d', oneHour: '2y' } },
    // The ruler's health alerts go to every Alertmanager pod.
    ruler: { alertmanagers: [alertmanager.endpoint] },
  });
  new PrometheusAgent(chart, 'agent-team-a', {
    namespace,
    name: 'prometheus-team-a',
    externalLabels: { cluster: 'prod-eu-1', team: 'team-a' },
    // Team a runs the platform: its agent also scrapes every Thanos component and Alertmanager.
    scrapeTargets: [...thanos.scrapeTargets, alertmanager.scrapeTarget],
    remoteWrite: [thanos.remoteWriteTarget('team-a')],
  });
  new PrometheusAgent(chart, 'agent-team-b', {
    namespace,
    name: 'prometheus-team-b',
    externalLabels: { cluster: 'prod-eu-1', team: 'team-b' },
    remoteWrite: [thanos.remoteWriteTarget('team-b')],
  });
}

if (require.main === module) {
  const app = new App();
  thanosAgent(app);
  app.synth();
}
