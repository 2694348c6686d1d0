import { App as KubernetesApp } from 'cdk8s';
import { AwsStorageStack } from '../../lib/aws';
import { AwsStorage, AwsStorageProps, ObservabilityPlatform, PlatformSpec } from '../../lib';
import { PLATFORM_AWS_SPEC } from '../../apps/platform-aws/spec';
import { Testing } from '../support/terraform';

const AWS = PLATFORM_AWS_SPEC.aws!;

function platform(spec: PlatformSpec): ObservabilityPlatform {
  return new ObservabilityPlatform(new KubernetesApp({ outdir: '/nonexistent' }), 'platform', spec);
}
const withAws = (aws: Partial<AwsStorageProps>, rest: Partial<PlatformSpec> = {}): PlatformSpec => ({
  ...PLATFORM_AWS_SPEC,
  ...rest,
  aws: { ...AWS, ...aws } as AwsStorageProps,
});

describe('bad AWS input stops both synths with the construct, property, value and fix', () => {
  test('a bucket name S3 refuses', () => {
    expect(() =>
      platform(withAws({}, { loki: { ...PLATFORM_AWS_SPEC.loki, buckets: { chunks: 'Acme_Prod_Chunks', ruler: 'acme-prod-loki-ruler' } } })),
    ).toThrow(
      '[platform/loki] buckets.chunks = "Acme_Prod_Chunks": may hold only lower-case letters, digits, "." and "-", and must start and end with a letter or digit. ' +
        'Fix: use 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit, e.g. "acme-loki-chunks".',
    );
  });

  test('an expiry shorter than what Loki keeps for a tenant, on the Kubernetes side', () => {
    expect(() => platform(withAws({ buckets: { 'acme-prod-loki-chunks': { expireAfterDays: 30 } } }))).toThrow(
      '[platform] aws.buckets["acme-prod-loki-chunks"].expireAfterDays = 30: is shorter than the 32 days the data under "platform/" is kept ' +
        '(Loki "loki" keeps tenant "platform" for 744h + 2h delete delay = 746h), so S3 would delete data the component still serves. Fix: set it to 32 or more, or remove it.\n' +
        '[platform] aws.buckets["acme-prod-loki-chunks"].expireAfterDays = 30: is shorter than the 91 days the data under "apps/" is kept ' +
        '(Loki "loki" keeps tenant "apps" for 2160h + 2h delete delay = 2162h), so S3 would delete data the component still serves. Fix: set it to 91 or more, or remove it.',
    );
  });

  test('the same expiry on the Terraform side, when the storage was built by hand', () => {
    const storage = new AwsStorage({ ...AWS, buckets: { 'acme-prod-thanos': { expireAfterDays: 90 } } });
    new ObservabilityPlatform(new KubernetesApp({ outdir: '/nonexistent' }), 'k8s', { ...PLATFORM_AWS_SPEC, aws: undefined, storage });
    expect(() => new AwsStorageStack(Testing.app(), 'storage', { storage })).toThrow(
      '[storage] buckets["acme-prod-thanos"].expireAfterDays = 90: is shorter than the 367 days the data under "(whole bucket)" is kept ' +
        '(the compactor keeps blocks for 30d / 90d / 1y (raw / 5m / 1h) + 48h delete delay), so S3 would delete data the component still serves. Fix: set it to 367 or more, or remove it.',
    );
  });

  test('an expiry on a bucket whose data is kept for ever, or on a bucket nobody uses', () => {
    expect(() => platform(withAws({ buckets: { 'acme-prod-loki-ruler': { expireAfterDays: 365 }, 'acme-prod-profiles': { expireAfterDays: 30 } } }))).toThrow(
      '[platform] aws.buckets["acme-prod-profiles"] = "acme-prod-profiles": names a bucket no component uses. Fix: use one of "acme-prod-loki-chunks", "acme-prod-loki-ruler", "acme-prod-tempo", "acme-prod-thanos", or remove it.\n' +
        '[platform] aws.buckets["acme-prod-loki-ruler"].expireAfterDays = 365: asks S3 to expire objects of a bucket whose data is kept for ever ' +
        '(its components keep every object until they delete it themselves). Fix: remove it; the components delete what they no longer need.',
    );
  });

  test('Thanos blocks kept for ever (a 0d retention) may not expire', () => {
    expect(() =>
      platform(
        withAws(
          { buckets: { 'acme-prod-thanos': { expireAfterDays: 3650 } } },
          { thanos: { bucket: 'acme-prod-thanos', compactor: { retention: { oneHour: '0d' } } } },
        ),
      ),
    ).toThrow(
      '[platform] aws.buckets["acme-prod-thanos"].expireAfterDays = 3650: asks S3 to expire objects of a bucket whose data is kept for ever ' +
        '(the compactor keeps blocks for 30d / 90d / 0d (raw / 5m / 1h) + 48h delete delay). Fix: remove it; the components delete what they no longer need.',
    );
  });

  test('a KMS key that is not an ARN', () => {
    expect(() => platform(withAws({ kmsKeyArn: 'alias/observability' }))).toThrow(
      '[platform] aws.kmsKeyArn = "alias/observability": is not a KMS key ARN; a key id or an alias cannot scope the roles\' kms:GenerateDataKey and kms:Decrypt grants. ' +
        'Fix: give the key\'s ARN, "arn:aws:kms:<region>:<account>:key/<key-id>".',
    );
  });

  test('IRSA without an OIDC provider', () => {
    expect(() => platform(withAws({ identity: { type: 'irsa' } }))).toThrow(
      "[platform] aws.identity.oidcProviderArn = (unset): is required for IRSA: without the cluster's OIDC provider no role can trust its ServiceAccounts. " +
        'Fix: give the provider\'s ARN (aws eks describe-cluster … identity.oidc.issuer, then the IAM provider of that issuer), or oidcIssuerUrl to create the provider, or use type: "pod-identity".',
    );
  });

  test('the account, region and prefix are checked, all at once, and so is a storage built by hand', () => {
    expect(() => new AwsStorage({ ...AWS, accountId: '1111-2222', region: 'Ireland', namePrefix: 'acme prod' })).toThrow(
      '[AwsStorage] accountId = "1111-2222": is not a 12-digit AWS account id. Fix: give the account id as a string of 12 digits, e.g. "111122223333".\n' +
        '[AwsStorage] region = "Ireland": is not an AWS region name. Fix: use a region such as "eu-west-1".\n' +
        '[AwsStorage] namePrefix = "acme prod": must be 1-32 letters, digits or "+=,.@_-" (it starts every IAM role name, which may be 64 long). Fix: use a short prefix such as "acme-prod".',
    );
  });

  test('aws and storage together are refused', () => {
    const storage = new AwsStorage(AWS);
    expect(() => platform({ ...PLATFORM_AWS_SPEC, storage })).toThrow(
      '[platform] aws = "(set)": and storage are both set; the platform has one object store. Fix: keep aws for S3 with a role per component, or storage for another store.',
    );
  });

  test('a stack with no component using the storage', () => {
    expect(() => new AwsStorageStack(Testing.app(), 'storage', { storage: new AwsStorage(AWS) })).toThrow(
      /\[storage\] buckets\["acme-prod-loki-chunks"\] = "acme-prod-loki-chunks": names a bucket no component uses/,
    );
    expect(() => new AwsStorageStack(Testing.app(), 'storage', { storage: new AwsStorage({ ...AWS, buckets: {} }) })).toThrow(
      '[storage] storage = "(no clients)": has no component using it, so there is nothing to make. Fix: build the Kubernetes side (e.g. ObservabilityPlatform with `aws`) from this storage before the stack.',
    );
  });
});
