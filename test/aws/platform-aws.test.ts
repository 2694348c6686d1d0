import { App as KubernetesApp } from 'cdk8s';
import { AwsStorageStack } from '../../lib/aws';
import { AwsStorageProps, ObservabilityPlatform, PlatformSpec } from '../../lib';
import { PLATFORM_AWS_SPEC } from '../../apps/platform-aws/spec';
import { agreementProblems } from '../support/agreement';
import { bucketReferences, envNames } from '../support/storage-refs';
import { Manifest, synthApp } from '../support/synth';
import { TerraformJson, Testing, policyStatements, resourcesOf, synthPlatformAwsStack } from '../support/terraform';

/** Both outputs of a spec, the way the two apps make them. */
function bothOutputs(
  spec: PlatformSpec,
  stateBackend?: ConstructorParameters<typeof AwsStorageStack>[2]['stateBackend'],
): { manifests: Manifest[]; tf: TerraformJson } {
  const platform = new ObservabilityPlatform(new KubernetesApp({ outdir: '/nonexistent' }), 'platform', spec);
  const stack = new AwsStorageStack(Testing.app(), 'storage', { storage: platform.aws!, stateBackend });
  return { manifests: platform.toJson() as Manifest[], tf: JSON.parse(Testing.synth(stack)) };
}

function withAws(aws: Partial<AwsStorageProps>, rest: Partial<PlatformSpec> = {}): PlatformSpec {
  return { ...PLATFORM_AWS_SPEC, ...rest, aws: { ...PLATFORM_AWS_SPEC.aws!, ...aws } };
}

describe('platform-aws: one spec, two outputs', () => {
  const { manifests } = synthApp('platform-aws');
  const tf = synthPlatformAwsStack();

  test('the Kubernetes and Terraform outputs agree on every bucket, region, ServiceAccount and role', () => {
    expect(agreementProblems(manifests, tf)).toEqual([]);
  });

  test("one role per ServiceAccount that uses a bucket: Loki, Tempo and the four Thanos components that touch the bucket, besides S3's replication role", () => {
    expect(
      resourcesOf(tf, 'aws_iam_role')
        .map((r) => r.name)
        .sort(),
    ).toEqual([
      'acme-prod-observability-loki',
      'acme-prod-observability-tempo',
      'acme-prod-observability-thanos-compactor',
      'acme-prod-observability-thanos-receive',
      'acme-prod-observability-thanos-ruler',
      'acme-prod-observability-thanos-store',
      'acme-prod-s3-replication',
    ]);
    // Query and query-frontend read through the StoreAPI, never the bucket: no role.
    for (const name of ['thanos-query', 'thanos-query-frontend']) {
      expect(manifests.find((m) => m.kind === 'ServiceAccount' && m.metadata.name === name)?.metadata.annotations).toBeUndefined();
    }
  });

  test("each role may touch only its own buckets: Loki's two, or the Thanos one", () => {
    const resourcesOfRole = (name: string) =>
      policyStatements(tf, resourcesOf(tf, 'aws_iam_policy').find((p) => p.name === name).policy)
        .flatMap((s: any) => s.resources)
        .sort();
    expect(resourcesOfRole('acme-prod-observability-loki').filter((r: string) => r.startsWith('arn:aws:s3'))).toEqual([
      'arn:aws:s3:::acme-prod-loki-chunks',
      'arn:aws:s3:::acme-prod-loki-chunks/*',
      'arn:aws:s3:::acme-prod-loki-ruler',
      'arn:aws:s3:::acme-prod-loki-ruler/*',
    ]);
    expect(resourcesOfRole('acme-prod-observability-thanos-store').filter((r: string) => r.startsWith('arn:aws:s3'))).toEqual([
      'arn:aws:s3:::acme-prod-thanos',
      'arn:aws:s3:::acme-prod-thanos/*',
    ]);
  });

  test('Kubernetes uses the real S3 endpoint over TLS with cloud identity: no MinIO, no key anywhere', () => {
    expect(manifests.filter((m) => m.metadata.labels?.['app.kubernetes.io/name'] === 'minio')).toEqual([]);
    const refs = bucketReferences(manifests);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      expect({ source: ref.source, insecure: ref.insecure }).toEqual({ source: ref.source, insecure: false });
      // Loki finds the regional endpoint itself; Thanos (minio-go) needs it spelt out, without a scheme.
      expect([undefined, 's3.eu-west-1.amazonaws.com']).toContain(ref.endpoint);
    }
    expect(envNames(manifests).filter((n) => /AWS_(ACCESS|SECRET)/.test(n))).toEqual([]);
    expect(JSON.stringify(manifests)).not.toMatch(/AKIA[0-9A-Z]{16}|secret_access_key|access_key_id/);
  });

  test('the Terraform makes no IAM user or access key, and its output holds no key', () => {
    expect(Object.keys(tf.resource ?? {}).filter((type) => /iam_(user|access_key)/.test(type))).toEqual([]);
    expect(JSON.stringify(tf)).not.toMatch(/AKIA[0-9A-Z]{16}|secret_key|access_key/);
  });

  test("the bucket lifecycle follows Loki's tenants, the Thanos compactor and Tempo, and never touches Loki's index or the ruler bucket", () => {
    const expiries = Object.fromEntries(
      // The buckets of the platform's region; their copies follow them (replication.test.ts).
      resourcesOf(tf, 'aws_s3_bucket_lifecycle_configuration')
        .filter((l) => l.region === undefined)
        .map((l) => [
          l.rule.find((r: any) => r.id === 'abort-incomplete-multipart-uploads') && l.bucket,
          l.rule.filter((r: any) => r.expiration?.[0]?.days).map((r: any) => `${r.filter[0].prefix}:${r.expiration[0].days}`),
        ]),
    );
    expect(Object.values(expiries).sort()).toEqual([[], [':400'], [':15'], ['platform/:100', 'apps/:100']].sort());
    expect(JSON.stringify(resourcesOf(tf, 'aws_s3_bucket_lifecycle_configuration'))).not.toContain('index/');
  });

  test('the provider is pinned to the account and region, state is local unless asked, and outputs list buckets and roles', () => {
    expect(tf.provider?.aws?.[0]).toMatchObject({ region: 'eu-west-1', allowed_account_ids: ['111122223333'] });
    expect(tf.terraform?.backend?.s3).toBeUndefined();
    expect(tf.output?.bucket_names.value).toEqual(['acme-prod-loki-chunks', 'acme-prod-loki-ruler', 'acme-prod-tempo', 'acme-prod-thanos']);
    expect(Object.keys(tf.output?.role_arns.value as object)).toHaveLength(6);
    expect(resourcesOf(tf, 'aws_iam_openid_connect_provider')).toEqual([]);
  });
});

