/**
 * Data at risk from the programs' settings: the flags of every container and the keys of every
 * config file (YAML or JSON in a ConfigMap). The rules are data: which settings each one reads,
 * and what a change of them does to what is stored.
 */
import { PlannedChange } from './change';
import { ManifestObject, Json, brief, configDocumentsOf, containersOf, flagsOf, leavesOf, podTemplateOf, refOf, sameJson, WORKLOAD_KINDS } from './objects';
import { parseDuration, parseGoDuration } from '../../core/duration';
import { parseRetention } from '../../victoriametrics/retention';

/** A setting: a flag of a container or a key path in a config file. */
interface Setting {
  /** `flag --receive.replication-factor of container thanos`, `config.yaml: common.replication_factor`. */
  readonly where: string;
  /** The flag's name, or the key path inside its file. */
  readonly name: string;
  /** The document the key is in (undefined for a flag), for rules that look at its shape. */
  readonly document?: Json;
  readonly value: Json;
}

/** A rule over settings: which ones it reads and, for a change, what it means. */
interface SettingRule {
  readonly id: string;
  readonly reads: (s: Setting) => boolean;
  /** The risk of `was → is`, or undefined when this change of the setting is safe. */
  readonly judge: (was: Json, is: Json, s: Setting) => { readonly why: string; readonly steps: readonly string[] } | undefined;
}

const lastKey = (name: string) => name.split('.').pop() ?? name;

/** Milliseconds of a retention, `Infinity` for keep-forever (`0` in Loki, Thanos and Prometheus), undefined when unreadable. */
function retentionMs(value: Json, flag: string): number | undefined {
  const text = String(value);
  if (/^0+(s|h|d)?$/.test(text)) return Infinity;
  if (flag === 'retentionPeriod') return parseRetention(text);
  return parseDuration(text) ?? parseGoDuration(text);
}

/** The keys that say where objects go, by what they name. */
const LOCATION_KEYS: Readonly<Record<string, 'endpoint' | 'bucket' | 'prefix'>> = {
  endpoint: 'endpoint',
  bucket: 'bucket',
  bucket_name: 'bucket',
  bucketnames: 'bucket',
  prefix: 'prefix',
  storage_prefix: 'prefix',
};

/**
 * Where a config file's objects go: its endpoints, buckets and prefixes as sets, whatever keys name
 * them, so that the same bucket under a renamed key (Loki's `bucketnames` becoming `bucket_name`)
 * is no move, and a new endpoint is.
 */
function objectLocations(file: string, document: Json): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const [name, value] of leavesOf(document)) {
    const what = LOCATION_KEYS[lastKey(name)];
    if (!what || typeof value !== 'string' || !inObjectStoreConfig({ where: file, name, document, value })) continue;
    const values = what === 'bucket' ? value.split(',') : [value];
    for (const v of values)
      found.set(
        what,
        (found.get(what) ?? new Set()).add(
          v
            .trim()
            .replace(/^https?:\/\//, '')
            .replace(/\/+$/, ''),
        ),
      );
  }
  return found;
}

/** Data at risk when a config file sends objects to another endpoint, bucket or prefix. */
function locationChanges(before: ManifestObject, after: ManifestObject): PlannedChange[] {
  const now = configDocumentsOf(after);
  const changes: PlannedChange[] = [];
  for (const [file, document] of configDocumentsOf(before)) {
    const [old, next] = [objectLocations(file, document), objectLocations(file, now.get(file))];
    for (const [what, values] of old) {
      const kept = next.get(what) ?? new Set<string>();
      const gone = [...values].filter((v) => !kept.has(v));
      if (gone.length === 0) continue;
      const is = kept.size > 0 ? [...kept].join(', ') : '(unset)';
      changes.push({
        class: 'data-at-risk',
        object: refOf(after),
        change: `${file}: object store ${what} ${gone.join(', ')} → ${is}`,
        why: movedWhy(gone.join(', '), is),
        steps: MOVE_STEPS,
      });
    }
  }
  return changes;
}

/** Where the key sits in an object-store client config: under an S3-ish section, or in a Thanos objstore file (`type: S3`). */
function inObjectStoreConfig(s: Setting): boolean {
  if (s.document && typeof (s.document as { type?: unknown }).type === 'string') return true;
  return s.name.split('.').some((part) => ['s3', 'aws', 'gcs', 'azure', 'swift', 'storage', 'storage_config', 'ruler_storage'].includes(part));
}

const MOVE_STEPS: readonly string[] = [
  'copy the objects from the old location to the new one (rclone copy, or aws s3 sync) while the old output still runs',
  'apply, then copy once more to catch what was written in between',
  'remove the old location only after the retention has passed or the copy is checked',
];

function movedWhy(was: string, is: string): string {
  return `the objects stay where they were written (${was}) and the new location (${is}) starts empty: everything stored so far stops being read, and no compaction or retention pass sees it`;
}

