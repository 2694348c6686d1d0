import { Construct } from 'constructs';
import { Lazy } from 'cdk8s';
import { k8s } from '../core/k8s';
import { Validator } from '../core/errors';
import { IMAGES, imageVersion } from '../core/images';
import { jobNamedBySpec } from '../core/job-name';
import { GeneratedSecret } from '../core/generated-secret';
import { ComponentIdentity } from '../core/names';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { httpProbe, restrictedPodTemplate } from '../core/pod';
import { ACCESS_KEY_ENV, Credentials, SECRET_KEY_ENV, StorageCredentials } from './credentials';
import { InClusterObjectStore, checkInClusterStoreProps, generateStoreKeys, storeKeyEnv } from './in-cluster-store';
import { clusterDomainOf } from '../core/cluster-domain';
import { ServingCertificate, ownCertificate } from '../core/serving-tls';
import { bucketSetupScript } from './seaweedfs-buckets';

/** Props of {@link SeaweedFs}. */
export interface SeaweedFsProps extends WorkloadOptions {
  /** Namespace of the store and of every client that uses its credentials Secret. */
  readonly namespace: string;
  /** Instance name; objects are named `<name>`, `<name>-headless`, `<name>-credentials`. @default "seaweedfs" */
  readonly name?: string;
  /** Size of the data volume: objects, their previous versions and the metadata. @default "20Gi" */
  readonly storageSize?: string;
  /** Storage class of the data volume. @default the cluster default */
  readonly storageClass?: string;
  /** Region clients sign their requests with; SeaweedFS accepts any. @default "us-east-1" */
  readonly region?: string;
  /**
   * Use keys from a Secret you create (keys `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) instead
   * of generating them.
   * @default random keys, made in the cluster by a Job when the Secret `<name>-credentials` is missing (never in the output)
   */
  readonly existingSecret?: string;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
  /**
   * Keep previous versions of every object (S3 versioning), so an object deleted or overwritten by
   * mistake can be restored. `false` keeps only the current version.
   * @default true
   */
  readonly versioning?: boolean;
  /**
   * Days a previous version (and a delete marker's object) is kept before the store removes it,
   * so that compactions, which rewrite and delete all day long, do not fill the volume. As on AWS.
   * @default 7
   */
  readonly noncurrentVersionDays?: number;
}

/** The S3 port: SeaweedFS' own default. */
const S3_PORT = 8333;
/** uid/gid of the `seaweed` user the image makes (its entrypoint, which starts as root, is not used). */
const SEAWEED_UID = 1000;
/** Where the server reads its certificate with serving TLS. */
const CERTS_DIR = '/etc/seaweedfs-tls';
/** Where the bucket Job finds the CA that signs the server's certificate. */
const JOB_CA_DIR = '/etc/seaweedfs-ca';

/**
 * SeaweedFS (Apache-2.0) in the cluster: the embedded object store of the default platform, for
 * clusters with no cloud account. One replica of `weed mini` (master, volume server, filer and S3
 * gateway in one process, upstream's mode for small and development setups) on one volume,
 * generated credentials, and a Job that creates every bucket its clients declare, with versioning
 * on and an expiry of previous versions. Not for production data: it has no redundancy.
 */
export class SeaweedFs extends InClusterObjectStore {
  readonly kind = 'seaweedfs';
  readonly region: string;
  /** Plain HTTP, unless serving TLS is on where it is made. */
  readonly insecure: boolean;
  /** With serving TLS it serves HTTPS from a certificate of the platform's CA, which its clients trust. */
  readonly platformCa: boolean;
  readonly credentials: StorageCredentials;
  /** `seaweedfs.<ns>.svc.<domain>:8333`. */
  readonly endpoint: string;
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly service: k8s.KubeService;
  readonly headlessService: k8s.KubeService;
  /** The Job that makes the credentials Secret in the cluster, unless `existingSecret` was given. */
  readonly credentialsGenerator?: GeneratedSecret;
  /** The Job that creates every bucket and sets its versioning and expiry of previous versions. */
  readonly bucketJob: k8s.KubeJob;
  private readonly resolved: ResolvedSeaweedFs;
  private readonly certificate?: ServingCertificate;

