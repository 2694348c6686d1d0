import { RuleResult, Validator } from '../core/errors';
import { StorageCredentials } from './credentials';
import { StorageUsage } from './usage';

/**
 * The S3-compatible store a component writes to. Every storage user (Loki, Thanos, Tempo) takes
 * one of these and renders its own client config from it; none of them ever creates a bucket.
 */
export interface ObjectStorage {
  /** Human-readable kind for messages: `minio` or `s3`. */
  readonly kind: string;
  /** `host[:port]` without scheme, or undefined for the AWS regional endpoint. */
  readonly endpoint?: string;
  /** `host[:port]` for clients that always need one (Thanos): the explicit endpoint or AWS's regional one. */
  readonly endpointHost: string;
  /** Region name. */
  readonly region: string;
  /** Plain HTTP instead of TLS. Only for in-cluster dev stores. */
  readonly insecure: boolean;
  /**
   * It serves HTTPS with a certificate from the platform's CA (MinIO under serving TLS): clients
   * trust `ca.crt` of their own certificate. @default false (public CAs, or plain HTTP)
   */
  readonly platformCa?: boolean;
  /** Path-style addressing (`host/bucket`), which MinIO needs. */
  readonly forcePathStyle: boolean;
  /** How clients authenticate. */
  readonly credentials: StorageCredentials;
  /**
   * What the components declared: buckets, their clients, what they keep. Stores that provision
   * their own buckets (MinIO) create every declared bucket; AWS buckets come from the cdktf side.
   */
  readonly usage: StorageUsage;
  /** Checks that a client in `namespace` can use this store (e.g. it can read the key Secret). */
  checkClientNamespace(namespace: string): RuleResult;
  /**
   * The name of a bucket the library chooses when the user names none (`suggested` is e.g.
   * `thanos-blocks`), or undefined when this store cannot choose one safely: AWS S3 bucket names
   * are global to every account, so there a chosen name carries a prefix or the user names it.
   */
  defaultBucketName(suggested: string): string | undefined;
}

/** Props of an S3 (or S3-compatible) store outside the cluster. */
export interface S3StorageProps {
  /** Region of the buckets. */
  readonly region: string;
  /** `host[:port]` of an S3-compatible service; leave unset for AWS S3. @default the AWS regional endpoint */
  readonly endpoint?: string;
  /** Path-style addressing. @default false */
  readonly forcePathStyle?: boolean;
  /** Plain HTTP. @default false */
  readonly insecure?: boolean;
  /** How clients authenticate: cloud identity or a reference to an existing Secret. */
  readonly credentials: StorageCredentials;
  /**
   * Prefix of every bucket name the library chooses (`<prefix>-thanos-blocks`). On AWS S3 bucket
   * names are global, so without it every component there must be given its bucket names.
   * @default none
   */
  readonly bucketPrefix?: string;
}

/** An S3 store outside the cluster: AWS S3, or any S3-compatible service reached over the network. */
export class S3Storage implements ObjectStorage {
  readonly kind = 's3';
  readonly endpoint?: string;
  readonly region: string;
  readonly insecure: boolean;
  readonly forcePathStyle: boolean;
  readonly credentials: StorageCredentials;
  readonly usage = new StorageUsage();
  readonly bucketPrefix?: string;

  constructor(props: S3StorageProps) {
    const v = new Validator('S3Storage');
    if (v.check(props !== undefined && props !== null, 'props', props, 'are missing', 'give at least region and credentials')) {
      v.check(
        typeof props.region === 'string' && /^[a-z0-9-]+$/.test(props.region),
        'region',
        props.region,
        'is not a region name (every client signs its requests with it)',
        'give the buckets\' region, e.g. "eu-west-1" (MinIO and most S3-compatible services take "us-east-1")',
      );
      v.check(
        props.credentials !== undefined,
        'credentials',
        props.credentials,
        'are required',
        'use Credentials.fromSecret({ name }) for keys in a Secret, or Credentials.fromIrsaRole(roleArn) for cloud identity',
      );
      if (props.endpoint !== undefined) {
        // Thanos and Tempo hand the endpoint to minio-go, which rejects a scheme; TLS is `insecure`'s job.
        v.check(
          /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(props.endpoint),
          'endpoint',
          props.endpoint,
          'is not host[:port] (no scheme, no path)',
          'give host[:port] only, and insecure: true for plain HTTP',
        );
      }
      if (props.bucketPrefix !== undefined) {
        v.check(
          /^[a-z0-9][a-z0-9.-]{0,40}$/.test(props.bucketPrefix) && !/[.-]$/.test(props.bucketPrefix),
          'bucketPrefix',
          props.bucketPrefix,
          'cannot start an S3 bucket name',
          'use lower-case letters, digits and "-", e.g. "acme-prod"',
        );
      }
    }
    v.throwIfAny();
    this.endpoint = props.endpoint;
    this.region = props.region;
    this.insecure = props.insecure ?? false;
    this.forcePathStyle = props.forcePathStyle ?? false;
    this.credentials = props.credentials;
    this.bucketPrefix = props.bucketPrefix;
  }

  defaultBucketName(suggested: string): string | undefined {
    if (this.bucketPrefix) return `${this.bucketPrefix}-${suggested}`;
    // An S3-compatible service of one's own has names of its own; AWS's are shared by every account.
    return this.endpoint !== undefined ? suggested : undefined;
  }

  get endpointHost(): string {
    return this.endpoint ?? `s3.${this.region}.amazonaws.com`;
  }

  checkClientNamespace(namespace: string): RuleResult {
    return secretNamespaceRule(this.credentials, namespace);
  }
}

/** A pod can only read a Secret of its own namespace. */
export function secretNamespaceRule(credentials: StorageCredentials, namespace: string): RuleResult {
  const secretNs = credentials.secret?.namespace;
  if (secretNs !== undefined && secretNs !== namespace) {
    return {
      problem: `uses the key Secret "${credentials.secret?.name}" in namespace "${secretNs}", which pods in "${namespace}" cannot read`,
      fix: `run the component in "${secretNs}" or copy the Secret into "${namespace}"`,
    };
  }
  return undefined;
}
