import { Construct } from 'constructs';
import { Lazy } from 'cdk8s';
import { k8s } from '../core/k8s';
import { Validator } from '../core/errors';
import { IMAGES, ImageRef, imageVersion } from '../core/images';
import { jobNamedBySpec } from '../core/job-name';
import { GeneratedSecret } from '../core/generated-secret';
import { ComponentIdentity } from '../core/names';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { httpProbe, restrictedPodTemplate } from '../core/pod';
import { Credentials, StorageCredentials } from './credentials';
import { InClusterObjectStore, checkInClusterStoreProps, generateStoreKeys, storeKeyEnv } from './in-cluster-store';
import { checkWorkloadOptions } from '../core/check-options';
import { clusterDomainOf } from '../core/cluster-domain';
import { ServingCertificate, ownCertificate } from '../core/serving-tls';

/** Annotation that marks objects fit only for development. */

/** Props of {@link Minio}. */
export interface MinioProps extends WorkloadOptions {
  /** Namespace of MinIO and of every client that uses its credentials Secret. */
  readonly namespace: string;
  /** Instance name; objects are named `<name>`, `<name>-headless`, `<name>-credentials`. @default "minio" */
  readonly name?: string;
  /** Size of the data volume. @default "20Gi" */
  readonly storageSize?: string;
  /** Storage class of the data volume. @default the cluster default */
  readonly storageClass?: string;
  /** Region clients are told to use; MinIO accepts any. @default "us-east-1" */
  readonly region?: string;
  /**
   * Use keys from a Secret you create (keys `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) instead
   * of generating them.
   * @default random keys, made in the cluster by a Job when the Secret `<name>-credentials` is missing (never in the output)
   */
  readonly existingSecret?: string;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
  /** Image of the bucket-creating Job. @default the pinned `mc` image */
  readonly clientImage?: ImageRef;
}

const API_PORT = 9000;
/** Where MinIO reads its certificate with serving TLS. */
const CERTS_DIR = '/etc/minio/certs';
/** Where the bucket Job finds the CA that signs MinIO's certificate. */
const JOB_CA_DIR = '/etc/minio-ca';
const CONSOLE_PORT = 9001;
/** uid/gid of the MinIO chart's pods; the image itself declares no user. */
const MINIO_UID = 1000;

/**
 * MinIO in the cluster: the embedded object store of the default platform, for clusters with no
 * cloud account. One replica on one volume, generated credentials, and a Job that creates every
 * bucket its clients declare. Not for production data: it has no redundancy.
 */
export class Minio extends InClusterObjectStore {
  readonly kind = 'minio';
  readonly region: string;
  /** Plain HTTP, unless serving TLS is on where it is made. */
  readonly insecure: boolean;
  /** With serving TLS it serves HTTPS from a certificate of the platform's CA, which its clients trust. */
  readonly platformCa: boolean;
  readonly credentials: StorageCredentials;
  /** `minio.<ns>.svc.<domain>:9000`. */
  readonly endpoint: string;
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly service: k8s.KubeService;
  readonly headlessService: k8s.KubeService;
  /** The Job that makes the credentials Secret in the cluster, unless `existingSecret` was given. */
  readonly credentialsGenerator?: GeneratedSecret;
  readonly bucketJob: k8s.KubeJob;
  private readonly resolved: ResolvedMinio;
  /** Its certificate, with serving TLS. */
  private readonly certificate?: ServingCertificate;

  constructor(scope: Construct, id: string, props: MinioProps) {
    super(scope, id);
    const r = (this.resolved = resolveMinio(this, props));
    const { name, clusterDomain } = r;
    this.validate(props, name);
    this.identity = r.identity;
    this.region = r.region;
    this.endpoint = `${this.identity.serviceHost(name, clusterDomain)}:${API_PORT}`;
    // The root keys cross the network on every request: with serving TLS, only over HTTPS.
    this.certificate = ownCertificate(this, this.identity, { names: [name], headless: [`${name}-headless`] });
    this.insecure = this.certificate === undefined;
    this.platformCa = this.certificate !== undefined;

    this.credentials = Credentials.fromSecret({ name: r.secretName, namespace: props.namespace, managed: !props.existingSecret });
    if (!props.existingSecret) {
      const note = 'MinIO root keys made in the cluster by the library; give existingSecret to bring your own';
      this.credentialsGenerator = generateStoreKeys(this, this.identity, r.secretName, note, props.scheduling);
    }

    this.headlessService = createService(this, 'Headless', {
      identity: this.identity,
      name: `${name}-headless`,
      headless: true,
      publishNotReadyAddresses: true,
      ports: [{ name: 'api', port: API_PORT }],
    });
    this.service = createService(this, 'Service', {
      identity: this.identity,
      name,
      ports: [
        { name: 'api', port: API_PORT },
        { name: 'console', port: CONSOLE_PORT },
      ],
    });
    createServiceAccount(this, 'ServiceAccount', this.identity, name);
    this.workload = this.emitServer(props);
    this.bucketJob = this.emitBucketJob(props);
  }

  private validate(props: MinioProps, name: string): void {
    const v = new Validator(this);
    checkInClusterStoreProps(v, props, name, IMAGES.minio);
    if (props.clientImage) checkWorkloadOptions(v, 'client', { image: props.clientImage }, IMAGES.minioClient);
    v.throwIfAny();
  }

  private rootEnv(): k8s.EnvVar[] {
    return storeKeyEnv(this.credentials, 'MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD');
  }

