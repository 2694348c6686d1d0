import { App } from 'cdk8s';
import { ObservabilityPlatform, acknowledgeWarning } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/**
 * The default platform with TLS inside it: every certificate from one cert-manager ClusterIssuer
 * (a CA issuer, whose Secrets carry the `ca.crt` every client trusts). Alertmanager requires a
 * login too, from two Secrets of yours: the bcrypt htpasswd of its users, and the password of the
 * one its senders and scrapers use.
 */
export function platformTls(app: App): void {
  const platform = new ObservabilityPlatform(app, 'platform-tls', {
    tls: { issuer: { name: 'platform-ca', kind: 'ClusterIssuer' } },
    alertmanager: {
      webAuth: {
        htpasswdSecret: 'alertmanager-logins',
        sender: { username: 'platform', passwordSecret: { name: 'alertmanager-sender', key: 'password' } },
      },
    },
  });
  acknowledgeExampleAlertmanager(platform);
  acknowledgeWarning(
    platform,
    'plain-http-inside',
    "Loki, Tempo and the collectors' own ports serve HTTPS in a later release; until then their traffic stays inside the NetworkPolicies",
  );
}

if (require.main === module) {
  const app = new App();
  platformTls(app);
  app.synth();
}
