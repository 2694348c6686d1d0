import { Construct } from 'constructs';
import { checkReplicas, checkWorkloadOptions } from './check-options';
import { clusterDomainOf } from './cluster-domain';
import { ConfigFile } from './config-file';
import { Validator } from './errors';
import { declareExternal } from './external';
import { IMAGES } from './images';
import { ComponentIdentity } from './names';
import { HTPASSWD_DIR, NGINX_PORT, NGINX_UID, nginxGatewayConfig } from './nginx';
import { httpProbe } from './pod';
import { dnsLabel } from './rules';
import { createService, createServiceAccount } from './service';
import { entryPort, ownCertificate, servingTlsOf } from './serving-tls';
import { Workload, WorkloadOptions, podOptions, withOptions } from './workload';

/** What every authenticated nginx entry point of the library takes from its user. */
export interface LoginGatewayOptions extends WorkloadOptions {
  /** A Secret you create with an htpasswd file (key `.htpasswd`), one user per login. */
  readonly basicAuthSecret: string;
  /** Pods. @default 2 */
  readonly replicas?: number;
  /** DNS server nginx resolves the backends with, per request. @default the cluster DNS Service */
  readonly dnsResolver?: string;
}

/** Props of {@link LoginGateway}. */
export interface LoginGatewayProps extends LoginGatewayOptions {
  readonly identity: ComponentIdentity;
  /** The backends, by nginx variable name (`$receive`), as base URLs. */
  readonly upstreams: Readonly<Record<string, string>>;
  /** The server's own lines after the login: headers and locations, each indented by four spaces. */
  readonly locations: readonly string[];
  /** The realm a browser shows at the login (e.g. "Thanos"). */
  readonly realm: string;
  /** Who the logins are, for the user's Secret (e.g. "Thanos tenant"). */
  readonly loginsAre: string;
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * An nginx entry point that requires a login (HTTP basic auth against the user's htpasswd Secret)
 * and passes only the locations it is given: the shape of the Thanos tenant gateway and of Tempo's.
 * With serving TLS it serves HTTPS on 443 from a certificate of its own and checks HTTPS backends
 * against the platform's CA.
 */
export class LoginGateway extends Construct {
  readonly workload: Workload;
  readonly config: ConfigFile;
  /** `http(s)://<name>.<ns>.svc.<domain>`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: LoginGatewayProps) {
    super(scope, id);
    const { identity } = props;
    const domain = clusterDomainOf(this, props.clusterDomain);
    const v = new Validator(scope);
    checkWorkloadOptions(v, '', props, IMAGES.nginx);
    checkReplicas(v, 'replicas', props.replicas ?? 2);
    v.apply('basicAuthSecret', props.basicAuthSecret, dnsLabel(props.basicAuthSecret, 253, false));
    v.throwIfAny();

    const resolver = props.dnsResolver ?? `kube-dns.kube-system.svc.${domain}`;
    const serving = servingTlsOf(this);
    const upstreamHttps = Object.values(props.upstreams).some((u) => u.startsWith('https://'));
    // Its certificate: served with serving TLS on, and its ca.crt trusted for HTTPS backends.
    const certificate = ownCertificate(this, identity, { names: [identity.name] }, [
      { property: 'upstreams', value: props.upstreams, platformCa: upstreamHttps },
    ]);
    const login = [`    auth_basic "${props.realm}";`, `    auth_basic_user_file ${HTPASSWD_DIR}/.htpasswd;`];
    this.config = new ConfigFile(this, 'Config', {
      identity,
      name: `${identity.name}-config`,
      files: { 'nginx.conf': nginxGatewayConfig(resolver, props.upstreams, [...login, ...props.locations], { https: serving !== undefined }) },
    });
    declareExternal(this, {
      kind: 'Secret',
      namespace: identity.namespace,
      name: props.basicAuthSecret,
      purpose: `htpasswd file (key .htpasswd) with one user per ${props.loginsAre}`,
    });
    createService(this, 'Service', { identity, name: identity.name, ports: [{ ...entryPort(serving !== undefined), targetPort: 'http' }] });
    createServiceAccount(this, 'ServiceAccount', identity, identity.name);
    const scheme = serving ? 'HTTPS' : 'HTTP';
    this.workload = new Workload(this, 'Workload', {
      kind: 'Deployment',
      identity,
      replicas: props.replicas ?? 2,
      podIdentity: { runAsUser: NGINX_UID, runAsGroup: NGINX_UID, fsGroup: NGINX_UID },
      serviceAccountName: identity.name,
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
    this.url = `${serving ? 'https' : 'http'}://${identity.serviceHost(identity.name, domain)}`;
  }
}
