import { Construct } from 'constructs';
import { requireProps } from '../core/check-options';
import { k8s } from '../core/k8s';
import { ConfigFile, mergeOverrides, renderYaml } from '../core/config-file';
import { Validator } from '../core/errors';
import { IMAGES, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { bucketChoiceRule, chooseBucket } from '../object-storage/bucket-name';
import { ObjectStorage } from '../object-storage/object-storage';
import { PLATFORM_CA_FILE } from '../core/serving-tls';
import { RetentionClaim, declareKeySecret, storageServiceAccount } from '../object-storage/usage';
import { OBJSTORE_DIR, OBJSTORE_FILE, THANOS_S3_ACTIONS, ThanosBucketAccess } from './common';

/** The object-store client config of Thanos (`--objstore.config-file`), S3 flavour. */
export interface ThanosObjstoreConfig {
  readonly type: 'S3';
  readonly config: {
    readonly bucket: string;
    readonly endpoint: string;
    readonly region: string;
    readonly insecure: boolean;
    readonly bucket_lookup_type: 'auto' | 'path';
    readonly http_config?: { readonly tls_config: { readonly ca_file: string } };
  };
  readonly prefix?: string;
}

/**
 * Renders the Thanos S3 client config from the storage abstraction. It never carries keys: with a
 * key Secret, minio-go reads `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` from the environment;
 * with IRSA or Pod Identity it finds the web-identity token or the agent by itself.
 */
export function buildObjstoreConfig(storage: ObjectStorage, bucket: string, prefix?: string): ThanosObjstoreConfig {
  return {
    type: 'S3',
    config: {
      bucket,
      // minio-go takes host[:port] only; a scheme here stops every component.
      endpoint: storage.endpointHost,
      region: storage.region,
      insecure: storage.insecure,
      bucket_lookup_type: storage.forcePathStyle ? 'path' : 'auto',
      // A store served with the platform's CA: trusted by ca.crt of the component's own certificate.
      ...(storage.platformCa ? { http_config: { tls_config: { ca_file: PLATFORM_CA_FILE } } } : {}),
    },
    ...(prefix ? { prefix } : {}),
  };
}

/** Props of {@link ThanosBucket}. */
export interface ThanosBucketProps {
  /** Namespace of the components that use the bucket. */
  readonly namespace: string;
  /** Thanos instance name; the Secret is `<name>-objstore`. @default "thanos" */
  readonly name?: string;
  /** Where the bucket is. */
  readonly storage: ObjectStorage;
  /** Bucket name. Thanos never creates it: MinIO's Job or the cdktf stack does. @default `<name>-blocks`, prefixed on AWS (AwsStorage's namePrefix, S3Storage's bucketPrefix) */
  readonly bucket?: string;
  /** Key prefix inside the bucket, to share one bucket between instances. @default none */
  readonly prefix?: string;
  /** Deep-merged over the generated config, e.g. `{ config: { sse_config: { type: 'SSE-S3' } } }`. @default none */
  readonly overrides?: Record<string, unknown>;
}

/**
 * One Thanos bucket: the object-store config every component that reads or writes it mounts, in a
 * ConfigMap: it never holds a key (they come from the environment or the pod's cloud identity), and
 * overrides that would add one are refused. Components take it as their `bucket` prop.
 */
export class ThanosBucket extends Construct {
  readonly file: ConfigFile;
  readonly storage: ObjectStorage;
  readonly bucket: string;
  readonly prefix?: string;
  readonly namespace: string;
  /** The client config as rendered. */
  readonly config: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: ThanosBucketProps) {
    super(scope, id);
    requireProps(this, props, { namespace: 'give the Kubernetes namespace of its objects', storage: 'pass a Minio, an S3Storage or an AwsStorage' });
    const instance = props.name ?? 'thanos';
    const identity = new ComponentIdentity({
      app: 'thanos',
      instance,
      component: 'objstore',
      namespace: props.namespace,
      version: imageVersion(IMAGES.thanos),
    });
    this.storage = props.storage;
    const chosen = chooseBucket(props.bucket, props.storage, `${instance}-blocks`);
    this.prefix = props.prefix;
    this.namespace = props.namespace;
    const v = new Validator(this);
    v.apply('bucket', chosen, bucketChoiceRule(props.bucket, chosen, `${instance}-blocks`));
    if (
      v.check(
        props.storage !== undefined,
        'storage',
        props.storage,
        'is required: Thanos keeps its blocks in object storage',
        'pass a Minio, an S3Storage or an AwsStorage',
      )
    ) {
      v.apply('storage', props.storage.kind, props.storage.checkClientNamespace(props.namespace));
    }
    for (const key of credentialKeysIn(props.overrides)) {
      v.check(
        false,
        `overrides.${key}`,
        '(hidden)',
        'would write a credential into the object-store config, which is a ConfigMap in the output',
        'leave keys to the storage: the Secret its credentials name (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in the env) or the pod identity',
      );
    }
    v.throwIfAny();
    this.bucket = chosen!;

    props.storage.usage.declareBucket(this.bucket);
    this.config = mergeOverrides({ ...buildObjstoreConfig(props.storage, this.bucket, props.prefix) }, props.overrides);
    this.file = new ConfigFile(this, 'Resource', {
      identity,
      name: `${instance}-objstore`,
      files: { [OBJSTORE_FILE]: renderYaml(this.config) },
    });
    declareKeySecret(this, props.storage, props.namespace, 'Thanos');
  }

  /**
   * Emits the ServiceAccount of a component that uses this bucket, registered as its client so
   * the cloud side grants it exactly this bucket and only the actions its `access` needs.
   */
  serviceAccount(scope: Construct, id: string, identity: ComponentIdentity, access: ThanosBucketAccess): k8s.KubeServiceAccount {
    return storageServiceAccount(scope, id, identity, identity.name, { storage: this.storage, buckets: [this.bucket], actions: THANOS_S3_ACTIONS[access] });
  }

  /** Records what a component keeps in this bucket (under the prefix), for lifecycle rules. */
  declareRetention(keptForMs: number | undefined, reason: string): void {
    const claim: RetentionClaim = { prefix: this.prefix ? `${this.prefix.replace(/\/+$/, '')}/` : '', keptForMs, reason };
    this.storage.usage.declareBucket(this.bucket, claim);
  }

  /** The flag that points a component at the mounted config. */
  get flag(): string {
    return `--objstore.config-file=${OBJSTORE_DIR}/${OBJSTORE_FILE}`;
  }

  /** The pod volume of the config Secret. */
  volume(): k8s.Volume {
    return this.file.volume('objstore');
  }

  /** Mounted as a directory (never subPath), so an updated Secret reaches running pods. */
  get mount(): k8s.VolumeMount {
    return { name: 'objstore', mountPath: OBJSTORE_DIR, readOnly: true };
  }

  /** The key env vars, when the storage uses static keys. */
  env(): k8s.EnvVar[] {
    return this.storage.credentials.env();
  }

  /** Identifies the bucket across constructs: two compactors must never share one. */
  get bucketKey(): string {
    return `${this.storage.endpointHost}/${this.bucket}/${this.prefix ?? ''}`;
  }

  get checksum(): string {
    return this.file.checksum;
  }
}

/** The keys of the Thanos S3 client that carry a credential. */
const CREDENTIAL_KEYS = new Set(['access_key', 'secret_key', 'session_token']);

/** The paths of credential keys with a value anywhere in `overrides` (e.g. `config.secret_key`). */
function credentialKeysIn(overrides: unknown, path = ''): string[] {
  if (!overrides || typeof overrides !== 'object') return [];
  return Object.entries(overrides).flatMap(([k, v]) => {
    const here = path ? `${path}.${k}` : k;
    if (CREDENTIAL_KEYS.has(k) && v !== undefined && v !== '') return [here];
    return credentialKeysIn(v, here);
  });
}
