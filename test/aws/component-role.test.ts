import { ComponentRole, ComponentRoleProps } from '../../lib/aws';
import { LOKI_S3_ACTIONS } from '../../lib/loki';
import { THANOS_S3_ACTIONS } from '../../lib/thanos/common';
import { TerraformJson, policyStatements, referenced, resourcesOf, synthScope } from '../support/terraform';

const PROVIDER = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/ABC123';
const KMS = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const LOKI_BUCKETS = ['arn:aws:s3:::acme-loki-chunks', 'arn:aws:s3:::acme-loki-ruler'];

function roleStack(props: Partial<ComponentRoleProps> = {}): TerraformJson {
  return synthScope(
    (scope) =>
      new ComponentRole(scope, 'loki', {
        roleName: 'acme-prod-observability-loki',
        serviceAccount: { namespace: 'observability', name: 'loki' },
        trust: { type: 'irsa', oidcProviderArn: PROVIDER, issuerHostPath: ISSUER },
        bucketArns: LOKI_BUCKETS,
        actions: LOKI_S3_ACTIONS,
        ...props,
      }),
  );
}

const role = (tf: TerraformJson) => resourcesOf(tf, 'aws_iam_role')[0];
const permissions = (tf: TerraformJson) => policyStatements(tf, resourcesOf(tf, 'aws_iam_policy')[0].policy);

describe('ComponentRole with IRSA', () => {
  const tf = roleStack();

  test('is trusted by the OIDC provider for exactly one ServiceAccount subject and the STS audience', () => {
    const [trust, ...more] = policyStatements(tf, role(tf).assume_role_policy);
    expect(more).toEqual([]);
    expect(trust).toMatchObject({ effect: 'Allow', actions: ['sts:AssumeRoleWithWebIdentity'], principals: [{ type: 'Federated', identifiers: [PROVIDER] }] });
    expect(trust.condition).toEqual([
      { test: 'StringEquals', variable: `${ISSUER}:sub`, values: ['system:serviceaccount:observability:loki'] },
      { test: 'StringEquals', variable: `${ISSUER}:aud`, values: ['sts.amazonaws.com'] },
    ]);
  });

  test("grants Loki's documented actions: ListBucket on the buckets, object actions on their keys, nothing else", () => {
    expect(permissions(tf)).toEqual([
      { sid: 'Buckets', effect: 'Allow', actions: ['s3:ListBucket'], resources: LOKI_BUCKETS },
      { sid: 'Objects', effect: 'Allow', actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], resources: LOKI_BUCKETS.map((b) => `${b}/*`) },
    ]);
  });

  test('no statement grants a wildcard action or resource', () => {
    for (const s of permissions(roleStack({ actions: THANOS_S3_ACTIONS.compact, kmsKeyArn: KMS }))) {
      expect(s.actions.filter((a: string) => a.includes('*'))).toEqual([]);
      expect(s.resources.filter((r: string) => r === '*' || r.endsWith(':::*'))).toEqual([]);
    }
  });

  test('the policy is attached to the role, and the role has its name', () => {
    const [attachment] = resourcesOf(tf, 'aws_iam_role_policy_attachment');
    expect(referenced(tf, attachment.role).name).toBe('acme-prod-observability-loki');
    expect(referenced(tf, attachment.policy_arn).name).toBe('acme-prod-observability-loki');
    expect(resourcesOf(tf, 'aws_eks_pod_identity_association')).toEqual([]);
  });

  test('with SSE-KMS the role may generate data keys and decrypt with that key only', () => {
    expect(permissions(roleStack({ kmsKeyArn: KMS })).find((s: any) => s.sid === 'BucketKey')).toEqual({
      sid: 'BucketKey',
      effect: 'Allow',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [KMS],
    });
  });

  test('refuses wildcard actions and an empty bucket list', () => {
    expect(() => roleStack({ actions: ['s3:*'], bucketArns: [] })).toThrow(
      '[stack/loki] actions = ["s3:*"]: must be named S3 actions, no wildcards. Fix: list what the component documents, e.g. ["s3:GetObject", "s3:ListBucket"].\n' +
        '[stack/loki] bucketArns = []: is empty, so the role would grant nothing. Fix: give the buckets the component uses.',
    );
  });
});

describe('ComponentRole with EKS Pod Identity', () => {
  const tf = roleStack({ trust: { type: 'pod-identity', clusterName: 'prod-eu' } });

  test('is trusted by the EKS pods service, only for the session tags of this cluster, namespace and ServiceAccount', () => {
    const [trust] = policyStatements(tf, role(tf).assume_role_policy);
    expect(trust).toMatchObject({
      effect: 'Allow',
      actions: ['sts:AssumeRole', 'sts:TagSession'],
      principals: [{ type: 'Service', identifiers: ['pods.eks.amazonaws.com'] }],
    });
    expect(trust.condition).toEqual([
      { test: 'StringEquals', variable: 'aws:RequestTag/eks-cluster-name', values: ['prod-eu'] },
      { test: 'StringEquals', variable: 'aws:RequestTag/kubernetes-namespace', values: ['observability'] },
      { test: 'StringEquals', variable: 'aws:RequestTag/kubernetes-service-account', values: ['loki'] },
    ]);
  });

  test('associates the role with that ServiceAccount in that cluster', () => {
    const [association] = resourcesOf(tf, 'aws_eks_pod_identity_association');
    expect(association).toMatchObject({ cluster_name: 'prod-eu', namespace: 'observability', service_account: 'loki' });
    expect(referenced(tf, association.role_arn).name).toBe('acme-prod-observability-loki');
  });
});
