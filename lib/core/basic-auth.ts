import { k8s } from './k8s';
import { RuleResult } from './errors';

/**
 * HTTP basic-auth credentials a client sends, by reference: the password stays in a Secret the
 * user keeps, and only its name and key appear in the output. Servers that require basic auth
 * (the Loki gateway) make these for their clients; clients take them from the server's endpoint.
 */
export interface BasicAuthCredential {
  /** The user name sent (for the Loki gateway: the tenant id). */
  readonly username: string;
  /** The Secret holding the password in plain text. */
  readonly passwordSecret: { readonly name: string; readonly key: string };
  /** Namespace of that Secret: a pod can only read Secrets of its own namespace. */
  readonly namespace: string;
  /**
   * The key of the same Secret that holds the user name too, for clients that take it only from a
   * Secret (a prometheus-operator ServiceMonitor's `basicAuth`).
   * @default none: such clients cannot use the credential
   */
  readonly usernameKey?: string;
}

/** The env var that carries the password into a client container. */
export function basicAuthPasswordEnv(name: string, credential: BasicAuthCredential): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: credential.passwordSecret.name, key: credential.passwordSecret.key } } };
}

/** A client in `namespace` can only read the password Secret when it is in the same namespace. */
export function credentialNamespaceRule(credential: BasicAuthCredential | undefined, namespace: string): RuleResult {
  if (!credential || credential.namespace === namespace) return undefined;
  return {
    problem: `takes its password from Secret "${credential.passwordSecret.name}" in namespace "${credential.namespace}", which pods in "${namespace}" cannot read`,
    fix: `run the client in "${credential.namespace}", or copy the Secret into "${namespace}" and point the credential at the copy`,
  };
}

/** Where clients that read a password from a file mount the Secrets of their credentials. */
const PASSWORD_FILES_DIR = '/etc/basic-auth';

/** The file a client reads a credential's password from, once {@link passwordFileVolumes} mounts it. */
export function passwordFile(credential: BasicAuthCredential): string {
  return `${PASSWORD_FILES_DIR}/${credential.passwordSecret.name}/${credential.passwordSecret.key}`;
}

/** A credential in the `basic_auth` form of Prometheus' HTTP client (Prometheus, Thanos, vmagent): the password from its file. */
export function basicAuthBlock(credential: BasicAuthCredential): { readonly username: string; readonly password_file: string } {
  return { username: credential.username, password_file: passwordFile(credential) };
}

/**
 * The volumes and mounts that put each credential's password at {@link passwordFile}: one volume
 * per Secret, holding only the keys the credentials name.
 */
export function passwordFileVolumes(credentials: ReadonlyArray<BasicAuthCredential | undefined>): {
  readonly volumes: k8s.Volume[];
  readonly mounts: k8s.VolumeMount[];
} {
  const keys = new Map<string, Set<string>>();
  for (const c of credentials) if (c) keys.set(c.passwordSecret.name, (keys.get(c.passwordSecret.name) ?? new Set()).add(c.passwordSecret.key));
  const secrets = [...keys.entries()];
  return {
    volumes: secrets.map(([secretName, ks], i) => ({
      name: `basic-auth-${i}`,
      secret: { secretName, items: [...ks].map((key) => ({ key, path: key })), defaultMode: 0o440 },
    })),
    mounts: secrets.map(([secretName], i) => ({ name: `basic-auth-${i}`, mountPath: `${PASSWORD_FILES_DIR}/${secretName}`, readOnly: true })),
  };
}
