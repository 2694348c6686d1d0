import { PlatformSpec } from '../../lib';

/**
 * The one spec of the AWS platform. The cdk8s app (main.ts) and the cdktf app (terraform.ts)
 * both build from it, so bucket names, region, namespace, ServiceAccounts and role ARNs agree.
 * Replace the account, the OIDC provider and the names with your own.
 */
export const PLATFORM_AWS_SPEC: PlatformSpec = {
  namespace: 'observability',
  aws: {
    accountId: '111122223333',
    region: 'eu-west-1',
    namePrefix: 'acme-prod',
    identity: {
      type: 'irsa',
      oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
    },
    kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    buckets: {
      // A safety net behind Loki's own retention: only tenant chunk prefixes, never the index.
      'acme-prod-loki-chunks': { expireAfterDays: 100 },
      'acme-prod-thanos': { expireAfterDays: 400 },
      // Tempo keeps 14 days (+1h grace): 15 days is the shortest expiry it allows.
      'acme-prod-tempo': { expireAfterDays: 15 },
    },
    // Every bucket copied to a second region as it is written, for the loss of eu-west-1.
    replication: { region: 'eu-central-1', kmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890ab' },
    tags: { team: 'platform', environment: 'prod' },
  },
  loki: {
    buckets: { chunks: 'acme-prod-loki-chunks', ruler: 'acme-prod-loki-ruler' },
    tenants: [{ id: 'platform' }, { id: 'apps', retention: '2160h' }],
  },
  thanos: { bucket: 'acme-prod-thanos' },
  tempo: { bucket: 'acme-prod-tempo' },
  // Production: the admin login comes from a Secret the team manages.
  grafana: { adminSecret: { name: 'grafana-admin' } },
};

/** The Kubernetes app id; the platform chart carries it, so the file is `platform-aws.k8s.yaml`. */
export const PLATFORM_AWS_ID = 'platform-aws';
