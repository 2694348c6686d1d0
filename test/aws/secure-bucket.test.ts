import { SecureBucket } from '../../lib/aws';
import { TerraformJson, policyStatements, resourcesOf, synthScope } from '../support/terraform';

const KMS = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function bucketStack(props: Partial<ConstructorParameters<typeof SecureBucket>[2]> = {}): TerraformJson {
  return synthScope((scope) => new SecureBucket(scope, 'chunks', { bucketName: 'acme-loki-chunks', ...props }));
}

/** The one resource of `type` in a one-bucket stack. */
function only(tf: TerraformJson, type: string): any {
  const all = resourcesOf(tf, type);
  expect({ type, count: all.length }).toEqual({ type, count: 1 });
  return all[0];
}

describe('SecureBucket', () => {
  const tf = bucketStack({ tags: { team: 'platform' } });
  const bucketRef = '${aws_s3_bucket.chunks_Bucket_';

  test('names the bucket, tags it and never force-destroys by default', () => {
    expect(only(tf, 'aws_s3_bucket')).toMatchObject({ bucket: 'acme-loki-chunks', force_destroy: false, tags: { team: 'platform' } });
  });

  test('every setting resource points at the bucket it hardens', () => {
    for (const type of [
      'aws_s3_bucket_server_side_encryption_configuration',
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_ownership_controls',
      'aws_s3_bucket_versioning',
      'aws_s3_bucket_lifecycle_configuration',
    ]) {
      expect({ type, bucket: only(tf, type).bucket }).toEqual({ type, bucket: expect.stringContaining(bucketRef) });
    }
  });

  test('encrypts with SSE-S3 unless a KMS key is given, then with SSE-KMS and a bucket key', () => {
    expect(only(tf, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' }, bucket_key_enabled: false },
    ]);
    expect(only(bucketStack({ kmsKeyArn: KMS }), 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: KMS }, bucket_key_enabled: true },
    ]);
  });

  test('blocks every kind of public access and disables ACLs', () => {
    expect(only(tf, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only(tf, 'aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  test('the bucket policy denies plain HTTP and TLS below 1.2 to everyone, on the bucket and its objects, and grants nothing', () => {
    const statements = policyStatements(tf, only(tf, 'aws_s3_bucket_policy').policy);
    expect(statements.map((s: any) => s.effect)).toEqual(['Deny', 'Deny']);
    const conditions = statements.map((s: any) => s.condition[0]);
    expect(conditions).toEqual([
      { test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] },
      { test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] },
    ]);
    for (const s of statements) {
      expect(s.actions).toEqual(['s3:*']);
      expect(s.principals).toEqual([{ type: '*', identifiers: ['*'] }]);
      expect(s.resources).toHaveLength(2);
      expect(s.resources[1]).toBe(`${s.resources[0]}/*`);
    }
  });

  test('settings apply in the order S3 accepts: public access block, then policy, then ownership', () => {
    const policy = only(tf, 'aws_s3_bucket_policy');
    const ownership = only(tf, 'aws_s3_bucket_ownership_controls');
    expect(policy.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_public_access_block\./)]);
    expect(ownership.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\./)]);
  });

  test('versioning is on by default, and previous versions expire after 7 days', () => {
    expect(only(tf, 'aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
    const rules = only(tf, 'aws_s3_bucket_lifecycle_configuration').rule;
    expect(rules.find((r: any) => r.id === 'expire-noncurrent-versions').noncurrent_version_expiration).toEqual([{ noncurrent_days: 7 }]);
  });

  test('without versioning there is no versioning resource and no noncurrent rule', () => {
    const plain = bucketStack({ versioning: false });
    expect(resourcesOf(plain, 'aws_s3_bucket_versioning')).toEqual([]);
    expect(only(plain, 'aws_s3_bucket_lifecycle_configuration').rule.map((r: any) => r.id)).toEqual(['abort-incomplete-multipart-uploads']);
  });

  test('incomplete multipart uploads are aborted after one day, bucket-wide', () => {
    const abort = only(tf, 'aws_s3_bucket_lifecycle_configuration').rule.find((r: any) => r.id === 'abort-incomplete-multipart-uploads');
    expect(abort).toMatchObject({ status: 'Enabled', filter: [{ prefix: '' }], abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }] });
  });

  test('expiries apply only to their prefixes', () => {
    const rules = only(
      bucketStack({
        expiries: [
          { prefix: 'team-a/', days: 40 },
          { prefix: 'team-b/', days: 100 },
        ],
      }),
      'aws_s3_bucket_lifecycle_configuration',
    ).rule;
    const expiring = rules.filter((r: any) => r.expiration?.[0]?.days !== undefined);
    expect(expiring.map((r: any) => [r.filter[0].prefix, r.expiration[0].days])).toEqual([
      ['team-a/', 40],
      ['team-b/', 100],
    ]);
  });

  test('force-destroy only when asked', () => {
    expect(only(bucketStack({ forceDestroy: true }), 'aws_s3_bucket').force_destroy).toBe(true);
  });

  test('refuses a bad bucket name and a KMS key that is not an ARN, naming both', () => {
    expect(() => bucketStack({ bucketName: 'Acme_Loki', kmsKeyArn: 'alias/loki' })).toThrow(
      '[stack/chunks] bucketName = "Acme_Loki": may hold only lower-case letters, digits, "." and "-", and must start and end with a letter or digit. ' +
        'Fix: use 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit, e.g. "acme-loki-chunks".\n' +
        '[stack/chunks] kmsKeyArn = "alias/loki": is not a KMS key ARN. Fix: give the key\'s ARN, "arn:aws:kms:<region>:<account>:key/<key-id>".',
    );
  });
});