describe('AwsStorageStack options', () => {
  test('an S3 state backend is encrypted, and locks with a lock file unless a DynamoDB table is given', () => {
    const { tf } = bothOutputs(PLATFORM_AWS_SPEC, { bucket: 'acme-tf-state', key: 'obs/storage.tfstate' });
    expect(tf.terraform?.backend).toEqual({
      s3: { bucket: 'acme-tf-state', key: 'obs/storage.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true },
    });
    const locked = bothOutputs(PLATFORM_AWS_SPEC, { bucket: 'acme-tf-state', key: 'k', dynamodbTable: 'tf-locks' }).tf;
    expect(locked.terraform?.backend?.s3).toMatchObject({ dynamodb_table: 'tf-locks' });
    expect(locked.terraform?.backend?.s3.use_lockfile).toBeUndefined();
  });

  test('IRSA from an issuer URL creates the OIDC provider for STS, and every trust points at it', () => {
    const { manifests, tf } = bothOutputs(withAws({ identity: { type: 'irsa', oidcIssuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC123' } }));
    const [provider] = resourcesOf(tf, 'aws_iam_openid_connect_provider');
    expect(provider).toMatchObject({ url: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC123', client_id_list: ['sts.amazonaws.com'] });
    // Every role a ServiceAccount assumes; S3's replication role is trusted by the S3 service.
    for (const role of resourcesOf(tf, 'aws_iam_role').filter((r) => r.name !== 'acme-prod-s3-replication')) {
      const [trust] = policyStatements(tf, role.assume_role_policy);
      expect(trust.principals[0].identifiers).toEqual([expect.stringMatching(/^\$\{aws_iam_openid_connect_provider\..+\.arn\}$/)]);
      expect(trust.condition[0].variable).toBe('oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub');
    }
    expect(agreementProblems(manifests, tf)).toEqual([]);
  });

  test('EKS Pod Identity: no ServiceAccount annotation, one association per ServiceAccount that uses a bucket', () => {
    const { manifests, tf } = bothOutputs(withAws({ identity: { type: 'pod-identity', clusterName: 'prod-eu' } }));
    expect(manifests.filter((m) => m.kind === 'ServiceAccount' && m.metadata.annotations)).toEqual([]);
    const associations = resourcesOf(tf, 'aws_eks_pod_identity_association')
      .map((a) => `${a.namespace}/${a.service_account}`)
      .sort();
    expect(associations).toEqual([
      'observability/loki',
      'observability/tempo',
      'observability/thanos-compactor',
      'observability/thanos-receive',
      'observability/thanos-ruler',
      'observability/thanos-store',
    ]);
    expect(resourcesOf(tf, 'aws_eks_pod_identity_association').every((a) => a.cluster_name === 'prod-eu')).toBe(true);
    expect(agreementProblems(manifests, tf)).toEqual([]);
  });

  test('the VictoriaMetrics backend keeps its data on volumes and only its backups in a bucket: Loki, Tempo and vmstorage (its vmbackup sidecar) get roles', () => {
    const { thanos: _thanos, ...rest } = PLATFORM_AWS_SPEC;
    const { tf } = bothOutputs({
      ...rest,
      metricsBackend: 'victoriametrics',
      aws: { ...rest.aws!, buckets: { 'acme-prod-loki-chunks': { expireAfterDays: 100 } } },
    });
    expect(
      resourcesOf(tf, 'aws_iam_role')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['acme-prod-observability-loki', 'acme-prod-observability-tempo', 'acme-prod-observability-vm-vmstorage', 'acme-prod-s3-replication']);
    expect(
      resourcesOf(tf, 'aws_s3_bucket')
        .filter((b) => b.region === undefined)
        .map((b) => b.bucket)
        .sort(),
    ).toEqual(['acme-prod-loki-chunks', 'acme-prod-loki-ruler', 'acme-prod-tempo', 'acme-prod-vm-backups']);
  });
});