/** Loki's schema periods as written, compared one by one. */
type SchemaPeriod = Readonly<Record<string, Json>> & { readonly from?: string };

const RULES: readonly SettingRule[] = [
  {
    id: 'replication-factor',
    reads: (s) => ['receive.replication-factor', 'replicationFactor'].includes(s.name) || lastKey(s.name) === 'replication_factor',
    judge: () => ({
      why: 'data written so far was placed for the old number of copies: with fewer, reads that wait for a quorum can miss what only the dropped copies hold; with more, old data has fewer copies than reads expect, and deduplication counts wrong until it ages out',
      steps: [
        'keep the factor on the running cluster',
        'to change it, run a second cluster with the new factor beside it, write to both for the retention period (or backfill), then move readers to it and retire the old one',
      ],
    }),
  },
  {
    id: 'retention-shortened',
    reads: (s) =>
      [
        'retention.resolution-raw',
        'retention.resolution-5m',
        'retention.resolution-1h',
        'retentionPeriod',
        'storage.tsdb.retention.time',
        'tsdb.retention',
      ].includes(s.name) || ['retention_period', 'block_retention'].includes(lastKey(s.name)),
    judge: (was, is, s) => {
      const [old, now] = [retentionMs(was, s.name), retentionMs(is, s.name)];
      // A retention that is dropped falls back to the program's default, which may be shorter.
      if (is === undefined)
        return {
          why: `the retention goes back to the program's default: whatever is older than that default is deleted at the next retention pass`,
          steps: ['keep the setting, or check the default is at least the old value before applying'],
        };
      if (old === undefined || now === undefined || now >= old) return undefined;
      return {
        why: `data older than ${brief(is)} is deleted at the next retention or compaction pass; it was kept for ${brief(was)}`,
        steps: [
          'if the older data must stay, copy it out first: the bucket (a versioned copy, rclone) or a vmbackup of each vmstorage',
          'otherwise apply: the deletion is what was asked for',
        ],
      };
    },
  },
  {
    id: 'backup-location',
    reads: (s) => ['dst', 'customS3Endpoint'].includes(s.name),
    judge: (was, is) => ({ why: movedWhy(String(was), String(is ?? '(unset)')), steps: MOVE_STEPS }),
  },
  {
    id: 'loki-schema',
    reads: (s) => s.name === 'schema_config.configs',
    judge: (was, is) => {
      const [old, now] = [(was as SchemaPeriod[] | undefined) ?? [], (is as SchemaPeriod[] | undefined) ?? []];
      const edited = old.findIndex((period, i) => !sameJson(period, now[i]));
      if (edited < 0) return undefined;
      return {
        why: `schema period ${edited} (from ${old[edited].from ?? '?'}) was ${now[edited] ? 'edited' : 'removed'}: Loki reads each period with the schema it was written with, so the chunks and index written under it can no longer be read`,
        steps: [
          'put the existing periods back exactly as they were',
          'append the new schema as a new period whose `from` is a date in the future (UTC, at least a day ahead), so every pod switches at the same moment',
        ],
      };
    },
  },
];

function settingsOfWorkload(o: ManifestObject): Setting[] {
  return [...containersOf(podTemplateOf(o)).values()].flatMap((c) =>
    [...flagsOf(c)].map(([name, value]) => ({ where: `flag -${name} of container ${c.name}`, name, value })),
  );
}

function settingsOfConfigMap(o: ManifestObject): Setting[] {
  return [...configDocumentsOf(o)].flatMap(([file, document]) =>
    leavesOf(document).map(([name, value]) => ({ where: `${file}: ${name}`, name, document, value })),
  );
}

function settingsOf(o: ManifestObject): Setting[] {
  if (WORKLOAD_KINDS.has(o.kind)) return settingsOfWorkload(o);
  if (o.kind === 'ConfigMap') return settingsOfConfigMap(o);
  return [];
}

/** The data-at-risk changes in the settings of an object present on both sides. */
export function settingChanges(before: ManifestObject, after: ManifestObject): PlannedChange[] {
  const old = new Map(settingsOf(before).map((s) => [s.where, s]));
  const now = new Map(settingsOf(after).map((s) => [s.where, s]));
  const changes: PlannedChange[] = [];
  for (const where of new Set([...old.keys(), ...now.keys()])) {
    const [was, is] = [old.get(where), now.get(where)];
    // A setting that appears anew changes nothing stored: it starts what it configures.
    if (!was || sameJson(was.value, is?.value)) continue;
    for (const rule of RULES.filter((r) => r.reads(was))) {
      const risk = rule.judge(was.value, is?.value, is ?? was);
      if (risk) changes.push({ class: 'data-at-risk', object: refOf(after), change: `${where}: ${brief(was.value)} → ${brief(is?.value)}`, ...risk });
    }
  }
  return after.kind === 'ConfigMap' ? [...changes, ...locationChanges(before, after)] : changes;
}
