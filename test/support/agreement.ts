import { IRSA_ROLE_ANNOTATION } from '../../lib/object-storage/credentials';
import { bucketReferences, bucketsByServiceAccount } from './storage-refs';
import { containersOf, podSpecOf, workloads } from './synth';
import { Manifest } from './synth';
import { TerraformJson, policyStatements, referenced, resourcesOf } from './terraform';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/([\w+=,.@-]+)$/;

/**
 * Where the Kubernetes output and the Terraform output disagree:
 * - a bucket a config names that the Terraform does not make, or one made that nothing uses;
 * - a region in a config other than the provider's;
 * - a role on a ServiceAccount (IRSA annotation, or EKS Pod Identity association) that the
 *   Terraform does not make, in another account, or whose trust does not name that very
 *   ServiceAccount (IRSA subject and audience; Pod Identity namespace and ServiceAccount tags);
 * - a role whose policy does not cover the buckets its pods are configured with, or that grants
 *   more than its pods' programs do: writes to a Thanos store gateway (it only reads), deletes to
 *   anything but the Thanos compactor (the only one that deletes);
 * - a role made that no ServiceAccount carries.
 */
export function agreementProblems(manifests: Manifest[], tf: TerraformJson): string[] {
  const problems: string[] = [];
  const provider = tf.provider?.aws?.[0] ?? {};
  // A copy in another region (cross-region replication) is named by no config: S3 fills it.
  const made = new Set(
    resourcesOf(tf, 'aws_s3_bucket')
      .filter((b) => b.tags?.['obs-platform.io/replica-of'] === undefined)
      .map((b) => b.bucket as string),
  );
  const refs = bucketReferences(manifests);
  if (refs.length === 0) problems.push('no Kubernetes config names a bucket');
  for (const ref of refs) {
    if (!made.has(ref.bucket)) problems.push(`${ref.source} names bucket "${ref.bucket}", which the Terraform does not make`);
    if (ref.region !== provider.region) problems.push(`${ref.source} uses region "${ref.region}", the provider "${provider.region}"`);
  }
  for (const bucket of made) {
    if (!refs.some((r) => r.bucket === bucket)) problems.push(`bucket "${bucket}" is made but no config names it`);
  }

  const roles = resourcesOf(tf, 'aws_iam_role');
  const carried = new Set<string>();
  const podBuckets = bucketsByServiceAccount(manifests);
  const access = bucketAccessByServiceAccount(manifests);
  for (const sa of manifests.filter((m) => m.kind === 'ServiceAccount')) {
    const who = `${sa.metadata.namespace}/${sa.metadata.name}`;
    const arn = sa.metadata.annotations?.[IRSA_ROLE_ANNOTATION];
    const association = resourcesOf(tf, 'aws_eks_pod_identity_association').find(
      (a) => a.namespace === sa.metadata.namespace && a.service_account === sa.metadata.name,
    );
    if (arn === undefined && association) {
      const role = referenced(tf, association.role_arn);
      carried.add(role.name);
      problems.push(...podIdentityTrustProblems(tf, role, who));
      problems.push(...coverageProblems(tf, role.name, who, [...(podBuckets.get(who) ?? [])], access.get(who) ?? 'write'));
      continue;
    }
    if (arn === undefined) {
      if (podBuckets.has(who)) problems.push(`ServiceAccount ${who} runs pods that use buckets but carries no role`);
      continue;
    }
    const m = ROLE_ARN.exec(arn);
    if (!m) {
      problems.push(`ServiceAccount ${who} carries "${arn}", which is not a role ARN`);
      continue;
    }
    const [, account, name] = m;
    carried.add(name);
    if (!(provider.allowed_account_ids ?? []).includes(account)) problems.push(`ServiceAccount ${who}: role account ${account} is not the provider's`);
    const role = roles.find((r) => r.name === name);
    if (!role) {
      problems.push(`ServiceAccount ${who} carries role "${name}", which the Terraform does not make`);
      continue;
    }
    problems.push(...trustProblems(tf, role, who));
    problems.push(...coverageProblems(tf, name, who, [...(podBuckets.get(who) ?? [])], access.get(who) ?? 'write'));
  }
  // The replication role is S3's own, trusted by the S3 service rather than a ServiceAccount.
  const s3Service = (role: any) =>
    policyStatements(tf, role.assume_role_policy).every((st: any) =>
      st.principals?.every((p: any) => p.type === 'Service' && p.identifiers.includes('s3.amazonaws.com')),
    );
  for (const role of roles.filter((r) => !s3Service(r))) {
    if (!carried.has(role.name)) problems.push(`role "${role.name}" is made but no ServiceAccount carries it`);
  }
  return problems;
}

