/**
 * A credential the output never holds: a Job creates its Secret inside the cluster, with random
 * values, and only the values that are missing. The synthesized YAML stays the same on every synth
 * (GitOps keeps diffing cleanly) and carries no secret value; re-running the Job never rotates a
 * credential under the programs that use it.
 */
import { Construct } from 'constructs';
import { guardNameCollisions } from './collisions';
import { IMAGES, imageVersion } from './images';
import { k8s } from './k8s';
import { ComponentIdentity, OWN_PREFIX } from './names';
import { jobSpecHash } from './job-name';
import { podNetworkPolicy } from './network-policy';
import { SchedulingOptions, restrictedPodTemplate } from './pod';

/** Annotation on a generated Secret: what it is for and what to use instead in production. */
export const GENERATED_SECRET_ANNOTATION = `${OWN_PREFIX}/generated`;

/** A value of a generated Secret: random bytes (written as hex), or a fixed value that is no secret (a user name). */
export type GeneratedValue = { readonly randomBytes: number } | { readonly fixed: string };

/** Props of {@link GeneratedSecret}. */
export interface GeneratedSecretProps {
  /** The component whose Secret it is: the generator's objects are its `secret-generator` sibling. */
  readonly identity: ComponentIdentity;
  /** Name of the Secret. */
  readonly name: string;
  /** Its keys and how each value is made. */
  readonly values: Readonly<Record<string, GeneratedValue>>;
  /** What it holds and what to use instead, written to the Secret's annotation. */
  readonly note: string;
  /** Where the Job's pod may run. @default spread like the component's pods */
  readonly scheduling?: SchedulingOptions;
}

/** The uid the generator runs as (nobody): it needs no file it does not create. */
const GENERATOR_UID = 65534;
const FIELD_MANAGER = 'obs-platform-secret-generator';

/**
 * A Secret made in the cluster by a Job: a shell step mounts the Secret if it exists, keeps every
 * value it has, draws the missing ones from `/dev/urandom`, and writes the whole Secret; kubectl
 * then applies it server-side. The Job's ServiceAccount may only read and write that one Secret
 * (plus create Secrets, which RBAC cannot limit by name). Read a value with
 * `kubectl get secret <name> -o jsonpath='{.data.<key>}' | base64 -d`; rotate by deleting the
 * Secret and re-running the Job, then restarting the pods that use it.
 */
export class GeneratedSecret extends Construct {
  /** The name of the Secret the Job makes. */
  readonly secretName: string;
  readonly job: k8s.KubeJob;
  readonly role: k8s.KubeRole;

  constructor(scope: Construct, id: string, props: GeneratedSecretProps) {
    super(scope, id);
    guardNameCollisions(this);
    this.secretName = props.name;
    // `minio-credentials` is made by `minio-credentials-generator`.
    const prefix = `${props.identity.instance}-`;
    const what = props.name.startsWith(prefix) ? props.name.slice(prefix.length) : props.name;
    const identity = props.identity.sibling(`${what}-generator`, imageVersion(IMAGES.kubectl));
    const namespace = identity.namespace;
    const metadata = { name: identity.name, namespace, labels: identity.labels };

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: false });
    this.role = new k8s.KubeRole(this, 'Role', {
      metadata,
      rules: [
        // Server-side apply creates the Secret when it is missing; create cannot be limited by name.
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        { apiGroups: [''], resources: ['secrets'], resourceNames: [props.name], verbs: ['get', 'patch'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: identity.name },
      subjects: [{ kind: 'ServiceAccount', name: identity.name, namespace }],
    });

    const template = restrictedPodTemplate({
      identity,
      replicas: 1,
      podIdentity: { runAsUser: GENERATOR_UID, runAsGroup: GENERATOR_UID, fsGroup: GENERATOR_UID },
      restartPolicy: 'OnFailure',
      serviceAccountName: identity.name,
      automountServiceAccountToken: true,
      scheduling: props.scheduling,
      volumes: [
        // The Secret as it is, when it exists: its values are kept.
        { name: 'current', secret: { secretName: props.name, optional: true } },
        { name: 'out', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
      ],
      initContainers: [
        {
          name: 'values',
          image: IMAGES.busybox,
          command: ['/bin/sh', '-c', secretScript(props, identity)],
          volumeMounts: [
            { name: 'current', mountPath: '/current', readOnly: true },
            { name: 'out', mountPath: '/out' },
          ],
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
        },
      ],
      containers: [
        {
          name: 'apply',
          image: IMAGES.kubectl,
          args: ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--filename=/out/secret.json'],
          env: [{ name: 'HOME', value: '/tmp' }],
          volumeMounts: [{ name: 'out', mountPath: '/out', readOnly: true }],
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
        },
      ],
    });
    const spec = { backoffLimit: 6, activeDeadlineSeconds: 600, template };
    this.job = new k8s.KubeJob(this, 'Job', { metadata: { ...metadata, name: `${identity.name}-${jobSpecHash(spec)}` }, spec });
    podNetworkPolicy(this, 'NetworkPolicy', { name: identity.name, namespace, podSelector: identity.selector, labels: identity.labels });
  }
}

/**
 * The shell step (busybox): each value from the mounted Secret when it has one, else random hex,
 * written base64-encoded into the Secret the next step applies. Nothing it writes is logged.
 */
function secretScript(props: GeneratedSecretProps, identity: ComponentIdentity): string {
  const metadata = JSON.stringify({
    name: props.name,
    namespace: identity.namespace,
    labels: props.identity.labels,
    annotations: { [GENERATED_SECRET_ANNOTATION]: props.note },
  });
  const keys = Object.keys(props.values);
  const functions = keys.map((key) => {
    const how = props.values[key];
    const made = 'fixed' in how ? `printf %s ${quote(how.fixed)}` : `head -c ${how.randomBytes} /dev/urandom | od -An -v -tx1 | tr -d ' \\n'`;
    return `value_${safe(key)}() { if [ -e ${quote(`/current/${key}`)} ]; then cat ${quote(`/current/${key}`)}; else ${made}; fi; }`;
  });
  const entries = keys.map((key, i) => `  printf '${i > 0 ? ',' : ''}"%s":"%s"' ${quote(key)} "$(value_${safe(key)} | base64 | tr -d '\\n')"`);
  return [
    'set -eu',
    'umask 077',
    ...functions,
    '{',
    `  printf '%s' ${quote(`{"apiVersion":"v1","kind":"Secret","type":"Opaque","metadata":${metadata},"data":{`)}`,
    ...entries,
    "  printf '}}\\n'",
    '} > /out/secret.json',
  ].join('\n');
}

/** A string as one single-quoted shell word. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A key as a shell function name. */
function safe(key: string): string {
  return key.replace(/[^A-Za-z0-9_]/g, '_');
}