  private emitServer(props: MinioProps): Workload {
    const { name, image, defaultResources } = this.resolved;
    const cert = this.certificate;
    // MinIO reads public.crt, private.key and CAs/ from its certs dir, and reloads them when they change.
    const certs: k8s.Volume[] = cert
      ? [
          {
            name: 'certs',
            secret: {
              secretName: cert.secretName,
              items: [
                { key: 'tls.crt', path: 'public.crt' },
                { key: 'tls.key', path: 'private.key' },
                { key: 'ca.crt', path: 'CAs/ca.crt' },
              ],
            },
          },
        ]
      : [];
    const scheme = cert ? 'HTTPS' : 'HTTP';
    return new Workload(this, 'Server', {
      kind: 'StatefulSet',
      identity: this.identity,
      serviceName: `${name}-headless`,
      replicas: 1,
      podIdentity: { runAsUser: MINIO_UID, runAsGroup: MINIO_UID, fsGroup: MINIO_UID },
      serviceAccountName: name,
      terminationGracePeriodSeconds: 60,
      ...podOptions(props),
      volumeClaims: [{ name: 'data', size: this.resolved.storageSize, storageClass: props.storageClass }],
      volumes: certs,
      containers: [
        withOptions(props, {
          name: 'minio',
          image,
          // The certs dir defaults to $HOME/.minio/certs, which a read-only root cannot hold.
          args: ['server', '/data', `--address=:${API_PORT}`, `--console-address=:${CONSOLE_PORT}`, `--certs-dir=${cert ? CERTS_DIR : '/tmp/certs'}`],
          env: [...this.rootEnv(), { name: 'HOME', value: '/tmp' }, { name: 'MINIO_SITE_REGION', value: this.region }],
          ports: [
            { name: 'api', containerPort: API_PORT },
            { name: 'console', containerPort: CONSOLE_PORT },
          ],
          volumeMounts: [{ name: 'data', mountPath: '/data' }, ...(cert ? [{ name: 'certs', mountPath: CERTS_DIR, readOnly: true }] : [])],
          readinessProbe: httpProbe('/minio/health/ready', 'api', { initialDelaySeconds: 5, scheme }),
          livenessProbe: httpProbe('/minio/health/live', 'api', { initialDelaySeconds: 30, periodSeconds: 20, scheme }),
          defaultResources,
        }),
      ],
    });
  }

  /**
   * A Job that creates the declared buckets. A Job's pod template cannot change once created, so
   * its name carries a hash of its whole spec: a new bucket list, image, label or scheduling rule is
   * a new Job, and `kubectl apply` of an upgrade never meets an immutable template. (A hash of the
   * bucket list alone let the API server refuse upgrades that only changed the pod template.)
   */
  private emitBucketJob(props: MinioProps): k8s.KubeJob {
    const { name, clusterDomain, clientImage } = this.resolved;
    const jobIdentity = this.identity.sibling('make-buckets', imageVersion(clientImage));
    const cert = this.certificate;
    const url = `${cert ? 'https' : 'http'}://${this.identity.serviceHost(name, clusterDomain)}:${API_PORT}`;
    const script = () =>
      [
        'set -eu',
        'mc="mc --config-dir /tmp/.mc"',
        // mc trusts the CAs in its config dir: MinIO's certificate comes from the platform's CA.
        ...(cert ? [`mkdir -p /tmp/.mc/certs/CAs && cp ${JOB_CA_DIR}/ca.crt /tmp/.mc/certs/CAs/platform-ca.crt`] : []),
        'tries=0',
        `until $mc alias set local ${url} "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"; do`,
        '  tries=$((tries + 1)); [ "$tries" -ge 60 ] && exit 1; sleep 5',
        'done',
        ...this.buckets.map((b) => `$mc mb --ignore-existing local/${b}`),
      ].join('\n');
    const template = restrictedPodTemplate({
      identity: jobIdentity,
      replicas: 1,
      podIdentity: { runAsUser: MINIO_UID, runAsGroup: MINIO_UID, fsGroup: MINIO_UID },
      restartPolicy: 'OnFailure',
      scheduling: props.scheduling,
      volumes: cert ? [{ name: 'ca', secret: { secretName: cert.secretName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] : undefined,
      containers: [
        {
          name: 'mc',
          image: clientImage,
          command: ['/bin/sh', '-c'],
          args: [Lazy.any({ produce: script }) as unknown as string],
          env: this.rootEnv(),
          volumeMounts: cert ? [{ name: 'ca', mountPath: JOB_CA_DIR, readOnly: true }] : undefined,
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
        },
      ],
    });
    const spec = { backoffLimit: 6, activeDeadlineSeconds: 900, template };
    // Named at synth, when every bucket is declared: the script is a lazy value inside the spec.
    return jobNamedBySpec(this, 'MakeBuckets', jobIdentity, spec);
  }
}

/** Every prop of a MinIO with its default filled in. */
type ResolvedMinio = ReturnType<typeof resolveMinio>;

/** Fills in every default, in one place. */
function resolveMinio(scope: Construct, props: MinioProps) {
  const name = props.name ?? 'minio';
  const image = props.image ?? IMAGES.minio;
  return {
    name,
    image,
    clientImage: props.clientImage ?? IMAGES.minioClient,
    identity: new ComponentIdentity({ app: 'minio', instance: name, component: 'server', namespace: props.namespace, version: imageVersion(image) }),
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
    region: props.region ?? 'us-east-1',
    secretName: props.existingSecret ?? `${name}-credentials`,
    storageSize: props.storageSize ?? '20Gi',
    defaultResources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '2Gi' } },
  };
}
