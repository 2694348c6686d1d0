import { App as KubernetesApp } from 'cdk8s';
import { failure } from '../support/failure';
import { AwsStorageStack } from '../../lib/aws';
import { AwsReplicationProps, ObservabilityPlatform, PlatformSpec } from '../../lib';
import { PLATFORM_AWS_SPEC } from '../../apps/platform-aws/spec';
import { agreementProblems } from '../support/agreement';
import { Manifest } from '../support/synth';
import { TerraformJson, Testing, policyStatements, referenced, resourcesOf } from '../support/terraform';

const REPLICA_KEY = 'arn:aws:kms:eu-central-1:111122223333:key/abcd1234-12ab-34cd-56ef-1234567890ab';

/** The AWS platform with its buckets copied to eu-central-1; both outputs. */
function replicated(replication: Partial<AwsReplicationProps> = {}, buckets?: PlatformSpec['aws']): { manifests: Manifest[]; tf: TerraformJson } {
  const aws = { ...PLATFORM_AWS_SPEC.aws!, ...buckets, replication: { region: 'eu-central-1', kmsKeyArn: REPLICA_KEY, ...replication } };
  const platform = new ObservabilityPlatform(new KubernetesApp({ outdir: '/nonexistent' }), 'platform', { ...PLATFORM_AWS_SPEC, aws });
  const stack = new AwsStorageStack(Testing.app(), 'storage', { storage: platform.aws! });
  return { manifests: platform.toJson() as Manifest[], tf: JSON.parse(Testing.synth(stack)) };
}

