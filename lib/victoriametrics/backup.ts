/**
 * Backups of vmstorage with the open-source vmbackup and vmrestore (vmbackupmanager, which
 * schedules them upstream, is enterprise-only). vmbackup must read the snapshot files on the
 * node's own volume, so it runs as a sidecar of each vmstorage pod: every `interval` it asks its
 * vmstorage for a snapshot on loopback, uploads what changed since the last run to
 * `s3://<bucket>/<prefix>/<pod>/latest` and deletes the snapshot. Restoring runs vmrestore as an
 * init container, before vmstorage opens the volume, once per restore id.
 */
import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { parseDuration } from '../core/duration';
import { Validator } from '../core/errors';
import { IMAGES, ImageRef } from '../core/images';
import { ContainerDefinition } from '../core/pod';
import { ResourceRequirements } from '../core/resources';
import { PLATFORM_CA_FILE, ServingCertificate, checkPlatformTrust } from '../core/serving-tls';
import { VM_PORTS } from './common';
import { bucketChoiceRule, chooseBucket } from '../object-storage/bucket-name';
import { ObjectStorage } from '../object-storage/object-storage';
import { StorageUse, declareKeySecret } from '../object-storage/usage';
import { addWarning } from '../core/warnings';
import { dnsLabel } from '../core/rules';

/** How the vmstorage nodes are backed up. */
export interface VmBackupOptions {
  /** The object store the backups go to (the platform's store on the platform). */
  readonly storage: ObjectStorage;
  /**
   * Bucket of the backups.
   * @default "vm-backups" where the store may choose names (in-cluster stores, or a bucket prefix on AWS)
   */
  readonly bucket?: string;
  /** Key prefix in the bucket: each node keeps `<prefix>/<pod>/latest`. @default the instance name ("vm") */
  readonly prefix?: string;
  /**
   * Time between two backups of a node. Each backup uploads only the parts that changed, so short
   * intervals cost little; the first runs a minute after the pod starts. At least 5m.
   * @default "6h"
   */
  readonly interval?: string;
  /**
   * Restore every node from its `latest` backup before vmstorage starts (see the README's recovery
   * runbook). `id` names the restore: each pod restores once per id (a marker on its volume says
   * so), so leaving it set does not undo later writes; a new id restores again. Data written after
   * the backup is lost on the restored nodes.
   * @default none: no restore
   */
  readonly restore?: VmRestore;
  /** Resources of the vmbackup sidecar. @default requests 50m CPU and 64Mi, limit 512Mi */
  readonly resources?: ResourceRequirements;
  /** Image of the sidecar. @default the pinned vmbackup image */
  readonly image?: ImageRef;
  /** Image of the restore init container. @default the pinned vmrestore image */
  readonly restoreImage?: ImageRef;
}

/** A restore of vmstorage nodes from their latest backups. */
export interface VmRestore {
  /** Names this restore: a pod restores once per id (lowercase letters, digits and "-"). */
  readonly id: string;
  /**
   * Ordinals of the nodes to restore, e.g. `[1]` when only `vm-vmstorage-1` lost its volume: the
   * others keep their data (the change still restarts every node once, one at a time).
   * @default every node
   */
  readonly nodes?: readonly number[];
}

/** What the vmstorage pods get for backups. */
export interface VmBackupParts {
  readonly sidecar: ContainerDefinition;
  readonly initContainers: readonly ContainerDefinition[];
  /** The bucket the ServiceAccount must be granted. */
  readonly storageUse: StorageUse;
  readonly bucket: string;
  readonly prefix: string;
}

/** What the backup parts need to know of the vmstorage they serve. */
interface VmStorageFacts {
  /** The cluster's instance name, the default key prefix. */
  readonly instance: string;
  readonly namespace: string;
  /** Storage nodes: the ordinals a restore may name. */
  readonly replicas: number;
  /** `-storageDataPath` and the volume mounted there. */
  readonly dataDir: string;
  readonly dataVolume: string;
  /** vmstorage's own certificate, when its HTTP port serves HTTPS. */
  readonly https?: ServingCertificate;
  /** A name that certificate carries, checked on the loopback snapshot call. */
  readonly serverName: string;
}

