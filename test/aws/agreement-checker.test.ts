import { agreementProblems } from '../support/agreement';
import { Manifest, synthApp } from '../support/synth';
import { TerraformJson, referenced, resourcesOf, synthPlatformAwsStack } from '../support/terraform';

/** Fresh copies of both outputs, to break one thing at a time. */
function outputs(): { manifests: Manifest[]; tf: TerraformJson } {
  return { manifests: JSON.parse(JSON.stringify(synthApp('platform-aws').manifests)), tf: JSON.parse(JSON.stringify(synthPlatformAwsStack())) };
}
const serviceAccount = (manifests: Manifest[], name: string) => manifests.find((m) => m.kind === 'ServiceAccount' && m.metadata.name === name)!;

describe('the agreement check catches what it claims to', () => {
  test('a bucket the Terraform does not make, and one nothing uses', () => {
    const { manifests, tf } = outputs();
    resourcesOf(tf, 'aws_s3_bucket').find((b) => b.bucket === 'acme-prod-thanos').bucket = 'acme-prod-thanos-blocks';
    expect(agreementProblems(manifests, tf)).toEqual([
      'ConfigMap/thanos-objstore objstore.yaml names bucket "acme-prod-thanos", which the Terraform does not make',
      'bucket "acme-prod-thanos-blocks" is made but no config names it',
    ]);
  });

  test('a ServiceAccount renamed on one side only: its role trusts the old subject', () => {
    const { manifests, tf } = outputs();
    const sa = serviceAccount(manifests, 'thanos-store');
    sa.metadata.name = 'thanos-store-gateway';
    const problems = agreementProblems(manifests, tf);
    expect(problems).toContain(
      'role "acme-prod-observability-thanos-store" does not trust exactly ServiceAccount observability/thanos-store-gateway (sub: [["system:serviceaccount:observability:thanos-store"]])',
    );
  });

  test('a role ARN with no role behind it, in another account, and a role nobody carries', () => {
    const { manifests, tf } = outputs();
    serviceAccount(manifests, 'loki').metadata.annotations!['eks.amazonaws.com/role-arn'] = 'arn:aws:iam::444455556666:role/acme-prod-loki';
    expect(agreementProblems(manifests, tf)).toEqual([
      "ServiceAccount observability/loki: role account 444455556666 is not the provider's",
      'ServiceAccount observability/loki carries role "acme-prod-loki", which the Terraform does not make',
      'role "acme-prod-observability-loki" is made but no ServiceAccount carries it',
    ]);
  });

  test('a ServiceAccount whose pods use a bucket but which carries no role', () => {
    const { manifests, tf } = outputs();
    delete serviceAccount(manifests, 'thanos-compactor').metadata.annotations;
    expect(agreementProblems(manifests, tf)).toEqual([
      'ServiceAccount observability/thanos-compactor runs pods that use buckets but carries no role',
      'role "acme-prod-observability-thanos-compactor" is made but no ServiceAccount carries it',
    ]);
  });

  test('a policy that misses a bucket its pods use, and a config in another region', () => {
    const { manifests, tf } = outputs();
    const lokiPolicy = resourcesOf(tf, 'aws_iam_policy').find((p) => p.name === 'acme-prod-observability-loki');
    for (const s of referenced(tf, lokiPolicy.policy).statement) s.resources = s.resources.filter((r: string) => !r.includes('loki-ruler'));
    const objstore = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'thanos-objstore')!;
    objstore.data['objstore.yaml'] = objstore.data['objstore.yaml'].replace('region: eu-west-1', 'region: us-east-1');
    expect(agreementProblems(manifests, tf)).toEqual([
      'ConfigMap/thanos-objstore objstore.yaml uses region "us-east-1", the provider "eu-west-1"',
      'role "acme-prod-observability-loki" of observability/loki may not list bucket "acme-prod-loki-ruler"',
      'role "acme-prod-observability-loki" of observability/loki may not read objects of "acme-prod-loki-ruler"',
      'role "acme-prod-observability-loki" of observability/loki may not write objects of "acme-prod-loki-ruler"',
    ]);
  });

  test('a role that grants more than its pods do: writes for the store gateway, deletes for receive', () => {
    const { manifests, tf } = outputs();
    const grant = (role: string, action: string) => {
      const policy = resourcesOf(tf, 'aws_iam_policy').find((p) => p.name === role);
      referenced(tf, policy.policy)
        .statement.find((s: any) => s.resources.some((r: string) => r.endsWith('/*')))
        .actions.push(action);
    };
    grant('acme-prod-observability-thanos-store', 's3:PutObject');
    grant('acme-prod-observability-thanos-receive', 's3:DeleteObject');
    expect(agreementProblems(manifests, tf)).toEqual([
      'role "acme-prod-observability-thanos-receive" of observability/thanos-receive may delete objects of "acme-prod-thanos", which its pods never delete',
      'role "acme-prod-observability-thanos-store" of observability/thanos-store may write objects of "acme-prod-thanos", which its pods only read',
    ]);
  });
});
