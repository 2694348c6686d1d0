import { Construct } from 'constructs';
import { createAutoscaler } from '../core/autoscaling';
import { ConfigFile } from '../core/config-file';
import { declareExternal } from '../core/external';
import { IMAGES } from '../core/images';
import { k8s } from '../core/k8s';
import { ComponentIdentity } from '../core/names';
import { NGINX_UID } from '../core/nginx';
import { httpProbe } from '../core/pod';
import { createService, createServiceAccount } from '../core/service';
import { ServingCertificate, entryPort } from '../core/serving-tls';
import { Workload, podOptions } from '../core/workload';
import { GATEWAY_RESOURCES } from './components';
import { GATEWAY_PORT, HTPASSWD_DIR } from './gateway';
import { ResolvedLokiProps } from './props';

/** What {@link emitLokiGateway} takes. */
export interface LokiGatewayWorkloadProps {
  readonly identity: ComponentIdentity;
  readonly options: ResolvedLokiProps['gateway'];
  /** The nginx.conf (see buildGatewayConfig). */
  readonly config: ConfigFile;
  /** With serving TLS, the certificate it serves on 443. @default none: plain HTTP on 80 */
  readonly certificate?: ServingCertificate;
  /** For the description of the clients' password Secret. */
  readonly tenantIds: readonly string[];
}

/**
 * The Loki gateway's pods (unprivileged nginx on 8080), its Service on 80 or 443, its
 * ServiceAccount and autoscaler, and the user's login Secrets declared as external references.
 */
export function emitLokiGateway(scope: Construct, props: LokiGatewayWorkloadProps): { readonly workload: Workload; readonly service: k8s.KubeService } {
  const { identity, options: g, certificate: cert } = props;
  const namespace = identity.namespace;
  const service = createService(scope, 'GatewayService', { identity, name: identity.name, ports: [{ ...entryPort(cert !== undefined), targetPort: 'http' }] });
  const volumes: k8s.Volume[] = [props.config.volume('config'), { name: 'docker-entrypoint-d', emptyDir: {} }];
  const mounts: k8s.VolumeMount[] = [
    { name: 'config', mountPath: '/etc/nginx' },
    // The image's entrypoint scripts would edit files under the read-only /etc/nginx: run none.
    { name: 'docker-entrypoint-d', mountPath: '/docker-entrypoint.d' },
  ];
  if (cert) {
    volumes.push(cert.volume);
    mounts.push(cert.mount);
  }
  const scheme = cert ? 'HTTPS' : 'HTTP';
  if (g.basicAuthSecret) {
    volumes.push({ name: 'htpasswd', secret: { secretName: g.basicAuthSecret } });
    mounts.push({ name: 'htpasswd', mountPath: HTPASSWD_DIR, readOnly: true });
    declareExternal(scope, { kind: 'Secret', namespace, name: g.basicAuthSecret, purpose: 'htpasswd file (key .htpasswd) with one user per Loki tenant' });
  }
  if (g.clientPasswordsSecret) {
    declareExternal(scope, {
      kind: 'Secret',
      namespace,
      name: g.clientPasswordsSecret,
      purpose: `each tenant's gateway password in plain text, under its tenant id (${props.tenantIds.join(', ')}), for the clients`,
    });
  }
  createServiceAccount(scope, 'GatewayServiceAccount', identity, identity.name);
  if (g.autoscaling) createAutoscaler(scope, 'GatewayAutoscaler', identity, g.autoscaling);
  const workload = new Workload(scope, 'Gateway', {
    kind: 'Deployment',
    identity,
    replicas: g.autoscaling?.minReplicas ?? g.replicas,
    autoscaled: g.autoscaling !== undefined,
    podIdentity: { runAsUser: NGINX_UID, runAsGroup: NGINX_UID, fsGroup: NGINX_UID },
    serviceAccountName: identity.name,
    configChecksums: [props.config.checksum],
    ...podOptions(g),
    volumes,
    containers: [
      {
        name: 'nginx',
        image: g.image ?? IMAGES.nginx,
        // The image's own command; extra nginx flags go after it.
        args: g.extraArgs && g.extraArgs.length > 0 ? ['nginx', '-g', 'daemon off;', ...g.extraArgs] : undefined,
        env: g.extraEnv,
        ports: [{ name: 'http', containerPort: GATEWAY_PORT }],
        volumeMounts: mounts,
        readinessProbe: httpProbe('/', 'http', { initialDelaySeconds: 5, scheme }),
        livenessProbe: httpProbe('/', 'http', { initialDelaySeconds: 15, periodSeconds: 20, scheme }),
        resources: g.resources ?? GATEWAY_RESOURCES,
      },
    ],
  });
  return { workload, service };
}