/** Where vmbackup and vmrestore listen for metrics: loopback only, they are short-lived. */
const BACKUP_METRICS = '127.0.0.1:8420';
const RESTORE_METRICS = '127.0.0.1:8421';
/** The entrypoints of the vmbackup and vmrestore images. */
export const VMBACKUP_BINARY = '/vmbackup-prod';
export const VMRESTORE_BINARY = '/vmrestore-prod';
/** The first backup of a pod runs this long after it starts, once vmstorage has opened its data. */
const FIRST_BACKUP_SECONDS = 60;
const MIN_INTERVAL_MS = 5 * 60_000;
/** vmbackup's S3 actions (VictoriaMetrics' cloud-storage guide): it lists, uploads, copies and prunes. */
const BACKUP_ACTIONS = ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject'];

/**
 * The sidecar's loop. vmbackup runs once per call, so the shell schedules it; the program and its
 * flags come as arguments, so the script has no flag of its own to drift. Sleeping in the
 * background lets SIGTERM end the pod at once between backups; a backup cut short by a stop is
 * resumed by the next run, which uploads only what is missing.
 */
const BACKUP_LOOP = [
  'trap "exit 0" TERM INT',
  'sleep "$FIRST_BACKUP_SECONDS" & wait $!',
  'while true; do',
  '  if "$@"; then echo "backup done at $(date -u +%FT%TZ)"; else echo "backup failed at $(date -u +%FT%TZ); next try in $INTERVAL_SECONDS s" >&2; fi',
  '  sleep "$INTERVAL_SECONDS" & wait $!',
  'done',
].join('\n');

/**
 * The restore step: vmrestore replaces the volume's data with the backup, then leaves a marker so
 * that the pod's later starts keep what they wrote since.
 */
const RESTORE_ONCE = [
  'set -e',
  'marker="$DATA_DIR/.vmrestore-done-$RESTORE_ID"',
  'if [ -e "$marker" ]; then echo "restore $RESTORE_ID already done on this volume"; exit 0; fi',
  // RESTORE_NODES lists the ordinals to restore (" 0 2 "); empty means every node.
  'if [ -n "$RESTORE_NODES" ] && ! case "$RESTORE_NODES" in *" ${POD_NAME##*-} "*) true ;; *) false ;; esac; then',
  '  echo "restore $RESTORE_ID is not for $POD_NAME"; exit 0',
  'fi',
  '"$@"',
  'touch "$marker"',
].join('\n');

