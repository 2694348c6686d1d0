import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { declareExternal } from '../core/external';
import { ComponentIdentity } from '../core/names';
import { createServiceAccount } from '../core/service';
import type { ObjectStorage } from './object-storage';

/** A Kubernetes ServiceAccount: the subject a cloud identity is granted to. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * What a component keeps under one key prefix of a bucket, and for how long. The cdktf side
 * derives lifecycle rules from these claims, so S3 never expires data the component still serves.
 */
export interface RetentionClaim {
  /** Key prefix, e.g. `fake/` for one Loki tenant's chunks; `''` for the whole bucket. */
  readonly prefix: string;
  /** How long the component keeps and serves objects there, in milliseconds; undefined for ever. */
  readonly keptForMs?: number;
  /** Who keeps it and why, for messages: `loki retention 744h + 2h delete delay`. */
  readonly reason: string;
}

/** One ServiceAccount whose pods read and write buckets: the unit that gets one cloud role. */
export interface StorageClient {
  /** The component's name, e.g. `loki` or `thanos-compactor`. */
  readonly component: string;
  readonly serviceAccount: ServiceAccountRef;
  /** The buckets its pods use. */
  readonly buckets: readonly string[];
  /** The S3 actions its upstream documents, e.g. `s3:GetObject`. */
  readonly actions: readonly string[];
}

/**
 * Everything the components declared about a store: its buckets, who uses them, and what they
 * keep. MinIO creates the buckets from it; the cdktf side makes buckets, lifecycle and roles.
 */
export class StorageUsage {
  private readonly bucketClaims = new Map<string, RetentionClaim[]>();
  private readonly clientList: StorageClient[] = [];

  /** Declares a bucket, optionally with what a component keeps in it. */
  declareBucket(bucket: string, ...claims: RetentionClaim[]): void {
    const existing = this.bucketClaims.get(bucket) ?? [];
    this.bucketClaims.set(bucket, [...existing, ...claims]);
  }

  /** Registers a client; its buckets are declared too. */
  registerClient(client: StorageClient): void {
    client.buckets.forEach((b) => this.declareBucket(b));
    const same = this.clientList.findIndex((c) => sameServiceAccount(c.serviceAccount, client.serviceAccount));
    if (same < 0) {
      this.clientList.push(client);
      return;
    }
    // One ServiceAccount, one role: a second registration widens it (e.g. a sidecar bucket added later).
    const merged = this.clientList[same];
    this.clientList[same] = {
      ...merged,
      buckets: union(merged.buckets, client.buckets),
      actions: union(merged.actions, client.actions),
    };
  }

  /** Every declared bucket, sorted. */
  get buckets(): readonly string[] {
    return [...this.bucketClaims.keys()].sort();
  }

  /** Every client, in registration order. */
  get clients(): readonly StorageClient[] {
    return [...this.clientList];
  }

  /** What the components keep in `bucket`; empty when none said. */
  claimsOf(bucket: string): readonly RetentionClaim[] {
    return this.bucketClaims.get(bucket) ?? [];
  }
}

/** What a component's ServiceAccount does with object storage. */
export interface StorageUse {
  readonly storage: ObjectStorage;
  readonly buckets: readonly string[];
  readonly actions: readonly string[];
}

/**
 * Emits the ServiceAccount of a storage client: it registers the client with the store (so the
 * cloud side grants exactly this ServiceAccount access to exactly these buckets) and carries the
 * annotations its cloud identity needs.
 */
export function storageServiceAccount(scope: Construct, id: string, identity: ComponentIdentity, name: string, use: StorageUse): k8s.KubeServiceAccount {
  const serviceAccount = { namespace: identity.namespace, name };
  use.storage.usage.registerClient({ component: name, serviceAccount, buckets: use.buckets, actions: use.actions });
  return createServiceAccount(scope, id, identity, name, use.storage.credentials.serviceAccountAnnotations(serviceAccount));
}

function sameServiceAccount(a: ServiceAccountRef, b: ServiceAccountRef): boolean {
  return a.namespace === b.namespace && a.name === b.name;
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/**
 * Records the key Secret a storage client in `namespace` reads, when the user provides it (a
 * generated dev Secret is in the output already), so checks and users know to create it.
 */
export function declareKeySecret(scope: Construct, storage: ObjectStorage, namespace: string, client: string): void {
  const keys = storage.credentials.secret;
  if (keys && !keys.managed) declareExternal(scope, { kind: 'Secret', namespace, name: keys.name, purpose: `S3 access keys for ${client}` });
}
