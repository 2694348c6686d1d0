import { App } from 'cdk8s';
import { ObservabilityPlatform, acknowledgeWarning } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/**
 * The default platform with TLS inside it: every certificate from one cert-manager ClusterIssuer
 * (a CA issuer, whose Secrets carry the `ca.crt` every client trusts).
 */
export function platformTls(app: App): void {
  const platform = new ObservabilityPlatform(app, 'platform-tls', { tls: { issuer: { name: 'platform-ca', kind: 'ClusterIssuer' } } });
  acknowledgeExampleAlertmanager(platform);
  acknowledgeWarning(
    platform,
    'plain-http-inside',
    'Loki, Tempo, the collectors and MinIO serve HTTPS in a later release; until then their traffic stays inside the NetworkPolicies',
  );
}

if (require.main === module) {
  const app = new App();
  platformTls(app);
  app.synth();
}
