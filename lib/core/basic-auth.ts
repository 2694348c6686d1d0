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
