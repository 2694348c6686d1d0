import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { RuleResult, Validator } from '../core/errors';
import { ImageRef } from '../core/images';
import { GeneratedSecret } from '../core/generated-secret';
import { ComponentIdentity } from '../core/names';
import { dnsLabel, namespaceName } from '../core/rules';
import { checkVolumeSize, checkWorkloadOptions } from '../core/check-options';
import { SchedulingOptions } from '../core/pod';
import { WorkloadOptions } from '../core/workload';
import { ACCESS_KEY_ENV, SECRET_KEY_ENV, StorageCredentials } from './credentials';
import { ObjectStorage, secretNamespaceRule } from './object-storage';
import { StorageUsage } from './usage';

/**
 * What the object stores the library runs in the cluster (SeaweedFS, MinIO) have in common: one
 * Service address, keys in a Secret that every client reads, path-style addressing, and the
 * buckets the components declare, which the store creates itself under the names asked for.
 */
export abstract class InClusterObjectStore extends Construct implements ObjectStorage {
  abstract readonly kind: string;
  abstract readonly region: string;
  abstract readonly insecure: boolean;
  abstract readonly platformCa: boolean;
  abstract readonly credentials: StorageCredentials;
  /** `<service>.<ns>.svc.<domain>:<port>`. */
  abstract readonly endpoint: string;
  readonly forcePathStyle = true;
  readonly usage = new StorageUsage();

  get endpointHost(): string {
    return this.endpoint;
  }

  /** Every bucket the components declared, which the store's Job creates. */
  get buckets(): readonly string[] {
    return this.usage.buckets;
  }

  checkClientNamespace(namespace: string): RuleResult {
    return secretNamespaceRule(this.credentials, namespace);
  }

  /** The store is the platform's own: bucket names need no prefix. */
  defaultBucketName(suggested: string): string {
    return suggested;
  }
}

/** The props both in-cluster stores take (each documents its own defaults). */
export interface InClusterStoreProps extends WorkloadOptions {
  readonly namespace: string;
  /** Size of the data volume. @default the store's own */
  readonly storageSize?: string;
  /** A Secret of keys you create. @default keys made in the cluster */
  readonly existingSecret?: string;
}

/** Checks the props both in-cluster stores take, into `v`. */
export function checkInClusterStoreProps(v: Validator, props: InClusterStoreProps, name: string, defaultImage: ImageRef): void {
  v.apply('name', name, dnsLabel(name, 50));
  v.apply('namespace', props.namespace, namespaceName(props.namespace));
  checkWorkloadOptions(v, 'server', props, defaultImage);
  checkVolumeSize(v, 'storageSize', props.storageSize);
  if (props.existingSecret !== undefined) v.apply('existingSecret', props.existingSecret, dnsLabel(props.existingSecret, 253, false));
}

/** The Job that makes a store's random keys in the cluster when its Secret is missing. */
export function generateStoreKeys(
  scope: Construct,
  identity: ComponentIdentity,
  secretName: string,
  note: string,
  scheduling: SchedulingOptions | undefined,
): GeneratedSecret {
  return new GeneratedSecret(scope, 'Credentials', {
    identity,
    name: secretName,
    values: { [ACCESS_KEY_ENV]: { randomBytes: 10 }, [SECRET_KEY_ENV]: { randomBytes: 24 } },
    note,
    scheduling,
  });
}

/** The store's keys from its Secret, under the names the program reads them by. */
export function storeKeyEnv(credentials: StorageCredentials, accessKeyName: string, secretKeyName: string): k8s.EnvVar[] {
  const secret = credentials.secret!;
  const ref = (key: string) => ({ secretKeyRef: { name: secret.name, key } });
  return [
    { name: accessKeyName, valueFrom: ref(ACCESS_KEY_ENV) },
    { name: secretKeyName, valueFrom: ref(SECRET_KEY_ENV) },
  ];
}
