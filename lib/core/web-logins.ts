import { Construct } from 'constructs';
import { declareExternal } from './external';
import { IMAGES } from './images';
import { k8s } from './k8s';
import { ComponentIdentity } from './names';
import { ContainerDefinition } from './pod';
import { WebConfigFile } from './serving-tls';

/**
 * Logins on a server that reads the Prometheus exporter toolkit's web config (Alertmanager, and
 * alike Prometheus and the exporters): every request must carry one, or it is answered 401.
 */
export interface WebLogins {
  /**
   * A Secret of yours in the component's namespace with an htpasswd file under the key
   * `.htpasswd`: one `user:hash` line per login, bcrypt hashes only (`htpasswd -nbB <user>
   * <password>`), which is all the toolkit checks. Read at pod start: restart the pods after
   * changing it.
   */
  readonly htpasswdSecret: string;
}

/** The key of the htpasswd file in {@link WebLogins.htpasswdSecret}, as in the platform's `entryAuth`. */
export const HTPASSWD_KEY = '.htpasswd';

/** Where the init container reads its inputs. */
const LOGINS_DIR = '/etc/web-logins';
const TLS_PART_DIR = '/etc/web-config-tls';

/** What a pod needs to serve with logins: the container that writes the web config, its volumes, and the mount of the result. */
export interface WebConfigWithLogins {
  /** Writes the web config (the TLS part, if any, and the users) before the server starts. */
  readonly initContainer: ContainerDefinition;
  readonly volumes: readonly k8s.Volume[];
  /** The written web config for the server's container, at {@link WebConfigFile.PATH}. */
  readonly mount: k8s.VolumeMount;
}

/**
 * The web config of a server that requires logins. The toolkit takes its users only inline in the
 * web config, as bcrypt hashes, and no hash may be in the output: an init container (busybox)
 * writes the file at pod start from the user's htpasswd Secret and the TLS part (`tls`, when the
 * server serves HTTPS) into a memory volume. It refuses to start the pod on a Secret without a
 * login or with a hash that is not bcrypt: the toolkit would serve openly, or let no one in.
 */
export function webConfigWithLogins(scope: Construct, identity: ComponentIdentity, logins: WebLogins, tls: WebConfigFile | undefined): WebConfigWithLogins {
  declareExternal(scope, {
    kind: 'Secret',
    namespace: identity.namespace,
    name: logins.htpasswdSecret,
    purpose: `logins on ${identity.name}'s web API and UI: an htpasswd file under "${HTPASSWD_KEY}" with bcrypt hashes (htpasswd -nbB)`,
  });
  const written: k8s.Volume = { name: 'web-config', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } };
  const users: k8s.Volume = { name: 'web-logins', secret: { secretName: logins.htpasswdSecret, items: [{ key: HTPASSWD_KEY, path: 'htpasswd' }] } };
  const tlsPart = tls ? { ...tls.volume, name: 'web-config-tls' } : undefined;
  return {
    initContainer: {
      name: 'web-config',
      image: IMAGES.busybox,
      command: ['/bin/sh', '-c', writeWebConfig(logins.htpasswdSecret, tls !== undefined)],
      volumeMounts: [
        { name: 'web-logins', mountPath: LOGINS_DIR, readOnly: true },
        { name: 'web-config', mountPath: WebConfigFile.DIR },
        ...(tlsPart ? [{ name: tlsPart.name, mountPath: TLS_PART_DIR, readOnly: true }] : []),
      ],
      resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
    },
    volumes: [written, users, ...(tlsPart ? [tlsPart] : [])],
    mount: { name: 'web-config', mountPath: WebConfigFile.DIR, readOnly: true },
  };
}

/**
 * The init container's script: the TLS part as it is, then `basic_auth_users` with one entry per
 * htpasswd line (comments, blank lines and CRLF endings tolerated), each name single-quoted for
 * YAML. Written to a temporary file and moved, so the server never reads half of it.
 */
function writeWebConfig(secretName: string, withTls: boolean): string {
  const out = WebConfigFile.PATH;
  const fail = (why: string) => `{ echo ${JSON.stringify(`web-config: Secret ${secretName}, key ${HTPASSWD_KEY}: ${why}`)} >&2; exit 1; }`;
  return [
    'set -eu',
    `tmp=${out}.tmp`,
    withTls ? `cat ${WebConfigFile.PATH.replace(WebConfigFile.DIR, TLS_PART_DIR)} > "$tmp"` : ': > "$tmp"',
    `echo 'basic_auth_users:' >> "$tmp"`,
    'n=0',
    "cr=$(printf '\\r')",
    'while IFS= read -r line || [ -n "$line" ]; do',
    '  line=${line%"$cr"}',
    "  case $line in ''|'#'*) continue ;; esac",
    '  user=${line%%:*}',
    '  hash=${line#*:}',
    `  case $hash in '$2a$'*|'$2b$'*|'$2y$'*) ;; *) ${fail('a line holds no bcrypt hash (make each with htpasswd -nbB)')} ;; esac`,
    `  printf "  '%s': '%s'\\n" "$(printf %s "$user" | sed "s/'/''/g")" "$hash" >> "$tmp"`,
    '  n=$((n + 1))',
    `done < ${LOGINS_DIR}/htpasswd`,
    `[ "$n" -gt 0 ] || ${fail('holds no login, and a web config without users would let everyone in')}`,
    `mv "$tmp" ${out}`,
  ].join('\n');
}
