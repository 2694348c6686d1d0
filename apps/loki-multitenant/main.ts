import { App } from 'cdk8s';
import { ObservabilityPlatform } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/**
 * Scenario: a multi-tenant Loki. The gateway requires basic auth from an htpasswd Secret you
 * create (one user per tenant); the platform's log shippers and Grafana's datasources send their
 * tenant's password from a second Secret you create, by reference. Tenants get their own
 * retention, and memcached caches chunks and query results.
 */
export function lokiMultitenant(app: App): void {
  const platform = new ObservabilityPlatform(app, 'loki-multitenant', {
    namespace: 'logs',
    loki: {
      name: 'logs',
      tenants: [{ id: 'team-a' }, { id: 'team-b', retention: '2160h' }, { id: 'audit', retention: '8760h' }],
      // The htpasswd Secret holds each tenant's hash; the clients' Secret its password, under its id.
      gateway: { basicAuthSecret: 'logs-gateway-htpasswd', clientPasswordsSecret: 'logs-gateway-passwords', replicas: 3 },
      chunksCache: { memoryMb: 2048, replicas: 2 },
      resultsCache: { memoryMb: 512 },
      retention: '720h',
      write: { replicas: 3, storageSize: '50Gi' },
    },
  });
  acknowledgeExampleAlertmanager(platform);
}

if (require.main === module) {
  const app = new App();
  lokiMultitenant(app);
  app.synth();
}