  constructor(scope: Construct, id: string, props: SeaweedFsProps) {
    super(scope, id);
    const r = (this.resolved = resolveSeaweedFs(this, props));
    this.validate(props, r.name);
    this.identity = r.identity;
    this.region = r.region;
    this.endpoint = `${this.identity.serviceHost(r.name, r.clusterDomain)}:${S3_PORT}`;
    // The keys sign every request, but the data crosses the network too: with serving TLS, HTTPS only.
    this.certificate = ownCertificate(this, this.identity, { names: [r.name], headless: [`${r.name}-headless`] });
    this.insecure = this.certificate === undefined;
    this.platformCa = this.certificate !== undefined;

    this.credentials = Credentials.fromSecret({ name: r.secretName, namespace: props.namespace, managed: !props.existingSecret });
    if (!props.existingSecret) {
      const note = 'SeaweedFS admin keys made in the cluster by the library; give existingSecret to bring your own';
      this.credentialsGenerator = generateStoreKeys(this, this.identity, r.secretName, note, props.scheduling);
    }
    const ports = [{ name: 's3', port: S3_PORT }];
    this.headlessService = createService(this, 'Headless', {
      identity: this.identity,
      name: `${r.name}-headless`,
      headless: true,
      publishNotReadyAddresses: true,
      ports,
    });
    this.service = createService(this, 'Service', { identity: this.identity, name: r.name, ports });
    createServiceAccount(this, 'ServiceAccount', this.identity, r.name);
    this.workload = this.emitServer(props);
    this.bucketJob = this.emitBucketJob(props);
  }

  private validate(props: SeaweedFsProps, name: string): void {
    const v = new Validator(this);
    checkInClusterStoreProps(v, props, name, IMAGES.seaweedfs);
    const days = props.noncurrentVersionDays;
    if (days !== undefined) {
      v.check(
        Number.isInteger(days) && days >= 1,
        'noncurrentVersionDays',
        days,
        'is not a whole number of days of at least 1',
        'give how many days previous versions stay restorable, e.g. 7',
      );
      v.check(
        props.versioning !== false,
        'noncurrentVersionDays',
        days,
        'is set while versioning is false, so there are no previous versions to keep',
        'remove noncurrentVersionDays, or turn versioning on',
      );
    }
    v.throwIfAny();
  }

  /** SeaweedFS takes these two as the admin identity of its S3 gateway when no IAM config is given. */
  private keyEnv(): k8s.EnvVar[] {
    return storeKeyEnv(this.credentials, ACCESS_KEY_ENV, SECRET_KEY_ENV);
  }

  private emitServer(props: SeaweedFsProps): Workload {
    const { name, image, storageSize, defaultResources } = this.resolved;
    const cert = this.certificate;
    const tls = cert ? [`-s3.cert.file=${CERTS_DIR}/tls.crt`, `-s3.key.file=${CERTS_DIR}/tls.key`] : [];
    return new Workload(this, 'Server', {
      kind: 'StatefulSet',
      identity: this.identity,
      serviceName: `${name}-headless`,
      replicas: 1,
      podIdentity: { runAsUser: SEAWEED_UID, runAsGroup: SEAWEED_UID, fsGroup: SEAWEED_UID },
      serviceAccountName: name,
      // Lets the filer and the volume server flush before the volume is detached.
      terminationGracePeriodSeconds: 60,
      ...podOptions(props),
      volumeClaims: [{ name: 'data', size: storageSize, storageClass: props.storageClass }],
      volumes: cert ? [{ name: 'tls', secret: { secretName: cert.secretName } }] : [],
      containers: [
        withOptions(props, {
          name: 'seaweedfs',
          image,
          // The binary itself: the image's entrypoint starts as root to chown /data, which
          // "restricted" forbids; fsGroup gives the volume to the pod's group instead.
          command: ['/usr/bin/weed'],
          args: [
            '-logtostderr=true',
            'mini',
            '-dir=/data',
            // One process: its parts find each other on loopback, whatever the pod's address.
            '-ip=127.0.0.1',
            '-ip.bind=0.0.0.0',
            `-s3.port=${S3_PORT}`,
            ...tls,
            // Buckets come from the Job, from what the components declared: a bucket no component
            // declared is a typo, refused as AWS would refuse it. (Not -bucket=: the list would
            // restart the store whenever a component is added.)
            '-s3.autoCreateBucket=false',
            // Only the S3 API: no WebDAV, admin UI, Iceberg or Lance endpoints, and no usage report home.
            '-webdav=false',
            '-admin.ui=false',
            '-s3.port.iceberg=0',
            '-s3.port.lance=0',
            '-master.telemetry=false',
          ],
          env: this.keyEnv(),
          ports: [{ name: 's3', containerPort: S3_PORT }],
          volumeMounts: [{ name: 'data', mountPath: '/data' }, ...(cert ? [{ name: 'tls', mountPath: CERTS_DIR, readOnly: true }] : [])],
          readinessProbe: httpProbe('/healthz', 's3', { initialDelaySeconds: 5, scheme: cert ? 'HTTPS' : 'HTTP' }),
          livenessProbe: httpProbe('/healthz', 's3', { initialDelaySeconds: 30, periodSeconds: 20, scheme: cert ? 'HTTPS' : 'HTTP' }),
          defaultResources,
        }),
      ],
    });
  }

