import { credentialNamespaceRule } from '../core/basic-auth';
import { IConstruct } from 'constructs';
import { checkReplicas, checkVolumeSize, checkWorkloadOptions } from '../core/check-options';
import { IMAGES, pinnedImage } from '../core/images';
import { checkMemcachedOptions } from '../memcached/memcached';
import { durationAtLeast } from '../core/duration';
import { flagValue } from '../core/args';
import { Validator } from '../core/errors';
import { dnsLabel, namespaceName } from '../core/rules';
import { bucketChoiceRule } from '../object-storage/bucket-name';
import { checkLokiLimits } from './limits';
import { ResolvedLokiProps } from './props';

/** Loki's retention works on whole daily index tables: "The minimum retention period is 24h". */
const MIN_RETENTION_MS = 24 * 3600_000;
/** Longest suffix the construct appends to the instance name (`-backend-headless`). */
const LONGEST_SUFFIX = '-backend-headless'.length;
/** Keys of a Secret's data. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** Loki tenant ids: up to 150 of these characters, and not "." or "..". */
const TENANT_ID = /^[A-Za-z0-9!._*'()-]{1,150}$/;

/** Validates every resolved prop of a LokiCluster and throws all problems at once. */
export function validateLokiProps(scope: IConstruct, p: ResolvedLokiProps): void {
  const v = new Validator(scope);
  v.apply('name', p.name, dnsLabel(p.name, 63 - LONGEST_SUFFIX));
  v.apply('namespace', p.namespace, namespaceName(p.namespace));

  if (
    v.check(
      p.storage !== undefined,
      'storage',
      p.storage,
      'is required: Loki keeps chunks, index and rules only in object storage',
      'pass `storage: minio` (a Minio construct) for an in-cluster store, or `new S3Storage({...})` for S3',
    )
  ) {
    v.apply('storage', p.storage!.kind, p.storage!.checkClientNamespace(p.namespace));
  }
  v.apply('buckets.chunks', p.buckets.chunks, bucketChoiceRule(p.bucketsGiven?.chunks, p.buckets.chunks, `${p.name}-chunks`));
  v.apply('buckets.ruler', p.buckets.ruler, bucketChoiceRule(p.bucketsGiven?.ruler, p.buckets.ruler, `${p.name}-ruler`));

  const roles = { write: p.write, read: p.read, backend: p.backend, gateway: p.gateway };
  for (const [role, options] of Object.entries(roles)) {
    checkReplicas(v, `${role}.replicas`, options.replicas);
    checkWorkloadOptions(v, role, options, role === 'gateway' ? IMAGES.nginx : IMAGES.loki);
  }
  if (p.image !== undefined) v.apply('image', p.image, pinnedImage(p.image, IMAGES.loki));
  checkVolumeSize(v, 'write.storageSize', p.write.storageSize);
  checkVolumeSize(v, 'backend.storageSize', p.backend.storageSize);
  if (checkReplicas(v, 'replicationFactor', p.replicationFactor) && Number.isInteger(p.write.replicas) && p.write.replicas >= 1) {
    v.check(
      p.replicationFactor <= p.write.replicas,
      'replicationFactor',
      p.replicationFactor,
      `is larger than write.replicas (${p.write.replicas}): every push would fail with "too many unhealthy instances in the ring"`,
      `lower replicationFactor to ${p.write.replicas} or raise write.replicas to ${p.replicationFactor}`,
    );
  }

  v.apply('alertmanager.basicAuth', p.alertmanager?.path, credentialNamespaceRule(p.alertmanager?.basicAuth, p.namespace));
  v.apply('retention', p.retention, durationAtLeast(p.retention, MIN_RETENTION_MS, 'Loki retention works on daily index tables'));
  v.check(
    /^\d{4}-\d{2}-\d{2}$/.test(p.schemaFrom) && !Number.isNaN(Date.parse(p.schemaFrom)),
    'schemaFrom',
    p.schemaFrom,
    'is not a date in the form YYYY-MM-DD',
    'give the day the schema starts, e.g. "2024-04-01"',
  );

  // nginx refuses to start on an empty or malformed resolver, and resolves every role through it.
  v.check(
    /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(String(p.gateway.dnsResolver)),
    'gateway.dnsResolver',
    p.gateway.dnsResolver,
    'is not a DNS server address (a host name or IP, with an optional :port)',
    `leave it unset for the cluster DNS ("kube-dns.kube-system.svc.${p.clusterDomain}"), or give e.g. "10.96.0.10"`,
  );
  checkLokiLimits(v, 'limits', p.limits, { retention_period: 'retention' });
  checkTenants(v, p);
  checkMemcachedOptions(v, 'chunksCache', p.chunksCache);
  checkMemcachedOptions(v, 'resultsCache', p.resultsCache);
  v.throwIfAny();
}

function checkTenants(v: Validator, p: ResolvedLokiProps): void {
  const seen = new Set<string>();
  p.tenants.forEach((tenant, i) => {
    const property = `tenants[${i}].id`;
    if (seen.has(tenant.id)) {
      v.check(false, property, tenant.id, 'is listed twice', 'list each tenant once; merge their settings');
    }
    seen.add(tenant.id);
    v.check(
      TENANT_ID.test(tenant.id) && tenant.id !== '.' && tenant.id !== '..',
      property,
      tenant.id,
      "is not a valid Loki tenant id (up to 150 letters, digits and ! - _ . * ' ( ))",
      'use a tenant id such as "team-a"',
    );
    if (tenant.retention !== undefined) {
      v.apply(`tenants[${i}].retention`, tenant.retention, durationAtLeast(tenant.retention, MIN_RETENTION_MS, 'Loki retention works on daily index tables'));
    }
    checkLokiLimits(v, `tenants[${i}].limits`, tenant.limits, { retention_period: `tenants[${i}].retention` });
  });
  if (!p.authEnabled) {
    v.check(
      p.tenants.length === 0,
      'tenants',
      p.tenants.map((t) => t.id),
      'are listed but authEnabled is false, so every request goes to tenant "fake"',
      'set authEnabled: true, or remove the tenants',
    );
    v.check(
      p.gateway.basicAuthSecret === undefined,
      'gateway.basicAuthSecret',
      p.gateway.basicAuthSecret,
      'needs authEnabled: true (the gateway maps the basic-auth user to the tenant)',
      'set authEnabled: true, or remove basicAuthSecret',
    );
  }
  const passwords = p.gateway.clientPasswordsSecret;
  if (passwords !== undefined) {
    if (v.apply('gateway.clientPasswordsSecret', passwords, dnsLabel(passwords, 253, false))) {
      v.check(
        p.gateway.basicAuthSecret !== undefined,
        'gateway.clientPasswordsSecret',
        passwords,
        'is given, but the gateway does not require basic auth (no basicAuthSecret), so clients would send passwords nobody checks',
        'set gateway.basicAuthSecret too, or remove clientPasswordsSecret',
      );
    }
    p.tenants.forEach((tenant, i) =>
      v.check(
        SECRET_KEY.test(tenant.id),
        `tenants[${i}].id`,
        tenant.id,
        'cannot be a key of gateway.clientPasswordsSecret (Secret keys are letters, digits, "-", "_" and ".")',
        'rename the tenant, or give its clients credentials yourself',
      ),
    );
  }
  if (p.gateway.basicAuthSecret !== undefined) {
    v.apply('gateway.basicAuthSecret', p.gateway.basicAuthSecret, dnsLabel(p.gateway.basicAuthSecret, 253));
    v.check(
      p.tenants.length > 0,
      'tenants',
      [],
      'is empty, but gateway basic auth maps each htpasswd user to a tenant',
      'list the tenants whose users the htpasswd Secret holds',
    );
  }
}

/** The parts of an emitted Loki config that set the ingesters' replication factor. */
interface EmittedReplication {
  readonly ingester?: { readonly lifecycler?: { readonly ring?: { readonly replication_factor?: unknown } } };
  readonly common?: { readonly replication_factor?: unknown };
}

/**
 * The invariants again, on what is emitted: `configOverrides` and `extraArgs` can set what the
 * props checked. A replication factor above the write replicas fails every push with "too many
 * unhealthy instances in the ring", however it was set.
 */
export function checkEmittedLoki(scope: IConstruct, p: ResolvedLokiProps, config: EmittedReplication): void {
  const v = new Validator(scope);
  const fromArgs = flagValue(p.write.extraArgs, 'distributor.replication-factor', 'common.replication-factor');
  const fromRing = config.ingester?.lifecycler?.ring?.replication_factor;
  const [property, value]: [string, unknown] =
    fromArgs !== undefined
      ? ['write.extraArgs', Number(fromArgs)]
      : fromRing !== undefined
        ? ['configOverrides.ingester.lifecycler.ring.replication_factor', fromRing]
        : ['configOverrides.common.replication_factor', config.common?.replication_factor];
  if (value !== p.replicationFactor || property === 'write.extraArgs') {
    v.check(
      typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= p.write.replicas,
      property,
      value,
      `sets the replication factor the ingesters use to more than write.replicas (${p.write.replicas}) or to no whole number: every push would fail with "too many unhealthy instances in the ring"`,
      `set replicationFactor instead of overriding it, at most ${p.write.replicas}, or raise write.replicas`,
    );
  }
  v.throwIfAny();
}
