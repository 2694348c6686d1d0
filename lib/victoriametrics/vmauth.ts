import { PLATFORM_CA_FILE, checkPlatformTrust } from '../core/serving-tls';
import { Construct } from 'constructs';
import { checkReplicas, checkWorkloadOptions } from '../core/check-options';
import { ConfigFile, renderYaml } from '../core/config-file';
import { Validator } from '../core/errors';
import { declareExternal } from '../core/external';
import { IMAGES } from '../core/images';
import { k8s } from '../core/k8s';
import { ComponentIdentity } from '../core/names';
import { dnsLabel } from '../core/rules';
import { ScrapeTarget } from '../core/scrape-target';
import { Workload } from '../core/workload';
import { VM_PORT_NAMES, VmComponentOptions, VmPlacement, vmIdentity } from './common';
import { vmHttps, vmScrapeTarget, vmServices, vmWorkload } from './component';
import type { VictoriaMetricsCluster } from './cluster';
import { VmTenant, tenantRule } from './tenant';

/** What a vmauth user may do: write samples, read them, or delete series. */
export type VmAuthAccess = 'write' | 'read' | 'delete';

/** One login of vmauth: a tenant's writer, reader or both. */
export interface VmAuthUser {
  /** The basic-auth user name. */
  readonly username: string;
  /** The key of `credentialsSecret` that holds this user's password. */
  readonly passwordKey: string;
  /** The tenant every request of this user goes to (it cannot name another). */
  readonly tenant: VmTenant;
  /**
   * What the user may do. `delete` admits `/api/v1/admin/tsdb/delete_series`, which removes data
   * for good: give it to an admin login only.
   * @default ["write", "read"]
   */
  readonly access?: readonly VmAuthAccess[];
}

/** Props of {@link VmAuth}. */
export interface VmAuthProps extends VmComponentOptions {
  /** The cluster it fronts; vmauth runs in its namespace. */
  readonly cluster: VictoriaMetricsCluster;
  /** The logins, one or more per tenant. */
  readonly users: readonly VmAuthUser[];
  /** A Secret you create with every user's password, under the keys the users name. */
  readonly credentialsSecret: string;
  /** Pods; stateless. @default 2 */
  readonly replicas?: number;
}

/** vmauth's HTTP port: the proxy, `/metrics` and `/health`. */
export const VMAUTH_PORT = 8427;
const CONFIG_DIR = '/etc/vmauth';
const CONFIG_FILE = 'auth.yml';
/** OTLP metrics, which vminsert takes beside the Prometheus paths of a tenant. */
const OTLP_PATH = '/opentelemetry/v1/metrics';

/** The request paths each access admits (vmauth matches the whole path), and where they go. */
const ROUTES: Readonly<Record<VmAuthAccess, readonly string[]>> = {
  write: ['/api/v1/write', '/api/v1/import', '/api/v1/import/.+'],
  read: [
    '/api/v1/query',
    '/api/v1/query_range',
    '/api/v1/query_exemplars',
    '/api/v1/series',
    '/api/v1/labels',
    '/api/v1/label/[^/]+/values',
    '/api/v1/metadata',
    '/api/v1/status/buildinfo',
    '/api/v1/status/tsdb',
  ],
  delete: ['/api/v1/admin/tsdb/delete_series'],
};

/**
 * vmauth in front of a VictoriaMetrics cluster: each login is bound to one tenant, and may only
 * reach the paths of what it may do (write, read, delete). The tenant comes from the login, never
 * from the URL a client asks for; a path no route of the login admits (another tenant's, the
 * delete API, vmselect's admin pages) is refused. Passwords stay in the user's Secret and reach
 * the config as environment variables, which vmauth expands (`%{VAR}`). Clients outside the
 * platform are admitted here, not to vminsert and vmselect.
 */