/** The trust must name exactly this ServiceAccount as its web-identity subject, for STS. */
function trustProblems(tf: TerraformJson, role: any, who: string): string[] {
  const [namespace, name] = who.split('/');
  const statements = policyStatements(tf, role.assume_role_policy);
  const conditions = statements.flatMap((s: any) => s.condition ?? []);
  const sub = conditions.filter((c: any) => c.variable.endsWith(':sub'));
  const aud = conditions.filter((c: any) => c.variable.endsWith(':aud'));
  const problems: string[] = [];
  if (sub.length !== 1 || sub[0].test !== 'StringEquals' || JSON.stringify(sub[0].values) !== JSON.stringify([`system:serviceaccount:${namespace}:${name}`])) {
    problems.push(`role "${role.name}" does not trust exactly ServiceAccount ${who} (sub: ${JSON.stringify(sub.map((c: any) => c.values))})`);
  }
  if (aud.length !== 1 || JSON.stringify(aud[0].values) !== JSON.stringify(['sts.amazonaws.com'])) {
    problems.push(`role "${role.name}" has no STS audience condition`);
  }
  return problems;
}

/** Pod Identity: the trust must pin the session tags EKS sets to this namespace and ServiceAccount. */
function podIdentityTrustProblems(tf: TerraformJson, role: any, who: string): string[] {
  const [namespace, name] = who.split('/');
  const conditions = policyStatements(tf, role.assume_role_policy).flatMap((s: any) => s.condition ?? []);
  const tag = (key: string) => conditions.find((c: any) => c.test === 'StringEquals' && c.variable === `aws:RequestTag/${key}`)?.values;
  if (
    JSON.stringify(tag('kubernetes-namespace')) === JSON.stringify([namespace]) &&
    JSON.stringify(tag('kubernetes-service-account')) === JSON.stringify([name])
  )
    return [];
  return [`role "${role.name}" does not trust exactly ServiceAccount ${who} through Pod Identity session tags`];
}

type BucketAccess = 'read' | 'write' | 'delete';

/**
 * What the pods of each ServiceAccount do with their buckets, from the programs they run: the
 * Thanos store gateway only reads; the Thanos compactor, Loki (its compactor) and Tempo (its
 * backend worker) delete what retention drops; every other Thanos component reads and writes.
 */
function bucketAccessByServiceAccount(manifests: Manifest[]): Map<string, BucketAccess> {
  const out = new Map<string, BucketAccess>();
  for (const w of workloads(manifests)) {
    const spec = podSpecOf(w);
    const containers = containersOf(spec);
    const thanos = containers.filter((c) => /\/thanos:/.test(c.image)).map((c) => c.args?.[0]);
    // Loki and Tempo apply retention; vmbackup prunes the parts vmstorage merged away since the last backup.
    const retains = containers.some((c) => /\/(loki|tempo|vmbackup):/.test(c.image));
    const access: BucketAccess = retains || thanos.includes('compact') ? 'delete' : thanos.length > 0 && thanos.every((s) => s === 'store') ? 'read' : 'write';
    out.set(`${w.metadata.namespace}/${spec.serviceAccountName}`, access);
  }
  return out;
}

/**
 * The role's policy must allow listing each bucket its pods use and acting on its objects as
 * their programs do, and no more: no writes for a reader, no deletes but for the compactor.
 */
function coverageProblems(tf: TerraformJson, roleName: string, who: string, buckets: string[], access: BucketAccess): string[] {
  const attachments = resourcesOf(tf, 'aws_iam_role_policy_attachment');
  const policies = resourcesOf(tf, 'aws_iam_policy').filter((p) => p.name === roleName);
  if (policies.length !== 1 || attachments.length === 0) return [`role "${roleName}" has no policy of its own`];
  const statements = policyStatements(tf, policies[0].policy);
  const allows = (action: string, resource: string) =>
    statements.some((s: any) => s.effect === 'Allow' && s.actions.includes(action) && s.resources.includes(resource));
  return buckets.flatMap((b) => [
    ...(allows('s3:ListBucket', `arn:aws:s3:::${b}`) ? [] : [`role "${roleName}" of ${who} may not list bucket "${b}"`]),
    ...(allows('s3:GetObject', `arn:aws:s3:::${b}/*`) ? [] : [`role "${roleName}" of ${who} may not read objects of "${b}"`]),
    ...(access !== 'read' && !allows('s3:PutObject', `arn:aws:s3:::${b}/*`) ? [`role "${roleName}" of ${who} may not write objects of "${b}"`] : []),
    ...(access === 'read' && allows('s3:PutObject', `arn:aws:s3:::${b}/*`)
      ? [`role "${roleName}" of ${who} may write objects of "${b}", which its pods only read`]
      : []),
    ...(access !== 'delete' && allows('s3:DeleteObject', `arn:aws:s3:::${b}/*`)
      ? [`role "${roleName}" of ${who} may delete objects of "${b}", which its pods never delete`]
      : []),
  ]);
}
