import { App } from 'cdk8s';
import { Credentials, ObservabilityPlatform, S3Storage } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/**
 * Scenario: Loki on AWS S3 through IRSA. No key is written anywhere: the `loki` ServiceAccount
 * carries the role ARN, and the EKS webhook gives the pods a web-identity token.
 */
export function lokiAws(app: App): void {
  const storage = new S3Storage({
    region: 'eu-west-1',
    // S3 names are global: every bucket the library names for this store starts with the prefix.
    bucketPrefix: 'acme-prod',
    credentials: Credentials.fromIrsaRole('arn:aws:iam::111122223333:role/acme-prod-loki'),
  });
  const platform = new ObservabilityPlatform(app, 'loki-aws', {
    storage,
    loki: { buckets: { chunks: 'acme-prod-loki-chunks', ruler: 'acme-prod-loki-ruler' } },
    tempo: { bucket: 'acme-prod-tempo-traces' },
    // A production Grafana logs in with a Secret the team manages, never a generated one.
    grafana: { adminSecret: { name: 'grafana-admin' } },
  });
  acknowledgeExampleAlertmanager(platform);
}

if (require.main === module) {
  const app = new App();
  lokiAws(app);
  app.synth();
}
