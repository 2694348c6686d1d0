import { k8s } from '../core/k8s';
import type { ServiceAccountRef } from './usage';

/** Environment variable names the S3 clients of Loki, Thanos and Tempo all read. */
export const ACCESS_KEY_ENV = 'AWS_ACCESS_KEY_ID';
export const SECRET_KEY_ENV = 'AWS_SECRET_ACCESS_KEY';

/** How a storage client proves who it is. No credential value ever appears in the output. */
export interface StorageCredentials {
  /** Env vars that carry static keys from a Secret; empty with cloud identity. */
  env(): k8s.EnvVar[];
  /** Annotations a client's ServiceAccount needs (e.g. IRSA's role ARN for that very ServiceAccount). */
  serviceAccountAnnotations(serviceAccount: ServiceAccountRef): Record<string, string>;
  /** True when the client gets static keys through {@link ACCESS_KEY_ENV} / {@link SECRET_KEY_ENV}. */
  readonly usesStaticKeys: boolean;
  /** The Secret holding the keys, when there is one. */
  readonly secret?: SecretKeysReference;
}

/** Where static S3 keys are kept: an existing Secret in the consumer's namespace. */
export interface SecretKeysReference {
  /** Secret name. */
  readonly name: string;
  /** Namespace of the Secret; a pod can only read Secrets of its own namespace. */
  readonly namespace?: string;
  /** Key of the access key id. @default "AWS_ACCESS_KEY_ID" */
  readonly accessKeyIdKey?: string;
  /** Key of the secret access key. @default "AWS_SECRET_ACCESS_KEY" */
  readonly secretAccessKeyKey?: string;
  /** True when the library emits the Secret itself (dev MinIO), false when the user provides it. @default false */
  readonly managed?: boolean;
}

/** Static keys read from a Secret into the client's environment. */
class SecretKeys implements StorageCredentials {
  readonly usesStaticKeys = true;
  constructor(readonly secret: SecretKeysReference) {}

  env(): k8s.EnvVar[] {
    const ref = (key: string) => ({ secretKeyRef: { name: this.secret.name, key } });
    return [
      { name: ACCESS_KEY_ENV, valueFrom: ref(this.secret.accessKeyIdKey ?? ACCESS_KEY_ENV) },
      { name: SECRET_KEY_ENV, valueFrom: ref(this.secret.secretAccessKeyKey ?? SECRET_KEY_ENV) },
    ];
  }

  serviceAccountAnnotations(): Record<string, string> {
    return {};
  }
}

/** Cloud identity (IRSA, EKS Pod Identity, GKE Workload Identity): no keys, only SA annotations. */
class CloudIdentity implements StorageCredentials {
  readonly usesStaticKeys = false;
  constructor(private readonly annotationsFor: (serviceAccount: ServiceAccountRef) => Record<string, string>) {}

  env(): k8s.EnvVar[] {
    return [];
  }

  serviceAccountAnnotations(serviceAccount: ServiceAccountRef): Record<string, string> {
    return this.annotationsFor(serviceAccount);
  }
}

/** The annotation the EKS webhook reads to give a pod IRSA's web-identity token. */
export const IRSA_ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** Factories for {@link StorageCredentials}. */
export const Credentials = {
  /** Static keys from an existing Secret that the user creates (never from the library's output). */
  fromSecret(ref: SecretKeysReference): StorageCredentials {
    return new SecretKeys(ref);
  },
  /**
   * IRSA with one role you made yourself, shared by every client: each ServiceAccount carries
   * `eks.amazonaws.com/role-arn`. `AwsStorage` instead makes one role per client.
   */
  fromIrsaRole(roleArn: string): StorageCredentials {
    return new CloudIdentity(() => ({ [IRSA_ROLE_ANNOTATION]: roleArn }));
  },
  /** IRSA with a role per ServiceAccount, e.g. named after it. */
  fromIrsaRoles(roleArnFor: (serviceAccount: ServiceAccountRef) => string): StorageCredentials {
    return new CloudIdentity((sa) => ({ [IRSA_ROLE_ANNOTATION]: roleArnFor(sa) }));
  },
  /** EKS Pod Identity: the association lives in AWS, so the ServiceAccount needs nothing. */
  fromPodIdentity(): StorageCredentials {
    return new CloudIdentity(() => ({}));
  },
  /** Any other cloud identity given by ServiceAccount annotations (e.g. GKE Workload Identity). */
  fromServiceAccountAnnotations(annotations: Readonly<Record<string, string>>): StorageCredentials {
    return new CloudIdentity(() => ({ ...annotations }));
  },
};
