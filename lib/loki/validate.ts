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
import { GATEWAY_RESOURCES, LokiComponentPlan, ingestingReplicas, lokiComponents } from './components';
import { checkAutoscaling } from '../core/autoscaling';
import { checkLokiLimits } from './limits';
import { checkLokiRuleGroups } from './rules';
import { LokiMode, ResolvedLokiProps } from './props';

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

  // Everything below reads the mode's components: an unknown mode stops the checks here.
  if (!checkModes(v, p)) v.throwIfAny();
  checkWorkloadOptions(v, 'gateway', p.gateway, IMAGES.nginx);
  if (p.gateway.autoscaling) checkAutoscaling(v, 'gateway.autoscaling', p.gateway.autoscaling, p.gateway.resources ?? GATEWAY_RESOURCES);
  checkReplicas(v, 'gateway.replicas', p.gateway.replicas);
  if (p.image !== undefined) v.apply('image', p.image, pinnedImage(p.image, IMAGES.loki));
  checkZones(v, p);
  if (checkReplicas(v, 'replicationFactor', p.replicationFactor)) {
    for (const mode of modesOf(p)) {
      const { options, replicas } = ingestingReplicas(p, mode);
      const property = `${options}.replicas`;
      if (!Number.isInteger(replicas) || replicas < 1) continue;
      v.check(
        p.replicationFactor <= replicas,
        'replicationFactor',
        p.replicationFactor,
        `is larger than ${property} (${replicas}): every push would fail with "too many unhealthy instances in the ring"`,
        `lower replicationFactor to ${replicas} or raise ${property} to ${p.replicationFactor}`,
      );
    }
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

/** The modes whose workloads a cluster emits: the target, and Simple Scalable while migrating from it. */
function modesOf(p: ResolvedLokiProps): LokiMode[] {
  return p.migration && p.mode !== 'simple-scalable' ? ['simple-scalable', p.mode] : [p.mode];
}

/** The mode, the migration, and the options of every component the cluster runs; options of one it does not run are refused. */
function checkModes(v: Validator, p: ResolvedLokiProps): boolean {
  const modes: readonly LokiMode[] = ['simple-scalable', 'ha-monolithic', 'distributed'];
  if (!v.check(modes.includes(p.mode), 'mode', p.mode, 'is not a Loki deployment mode', `use one of ${modes.map((m) => `"${m}"`).join(', ')}`)) return false;
  if (p.migration) checkMigration(v, p);
  const running = new Set(modesOf(p));
  // The option groups of each mode's components: a mode the cluster does not run must be given none.
  const groups: Record<LokiMode, ReadonlyArray<keyof ResolvedLokiProps['given']>> = {
    'simple-scalable': ['write', 'read', 'backend'],
    'ha-monolithic': ['monolithic'],
    distributed: ['distributed'],
  };
  for (const mode of modes) {
    v.check(
      running.has(mode) || !groups[mode].some((group) => p.given[group]),
      groups[mode].join(', '),
      mode,
      `sets components of ${mode} mode, which this cluster does not run (mode is ${p.mode}${p.migration ? `, migrating from ${p.migration.from}` : ''})`,
      `remove them, or set mode: "${mode}"`,
    );
  }
  for (const plan of [...running].flatMap((mode) => lokiComponents(p, mode))) {
    if (plan.component === 'all-main') continue; // sized with `all`, as monolithic
    checkReplicas(v, `${plan.property}.replicas`, plan.component === 'all' ? p.monolithic.replicas : plan.replicas);
    checkWorkloadOptions(v, plan.property, plan.options, IMAGES.loki);
    if (plan.stateful) checkVolumeSize(v, `${plan.property}.storageSize`, plan.options.storageSize ?? '10Gi');
    checkComponentAutoscaling(v, plan);
  }
  if (running.has('ha-monolithic')) {
    v.check(
      p.monolithic.replicas >= 2,
      'monolithic.replicas',
      p.monolithic.replicas,
      'is fewer than a main compactor and one worker: ha-monolithic runs one pod as the main compactor and the others as its workers',
      'give at least 3 (with the replication factor of 3 that survives a pod restart)',
    );
  }
  return true;
}

/**
 * An autoscaler only where a scale-down loses nothing: stateless components outside the data
 * rings (the query-scheduler too is left fixed: its queues would be cut). Anything in a ring
 * that owns data (ingesters, index gateways, the compactor, rulers, `all` pods) is refused.
 */
function checkComponentAutoscaling(v: Validator, plan: LokiComponentPlan): void {
  const autoscaling = plan.options.autoscaling;
  if (autoscaling === undefined) return;
  const allowed = !plan.stateful && plan.target !== 'query-scheduler';
  if (
    v.check(
      allowed,
      `${plan.property}.autoscaling`,
      autoscaling,
      `is not offered: ${plan.target} ${plan.stateful ? 'keeps data in a ring, and an autoscaler scales it down without the flush and hand-over a safe scale-down needs' : 'holds the queues of queries in flight, which a scale-down would cut'}`,
      'size it with replicas, and autoscale the stateless paths (read; distributor, querier, query-frontend; the gateway) instead',
    )
  ) {
    checkAutoscaling(v, `${plan.property}.autoscaling`, autoscaling, plan.options.resources ?? plan.defaultResources);
  }
}

/** Zone-aware replication: distinct zone names, at least two, no fewer than the copies, and not while migrating. */
function checkZones(v: Validator, p: ResolvedLokiProps): void {
  const zones = p.zones;
  if (zones === undefined) return;
  const label = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
  zones.forEach((zone, i) =>
    v.check(
      typeof zone === 'string' && zone !== '' && zone.length <= 63 && label.test(zone) && zones.indexOf(zone) === i,
      `zones[${i}]`,
      zone,
      'is not a zone name (a label value) or is listed twice',
      'give each zone once, as its nodes\' topology.kubernetes.io/zone label shows it, e.g. "eu-west-1a"',
    ),
  );
  if (
    !v.check(
      zones.length >= 2,
      'zones',
      zones,
      'names fewer than two zones: every copy would be in one zone anyway',
      'list the zones the nodes run in, or leave zones out',
    )
  )
    return;
  v.check(
    !Number.isInteger(p.replicationFactor) || p.replicationFactor <= zones.length,
    'replicationFactor',
    p.replicationFactor,
    `is more than the ${zones.length} zones: zone-aware replication puts each copy of a stream in a zone of its own, so some streams would get fewer copies and pushes fail`,
    `lower replicationFactor to ${zones.length}, or list more zones`,
  );
  v.check(
    p.migration === undefined,
    'zones',
    zones,
    "is set during a migration, which would roll the running Simple Scalable pods into new zones while the new components join (Loki's migration guide leaves zones out too)",
    'finish the migration first, then set zones',
  );
}

/** A staged migration: from Simple Scalable, to another mode, by stage 1 to 3. */
function checkMigration(v: Validator, p: ResolvedLokiProps): void {
  const m = p.migration!;
  v.check(m.from === 'simple-scalable', 'migration.from', m.from, 'is not a mode the library migrates from', 'use "simple-scalable"');
  v.check([1, 2, 3].includes(m.stage), 'migration.stage', m.stage, 'is not a stage of the migration', 'use 1 (prepare), 2 (side by side) or 3 (cut-over)');
  v.check(
    p.mode !== 'simple-scalable',
    'mode',
    p.mode,
    'is the mode the migration starts from: a migration needs the mode it goes to',
    'set mode: "ha-monolithic" or "distributed", or remove migration',
  );
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
    if (tenant.ruleGroups?.length) {
      v.check(
        SECRET_KEY.test(tenant.id),
        `tenants[${i}].id`,
        tenant.id,
        'cannot name a file of the rules ConfigMap (its keys are letters, digits, "-", "_" and ".")',
        'rename the tenant, or upload its rules through the ruler API instead of ruleGroups',
      );
      checkLokiRuleGroups(v, `tenants[${i}].ruleGroups`, tenant.ruleGroups);
    }
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

/** The parts of an emitted Loki config the invariants read. */
interface EmittedLoki {
  readonly ingester?: {
    readonly lifecycler?: { readonly ring?: { readonly replication_factor?: unknown }; readonly unregister_on_shutdown?: unknown };
    readonly wal?: { readonly flush_on_shutdown?: unknown };
  };
  readonly common?: { readonly replication_factor?: unknown };
  readonly memberlist?: { readonly cluster_label_verification_disabled?: unknown };
}

/**
 * The invariants again, on what is emitted for `mode`: `configOverrides` and `extraArgs` can set
 * what the props checked. A replication factor above the ingesting replicas fails every push with
 * "too many unhealthy instances in the ring", however it was set; and while migrating, an ingester
 * that does not flush and leave the ring as it stops loses what it holds, since it never returns.
 */
export function checkEmittedLoki(scope: IConstruct, p: ResolvedLokiProps, mode: LokiMode, config: EmittedLoki): void {
  const v = new Validator(scope);
  const { options, replicas } = ingestingReplicas(p, mode);
  const replicasProperty = `${options}.replicas`;
  const flagged = lokiComponents(p, mode)
    .map((plan) => ({ plan, value: flagValue(plan.options.extraArgs, 'distributor.replication-factor', 'common.replication-factor') }))
    .find((f) => f.value !== undefined);
  const fromRing = config.ingester?.lifecycler?.ring?.replication_factor;
  const [property, value]: [string, unknown] = flagged
    ? [`${flagged.plan.property}.extraArgs`, Number(flagged.value)]
    : fromRing !== undefined
      ? ['configOverrides.ingester.lifecycler.ring.replication_factor', fromRing]
      : ['configOverrides.common.replication_factor', config.common?.replication_factor];
  if (value !== p.replicationFactor || flagged) {
    v.check(
      typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= replicas,
      property,
      value,
      `sets the replication factor the ingesters use to more than ${replicasProperty} (${replicas}) or to no whole number: every push would fail with "too many unhealthy instances in the ring"`,
      `set replicationFactor instead of overriding it, at most ${replicas}, or raise ${replicasProperty}`,
    );
  }
  if (p.migration) {
    const kept: Array<[string, unknown, unknown]> = [
      ['configOverrides.ingester.wal.flush_on_shutdown', config.ingester?.wal?.flush_on_shutdown, true],
      ['configOverrides.ingester.lifecycler.unregister_on_shutdown', config.ingester?.lifecycler?.unregister_on_shutdown, true],
      ['configOverrides.memberlist.cluster_label_verification_disabled', config.memberlist?.cluster_label_verification_disabled ?? false, false],
    ];
    for (const [name, actual, needed] of kept) {
      v.check(
        actual === needed,
        name,
        actual,
        `must stay ${needed} while migrating: the Simple Scalable ingesters stop for good at the cut-over, and what they hold must reach storage and leave the shared rings`,
        'remove the override until the migration is done',
      );
    }
  }
  v.throwIfAny();
}