describe('cross-region replication', () => {
  const { manifests, tf } = replicated();
  const buckets = resourcesOf(tf, 'aws_s3_bucket');
  const sources = buckets.filter((b) => b.region === undefined).map((b) => b.bucket as string);
  const copies = buckets.filter((b) => b.region === 'eu-central-1');
  const rules = resourcesOf(tf, 'aws_s3_bucket_replication_configuration');

  test('every bucket gets a copy in the other region, named after it, made by the same stack', () => {
    expect(sources.length).toBeGreaterThanOrEqual(4);
    expect(copies.map((b) => b.bucket).sort()).toEqual(sources.map((name) => `${name}-eu-central-1`).sort());
    // The Kubernetes side still uses the buckets of its own region, and agrees with the Terraform on them.
    expect(agreementProblems(manifests, tf)).toEqual([]);
  });

  test("each copy is hardened like its bucket, in its own region: versioned, encrypted with the region's key, public access blocked, TLS only", () => {
    for (const type of [
      'aws_s3_bucket_versioning',
      'aws_s3_bucket_server_side_encryption_configuration',
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_lifecycle_configuration',
    ]) {
      expect({ type, inCopyRegion: resourcesOf(tf, type).filter((r) => r.region === 'eu-central-1').length }).toEqual({ type, inCopyRegion: copies.length });
    }
    const copyKeys = resourcesOf(tf, 'aws_s3_bucket_server_side_encryption_configuration')
      .filter((r) => r.region === 'eu-central-1')
      .map((r) => r.rule[0].apply_server_side_encryption_by_default.kms_master_key_id);
    expect(new Set(copyKeys)).toEqual(new Set([REPLICA_KEY]));
  });

  test("each bucket replicates every object and delete marker to its own copy, encrypted with the copy's key, once both are versioned", () => {
    expect(rules).toHaveLength(sources.length);
    for (const rule of rules) {
      const source = referenced(tf, rule.bucket);
      const [r] = rule.rule;
      expect(r).toMatchObject({ status: 'Enabled', filter: { prefix: '' }, delete_marker_replication: { status: 'Enabled' } });
      expect(r.source_selection_criteria).toEqual({ sse_kms_encrypted_objects: { status: 'Enabled' } });
      expect(r.destination.encryption_configuration).toEqual({ replica_kms_key_id: REPLICA_KEY });
      expect(referenced(tf, r.destination.bucket).bucket).toBe(`${source.bucket}-eu-central-1`);
      expect(rule.depends_on.filter((d: string) => d.startsWith('aws_s3_bucket_versioning.'))).toHaveLength(2);
    }
  });

  test("the replication role is trusted by S3 alone and may read the buckets' versions and write the copies, nothing else", () => {
    const [role] = resourcesOf(tf, 'aws_iam_role').filter((r) => r.name === 'acme-prod-s3-replication');
    expect(policyStatements(tf, role.assume_role_policy)).toEqual([
      expect.objectContaining({ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }] }),
    ]);
    const policy = resourcesOf(tf, 'aws_iam_policy').find((p) => p.name === 'acme-prod-s3-replication');
    const statements = policyStatements(tf, policy.policy);
    const resourcesFor = (action: string) => statements.filter((s: any) => s.actions.includes(action)).flatMap((s: any) => s.resources);
    const names = (arns: string[]) => arns.map((a) => referenced(tf, a.replace(/\/\*$/, '')).bucket).sort();
    expect(names(resourcesFor('s3:GetObjectVersionForReplication'))).toEqual([...sources].sort());
    expect(names(resourcesFor('s3:ReplicateObject'))).toEqual(copies.map((c) => c.bucket).sort());
    expect(resourcesFor('kms:Decrypt')).toEqual([PLATFORM_AWS_SPEC.aws!.kmsKeyArn]);
    expect(resourcesFor('kms:Encrypt')).toEqual([REPLICA_KEY]);
    expect(statements.flatMap((s: any) => s.actions).filter((a: string) => /\*|Delete(Object|Bucket)$|PutObject$/.test(a))).toEqual([]);
  });

  test('a copy expires what its bucket expires: lifecycle rules are not replicated', () => {
    const lifecycleOf = (region?: string, name?: string) =>
      resourcesOf(tf, 'aws_s3_bucket_lifecycle_configuration')
        .find((l) => l.region === region && referenced(tf, l.bucket).bucket === name)
        .rule.map((r: any) => r.id);
    expect(lifecycleOf('eu-central-1', 'acme-prod-loki-chunks-eu-central-1')).toEqual(lifecycleOf(undefined, 'acme-prod-loki-chunks'));
  });

  test('a bucket can stay out', () => {
    const { tf: some } = replicated(
      {},
      { ...PLATFORM_AWS_SPEC.aws!, buckets: { ...PLATFORM_AWS_SPEC.aws!.buckets, 'acme-prod-tempo': { expireAfterDays: 15, replicate: false } } },
    );
    const copied = resourcesOf(some, 'aws_s3_bucket')
      .filter((b) => b.region === 'eu-central-1')
      .map((b) => b.bucket);
    expect(copied).not.toContain('acme-prod-tempo-eu-central-1');
    expect(copied).toContain('acme-prod-thanos-eu-central-1');
  });

  test('refuses what S3 would refuse or what would not survive a region, naming the property, the value and the fix', () => {
    expect(failure(() => replicated({ region: 'eu-west-1' }))).toMatch(/aws\.replication\.region = "eu-west-1".*does not survive the loss of the region/s);
    expect(failure(() => replicated({ kmsKeyArn: undefined }))).toMatch(/aws\.replication\.kmsKeyArn.*KMS key.*eu-central-1/s);
    expect(failure(() => replicated({ kmsKeyArn: REPLICA_KEY.replace('eu-central-1', 'us-east-1') }))).toMatch(/KMS keys are regional/);
    expect(failure(() => replicated({ storageClass: 'GLACIER' as never }))).toMatch(/aws\.replication\.storageClass = "GLACIER".*GLACIER_IR/s);
    expect(
      failure(() => replicated({}, { ...PLATFORM_AWS_SPEC.aws!, buckets: { ...PLATFORM_AWS_SPEC.aws!.buckets, 'acme-prod-tempo': { versioning: false } } })),
    ).toMatch(/buckets\["acme-prod-tempo"\]\.versioning.*S3 replicates only versioned buckets/s);
  });
});