/** The parts of a vmstorage pod that back it up, or restore it, or both. */
export function vmBackupParts(scope: Construct, options: VmBackupOptions, ctx: VmStorageFacts): VmBackupParts {
  const v = new Validator(scope);
  const { storage } = options;
  const suggested = 'vm-backups';
  const bucket = chooseBucket(options.bucket, storage, suggested);
  v.apply('backup.bucket', bucket, bucketChoiceRule(options.bucket, bucket, suggested));
  v.apply('backup.storage', storage.kind, storage.checkClientNamespace(ctx.namespace));
  checkPlatformTrust(v, scope, 'backup.storage', storage.kind, storage.platformCa);
  const interval = options.interval ?? '6h';
  v.check(
    (parseDuration(interval) ?? 0) >= MIN_INTERVAL_MS,
    'backup.interval',
    interval,
    'is not a duration of at least 5m (each backup takes a snapshot and lists the whole backup in the bucket)',
    'write it as "6h", "1h" or "30m"',
  );
  const prefix = options.prefix ?? ctx.instance;
  v.check(
    /^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?$/.test(prefix) && !prefix.includes('//'),
    'backup.prefix',
    prefix,
    'is not a key prefix of lowercase letters, digits, ".", "-", "_" and inner "/"',
    'write it as "vm" or "prod/vm"',
  );
  if (options.restore) {
    v.apply('backup.restore.id', options.restore.id, dnsLabel(options.restore.id, 63, false));
    for (const [i, node] of (options.restore.nodes ?? []).entries()) {
      v.check(
        Number.isInteger(node) && node >= 0 && node < ctx.replicas,
        `backup.restore.nodes[${i}]`,
        node,
        `is not the ordinal of a vmstorage node (0 to ${ctx.replicas - 1})`,
        `name nodes by their pod's number, e.g. 1 for ${ctx.instance}-vmstorage-1`,
      );
    }
  }
  v.throwIfAny();

  storage.usage.declareBucket(bucket!, { prefix: `${prefix}/`, reason: 'vmbackup: every vmstorage node keeps its latest backup for ever' });
  declareKeySecret(scope, storage, ctx.namespace, 'vmbackup');
  const location = `s3://${bucket}/${prefix}/$(POD_NAME)/latest`;
  const s3Flags = storage.endpoint
    ? [`-customS3Endpoint=${storage.insecure ? 'http' : 'https'}://${storage.endpoint}`, `-s3ForcePathStyle=${storage.forcePathStyle}`]
    : [];
  const env: k8s.EnvVar[] = [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'AWS_REGION', value: storage.region },
    // The AWS SDK of vmbackup trusts this bundle: an in-cluster store under the platform's CA.
    ...(storage.platformCa ? [{ name: 'AWS_CA_BUNDLE', value: PLATFORM_CA_FILE }] : []),
    ...storage.credentials.env(),
  ];
  const tlsMounts = ctx.https ? [ctx.https.mount] : [];
  const scheme = ctx.https ? 'https' : 'http';
  const snapshotTls = ctx.https ? [`-snapshot.tlsCAFile=${PLATFORM_CA_FILE}`, `-snapshot.tlsServerName=${ctx.serverName}`] : [];
  const intervalSeconds = Math.round(parseDuration(interval)! / 1000);

  const sidecar: ContainerDefinition = {
    name: 'vmbackup',
    image: options.image ?? IMAGES.vmbackup,
    command: ['/bin/sh', '-c', BACKUP_LOOP, 'vmbackup'],
    args: [
      VMBACKUP_BINARY,
      `-httpListenAddr=${BACKUP_METRICS}`,
      `-storageDataPath=${ctx.dataDir}`,
      `-snapshot.createURL=${scheme}://localhost:${VM_PORTS.vmstorage}/snapshot/create`,
      ...snapshotTls,
      `-dst=${location}`,
      ...s3Flags,
    ],
    env: [...env, { name: 'FIRST_BACKUP_SECONDS', value: String(FIRST_BACKUP_SECONDS) }, { name: 'INTERVAL_SECONDS', value: String(intervalSeconds) }],
    volumeMounts: [{ name: ctx.dataVolume, mountPath: ctx.dataDir, readOnly: true }, ...tlsMounts],
    resources: options.resources ?? { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '512Mi' } },
  };
  const initContainers: ContainerDefinition[] = options.restore
    ? [
        {
          name: 'vmrestore',
          image: options.restoreImage ?? IMAGES.vmrestore,
          command: ['/bin/sh', '-c', RESTORE_ONCE, 'vmrestore'],
          args: [VMRESTORE_BINARY, `-httpListenAddr=${RESTORE_METRICS}`, `-src=${location}`, `-storageDataPath=${ctx.dataDir}`, ...s3Flags],
          env: [
            ...env,
            { name: 'DATA_DIR', value: ctx.dataDir },
            { name: 'RESTORE_ID', value: options.restore.id },
            { name: 'RESTORE_NODES', value: options.restore.nodes ? ` ${options.restore.nodes.join(' ')} ` : '' },
          ],
          volumeMounts: [{ name: ctx.dataVolume, mountPath: ctx.dataDir }, ...tlsMounts],
          resources: options.resources ?? { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '512Mi' } },
        },
      ]
    : [];
  if (options.restore) {
    addWarning(
      scope,
      'vmstorage-restore',
      'backup.restore.id',
      options.restore.id,
      'restores every vmstorage node from its latest backup when its pod starts next; samples written after that backup are lost on the node',
      'apply it only to recover (README: recovery runbook), then keep or drop it; acknowledge this warning once the restore is intended',
    );
  }
  return { sidecar, initContainers, storageUse: { storage, buckets: [bucket!], actions: BACKUP_ACTIONS }, bucket: bucket!, prefix };
}