  /**
   * A Job, named by its spec, that waits for the S3 API, creates every declared bucket that does
   * not exist yet and sets its versioning and the expiry of previous versions,
   * all through the S3 API with curl's SigV4 signing (the image is alpine with curl).
   */
  private emitBucketJob(props: SeaweedFsProps): k8s.KubeJob {
    const { name, clusterDomain, image } = this.resolved;
    const jobIdentity = this.identity.sibling('buckets', imageVersion(image));
    const cert = this.certificate;
    const url = `${cert ? 'https' : 'http'}://${this.identity.serviceHost(name, clusterDomain)}:${S3_PORT}`;
    const script = () =>
      bucketSetupScript({
        url,
        region: this.region,
        buckets: this.buckets,
        caFile: cert ? `${JOB_CA_DIR}/ca.crt` : undefined,
        versioning: this.resolved.versioning,
        noncurrentVersionDays: this.resolved.noncurrentVersionDays,
      });
    const template = restrictedPodTemplate({
      identity: jobIdentity,
      replicas: 1,
      podIdentity: { runAsUser: SEAWEED_UID, runAsGroup: SEAWEED_UID, fsGroup: SEAWEED_UID },
      restartPolicy: 'OnFailure',
      scheduling: props.scheduling,
      volumes: cert ? [{ name: 'ca', secret: { secretName: cert.secretName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] : undefined,
      containers: [
        {
          name: 'buckets',
          image,
          command: ['/bin/sh', '-c'],
          args: [Lazy.any({ produce: script }) as unknown as string],
          env: this.keyEnv(),
          volumeMounts: cert ? [{ name: 'ca', mountPath: JOB_CA_DIR, readOnly: true }] : undefined,
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
        },
      ],
    });
    return jobNamedBySpec(this, 'Buckets', jobIdentity, { backoffLimit: 6, activeDeadlineSeconds: 900, template });
  }
}

/** Every prop of a SeaweedFS with its default filled in. */
type ResolvedSeaweedFs = ReturnType<typeof resolveSeaweedFs>;

/** Fills in every default, in one place. */
function resolveSeaweedFs(scope: Construct, props: SeaweedFsProps) {
  const name = props.name ?? 'seaweedfs';
  const image = props.image ?? IMAGES.seaweedfs;
  const versioning = props.versioning ?? true;
  return {
    name,
    image,
    identity: new ComponentIdentity({ app: 'seaweedfs', instance: name, component: 'server', namespace: props.namespace, version: imageVersion(image) }),
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
    region: props.region ?? 'us-east-1',
    secretName: props.existingSecret ?? `${name}-credentials`,
    storageSize: props.storageSize ?? '20Gi',
    versioning,
    noncurrentVersionDays: versioning ? (props.noncurrentVersionDays ?? 7) : undefined,
    defaultResources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '2Gi' } },
  };
}
