import { platformTrustFor, servingCertificate, servingTlsOf } from '../core/serving-tls';
import { Construct } from 'constructs';
import { checkReplicas, checkWorkloadOptions } from '../core/check-options';
import { ConfigFile } from '../core/config-file';
import { Validator } from '../core/errors';
import { declareExternal } from '../core/external';
import { IMAGES } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { HTPASSWD_DIR, NGINX_PORT, NGINX_UID, nginxGatewayConfig } from '../core/nginx';
import { httpProbe } from '../core/pod';
import { dnsLabel } from '../core/rules';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { ThanosComponentProps, thanosIdentity } from './component';
import { clusterDomainOf } from '../core/cluster-domain';

/** Options of {@link ThanosTenantGateway}. */
export interface ThanosTenantGatewayOptions extends WorkloadOptions {
  /** A Secret you create with an htpasswd file (key `.htpasswd`) whose users are the tenants. */
  readonly basicAuthSecret: string;
  /** Pods. @default 2 */
  readonly replicas?: number;
  /** DNS server nginx resolves the backends with, per request. @default the cluster DNS Service */
  readonly dnsResolver?: string;
}

/** Props of {@link ThanosTenantGateway}. */
export interface ThanosTenantGatewayProps extends ThanosTenantGatewayOptions, ThanosComponentProps {
  /** Receive's remote-write base (`http://<receive>:19291`). */
  readonly receiveUrl: string;
  /** The tenancy-enforcing query's HTTP base (`http://<name>-query-tenants:10902`). */
  readonly queryUrl: string;
}

/** The query API paths a tenant may read. Everything else (admin, rules, targets, the UI) is 404. */
const READ_PATHS = 'query|query_range|query_exemplars|series|labels|label/[^/]+/values|metadata|status/buildinfo';

/**
 * The authenticated entry point of a multi-tenant Thanos: nginx with one htpasswd user per tenant.
 * The login becomes the `THANOS-TENANT` header, replacing any the client sent: a write lands in
 * that tenant's TSDB on receive, and a read goes to a query that enforces tenancy, so a tenant sees
 * its own series only. No other path passes.
 */
export class ThanosTenantGateway extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly config: ConfigFile;
  /** `http://<name>-gateway.<ns>.svc.<domain>`: the query API base. */
  readonly url: string;
  /** Where tenants remote-write: `<url>/api/v1/receive`. */
  readonly remoteWriteUrl: string;

  constructor(scope: Construct, id: string, props: ThanosTenantGatewayProps) {
    super(scope, id);
    const domain = clusterDomainOf(this, props.clusterDomain);
    this.identity = thanosIdentity(props, 'gateway', domain);
    const v = new Validator(this);
    checkWorkloadOptions(v, '', props, IMAGES.nginx);
    checkReplicas(v, 'replicas', props.replicas ?? 2);
    v.apply('basicAuthSecret', props.basicAuthSecret, dnsLabel(props.basicAuthSecret, 253, false));
    v.throwIfAny();

    const resolver = props.dnsResolver ?? `kube-dns.kube-system.svc.${domain}`;
    const serving = servingTlsOf(this);
    const upstreamHttps = [props.receiveUrl, props.queryUrl].some((u) => u.startsWith('https://'));
    // Its certificate: served with serving TLS on, and its ca.crt trusted for receive and query.
    const certificate = serving
      ? servingCertificate(this, this.identity, serving, { names: [this.identity.name], headless: [] })
      : platformTrustFor(this, this.identity, [{ property: 'receiveUrl', value: props.receiveUrl, platformCa: upstreamHttps }]);
    this.config = new ConfigFile(this, 'Config', {
      identity: this.identity,
      name: `${this.identity.name}-config`,
      files: {
        'nginx.conf': nginxGatewayConfig(
          resolver,
          { receive: props.receiveUrl, query: props.queryUrl },
          [
            '    auth_basic "Thanos";',
            `    auth_basic_user_file ${HTPASSWD_DIR}/.htpasswd;`,
            '    # The login is the tenant; the header a client sent is replaced.',
            '    proxy_set_header THANOS-TENANT $remote_user;',
            '    location = /api/v1/receive { proxy_pass $receive$request_uri; }',
            `    location ~ ^/api/v1/(${READ_PATHS})$ { proxy_pass $query$request_uri; }`,
            '    # Nothing else: no admin API, no UI, no other component.',
            '    location / { return 404; }',
          ],
          { https: serving !== undefined },
        ),
      },
    });
    declareExternal(this, {
      kind: 'Secret',
      namespace: props.namespace,
      name: props.basicAuthSecret,
      purpose: 'htpasswd file (key .htpasswd) with one user per Thanos tenant',
    });
    const front = serving ? { name: 'https', port: 443 } : { name: 'http', port: 80 };
    createService(this, 'Service', { identity: this.identity, name: this.identity.name, ports: [{ ...front, targetPort: 'http' }] });
    createServiceAccount(this, 'ServiceAccount', this.identity, this.identity.name);
    const scheme = serving ? 'HTTPS' : 'HTTP';
    this.workload = new Workload(this, 'Workload', {
      kind: 'Deployment',
      identity: this.identity,
      replicas: props.replicas ?? 2,
      podIdentity: { runAsUser: NGINX_UID, runAsGroup: NGINX_UID, fsGroup: NGINX_UID },
      serviceAccountName: this.identity.name,
      configChecksums: [this.config.checksum],
      ...podOptions(props),
      volumes: [
        this.config.volume('config'),
        { name: 'docker-entrypoint-d', emptyDir: {} },
        { name: 'htpasswd', secret: { secretName: props.basicAuthSecret } },
        ...(certificate ? [certificate.volume] : []),
      ],
      containers: [
        withOptions(props, {
          name: 'nginx',
          image: IMAGES.nginx,
          ports: [{ name: 'http', containerPort: NGINX_PORT }],
          volumeMounts: [
            { name: 'config', mountPath: '/etc/nginx' },
            // The image's entrypoint scripts would edit files under the read-only /etc/nginx: run none.
            { name: 'docker-entrypoint-d', mountPath: '/docker-entrypoint.d' },
            { name: 'htpasswd', mountPath: HTPASSWD_DIR, readOnly: true },
            ...(certificate ? [certificate.mount] : []),
          ],
          readinessProbe: httpProbe('/', 'http', { initialDelaySeconds: 5, scheme }),
          livenessProbe: httpProbe('/', 'http', { initialDelaySeconds: 15, periodSeconds: 20, scheme }),
          defaultResources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
        }),
      ],
    });
    this.url = `${serving ? 'https' : 'http'}://${this.identity.serviceHost(this.identity.name, domain)}`;
    this.remoteWriteUrl = `${this.url}/api/v1/receive`;
  }
}
