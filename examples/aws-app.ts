import { App as KubernetesApp } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { ObservabilityPlatform, PlatformSpec } from '@obs-platform/constructs';
import { AwsStorageStack } from '@obs-platform/constructs/aws';

// One spec for both tools: bucket names, region, ServiceAccounts and role ARNs agree by construction.
const spec: PlatformSpec = {
  aws: {
    accountId: '111122223333',
    region: 'eu-west-1',
    namePrefix: 'acme-prod',
    identity: { type: 'pod-identity', clusterName: 'prod-eu' },
    // Only under the prefixes Loki keeps for a known time (here tenant "fake/"), never the index.
    buckets: { 'acme-prod-loki-chunks': { expireAfterDays: 40 } },
  },
  loki: { authEnabled: false, buckets: { chunks: 'acme-prod-loki-chunks', ruler: 'acme-prod-loki-ruler' } },
  thanos: { bucket: 'acme-prod-thanos' },
  // Both rulers send to this HA Alertmanager; the webhook URL (with its token) stays in a Secret you create.
  alertmanager: {
    secretFiles: { secretName: 'alertmanager-receivers' },
    config: {
      route: { receiver: 'on-call' },
      receivers: [{ name: 'on-call', webhook_configs: [{ url_file: '/etc/alertmanager/secrets/on-call-url' }] }],
    },
  },
};

const kubernetes = new KubernetesApp();
const platform = new ObservabilityPlatform(kubernetes, 'platform', spec);
kubernetes.synth(); // dist/platform.k8s.yaml

const terraform = new TerraformApp();
new AwsStorageStack(terraform, 'storage', { storage: platform.aws! });
terraform.synth(); // cdktf.out/stacks/storage/cdk.tf.json