export class VmAuth extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly service: k8s.KubeService;
  readonly config: ConfigFile;
  readonly scrapeTarget: ScrapeTarget;
  /** `http://<service>:8427`: clients append `/api/v1/write`, `/api/v1/query`, ... */
  readonly url: string;

  constructor(scope: Construct, id: string, props: VmAuthProps) {
    super(scope, id);
    const cluster = props.cluster;
    const placement: VmPlacement = cluster.placement;
    const image = props.image ?? IMAGES.vmauth;
    validateVmAuth(this, props);
    this.identity = vmIdentity(placement, 'vmauth', image);
    const domain = cluster.clusterDomain;
    const env = props.users.map((u, i) => ({ name: passwordVar(i), valueFrom: { secretKeyRef: { name: props.credentialsSecret, key: u.passwordKey } } }));
    this.config = new ConfigFile(this, 'Config', {
      identity: this.identity,
      name: `${this.identity.name}-config`,
      files: { [CONFIG_FILE]: renderYaml({ users: props.users.map((u, i) => userConfig(cluster, u, i)) }) },
    });
    declareExternal(this, {
      kind: 'Secret',
      namespace: placement.namespace,
      name: props.credentialsSecret,
      purpose: `vmauth passwords (keys ${props.users.map((u) => u.passwordKey).join(', ')})`,
    });
    this.service = vmServices(this, this.identity, [{ name: VM_PORT_NAMES.http, port: VMAUTH_PORT }]).service!;
    // The tenants' logins cross the network: with serving TLS, only over HTTPS.
    const https = vmHttps(this, this.identity);
    // Backends serving HTTPS are trusted by the CA of vmauth's own certificate.
    const backendsHttps = cluster.vminsert.https || cluster.vmselect.https;
    const v = new Validator(this);
    checkPlatformTrust(v, this, 'cluster', cluster.node.path, backendsHttps);
    v.throwIfAny();
    this.workload = vmWorkload(this, 'Workload', {
      identity: this.identity,
      kind: 'Deployment',
      replicas: props.replicas ?? 2,
      image,
      options: props,
      httpPort: VMAUTH_PORT,
      flags: [`-auth.config=${CONFIG_DIR}/${CONFIG_FILE}`, ...(backendsHttps ? [`-backend.TLSCAFile=${PLATFORM_CA_FILE}`] : [])],
      env,
      volumes: [this.config.volume('config')],
      volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
      configChecksums: [this.config.checksum],
      defaultResources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
      terminationGracePeriodSeconds: 30,
      liveness: true,
      https,
    });
    this.url = `${https ? 'https' : 'http'}://${this.identity.serviceHost(this.identity.name, domain)}:${VMAUTH_PORT}`;
    this.scrapeTarget = vmScrapeTarget(this.identity, domain, https);
  }
}

function passwordVar(index: number): string {
  return `VMAUTH_PASSWORD_${index}`;
}

/** One user of the config: the password by reference, a route per access to the tenant's own prefix. */
function userConfig(cluster: VictoriaMetricsCluster, user: VmAuthUser, index: number): Record<string, unknown> {
  const tenant = String(user.tenant);
  const target: Record<VmAuthAccess, string> = {
    write: `${cluster.vminsert.insertUrl(tenant)}/prometheus`,
    read: cluster.vmselect.prometheusUrl(tenant),
    delete: cluster.vmselect.deleteUrl(tenant),
  };
  // vmauth passes the client's headers on; the login is not the backends' business (an empty value removes it).
  const route = (paths: readonly string[], prefix: string) => ({ src_paths: [...paths], url_prefix: prefix, headers: ['Authorization:'] });
  const routes = (user.access ?? ['write', 'read']).flatMap((access) => [
    route(ROUTES[access], target[access]),
    // OTLP lives beside the Prometheus paths, under the tenant's insert prefix.
    ...(access === 'write' ? [route([OTLP_PATH], cluster.vminsert.insertUrl(tenant))] : []),
  ]);
  return { username: user.username, password: `%{${passwordVar(index)}}`, url_map: routes };
}

function validateVmAuth(scope: Construct, props: VmAuthProps): void {
  const v = new Validator(scope);
  checkWorkloadOptions(v, '', props, IMAGES.vmauth);
  checkReplicas(v, 'replicas', props.replicas ?? 2);
  v.apply('credentialsSecret', props.credentialsSecret, dnsLabel(props.credentialsSecret, 253, false));
  v.check(
    props.users.length > 0,
    'users',
    props.users,
    'is empty: vmauth would refuse every request',
    'give one login per tenant, e.g. [{ username: "team-a", passwordKey: "team-a", tenant: 1 }]',
  );
  const names = props.users.map((u) => u.username);
  props.users.forEach((u, i) => {
    v.apply(`users[${i}].tenant`, u.tenant, tenantRule(u.tenant));
    v.check(
      /^[^:\s]+$/.test(u.username),
      `users[${i}].username`,
      u.username,
      'is not a basic-auth user name (no colon, no space)',
      'use letters, digits, "-" and "_"',
    );
    v.check(
      names.indexOf(u.username) === i,
      `users[${i}].username`,
      u.username,
      'is a login already given: vmauth would pick one of them',
      'give each login once',
    );
    v.check(/^[-._a-zA-Z0-9]+$/.test(u.passwordKey), `users[${i}].passwordKey`, u.passwordKey, 'is not a Secret key', 'use letters, digits, "-", "_" and "."');
    for (const a of u.access ?? []) {
      v.check(a in ROUTES, `users[${i}].access`, a, 'is not an access vmauth routes', 'use "write", "read" or "delete"');
    }
    v.check((u.access ?? ['write']).length > 0, `users[${i}].access`, u.access, 'is empty: the login could do nothing', 'give "write", "read" or both');
  });
  v.throwIfAny();
}
