import { Construct, IConstruct } from 'constructs';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  CertificateSpecUsages,
} from '../../imports/certificate-cert-manager.io';
import { clusterDomainOf } from './cluster-domain';
import { ConfigFile, renderYaml } from './config-file';
import { Validator } from './errors';
import { declareExternal } from './external';
import { k8s } from './k8s';
import { ComponentIdentity } from './names';

/** A cert-manager issuer (an `Issuer` in the namespace, or a `ClusterIssuer`). */
export interface CertificateIssuer {
  readonly name: string;
  /** @default "Issuer" */
  readonly kind?: 'Issuer' | 'ClusterIssuer';
}

/**
 * HTTPS on the HTTP listeners of the components made below a scope, each from a certificate of
 * its own: the Secret `<component>-tls` with `tls.crt`, `tls.key` and `ca.crt`, valid for every DNS
 * name of its Services (and of its pods behind the headless Service). Every component trusts
 * `ca.crt` of its own Secret when it calls another, so all certificates must come from one CA.
 */
export interface ServingTls {
  /**
   * A cert-manager issuer that makes each component's certificate: the output then holds one
   * `Certificate` per component. Its Secrets must carry `ca.crt` (a CA or Vault issuer does; ACME
   * does not). Needs cert-manager in the cluster.
   * @default none: each `<component>-tls` Secret is yours to create, signed by one CA
   */
  readonly issuer?: CertificateIssuer;
}

/** Where every component mounts its certificate Secret: the same path everywhere, so a client names the CA without knowing who it is. */
export const SERVING_TLS_DIR = '/etc/tls/serving';
/** The CA every component trusts for the HTTPS of the others. */
export const PLATFORM_CA_FILE = `${SERVING_TLS_DIR}/ca.crt`;
export const SERVING_CERT_FILE = `${SERVING_TLS_DIR}/tls.crt`;
export const SERVING_KEY_FILE = `${SERVING_TLS_DIR}/tls.key`;
const VOLUME = 'serving-tls';
const CONTEXT = 'obs-platform/serving-tls';

/** Turns on HTTPS for every component made below `scope` that serves it (call before adding them). */
export function setServingTls(scope: IConstruct, tls: ServingTls): void {
  scope.node.setContext(CONTEXT, tls);
}

/** The HTTPS settings of the components at `scope`, if something above turned them on. */
export function servingTlsOf(scope: IConstruct): ServingTls | undefined {
  return scope.node.tryGetContext(CONTEXT) as ServingTls | undefined;
}

/** The scheme of a component's URLs at `scope`. */
export function schemeAt(scope: IConstruct): 'http' | 'https' {
  return servingTlsOf(scope) ? 'https' : 'http';
}

/** The Secret that holds a component's certificate. */
export function servingSecretName(identity: ComponentIdentity): string {
  return `${identity.name}-tls`;
}

/** One component's certificate: the Secret's name, and how its pods mount it. */
export interface ServingCertificate {
  readonly secretName: string;
  readonly volume: k8s.Volume;
  readonly mount: k8s.VolumeMount;
}

/** The names a component's certificate is valid for. */
export interface CertifiedNames {
  /** Services, each by its short, namespaced and full names. */
  readonly names: readonly string[];
  /** Headless Services, whose pods are named one by one (`*.<headless>...`). */
  readonly headless?: readonly string[];
  /**
   * One full DNS name every member of a cluster carries, checked by their gRPC clients: rings and
   * DNS give them pod addresses, which no certificate names (see dskit-tls).
   */
  readonly peerName?: string;
}

/**
 * The certificate of one component, valid for the names a client may dial: each Service by its
 * short, namespaced and full names, and each pod behind a headless Service (`*.<headless>...`,
 * the names SRV records and StatefulSet peers use). Emits a cert-manager `Certificate` when the
 * settings name an issuer, else records the Secret as one the user provides.
 */
export function servingCertificate(scope: Construct, identity: ComponentIdentity, tls: ServingTls, services: CertifiedNames): ServingCertificate {
  const secretName = servingSecretName(identity);
  const { namespace } = identity;
  // The app's domain (an identity made without one carries the default).
  const clusterDomain = clusterDomainOf(scope);
  const dnsNames = [
    ...services.names.flatMap((s) => [s, `${s}.${namespace}`, `${s}.${namespace}.svc`, `${s}.${namespace}.svc.${clusterDomain}`]),
    ...(services.headless ?? []).flatMap((s) => [
      `${s}.${namespace}.svc.${clusterDomain}`,
      `*.${s}.${namespace}.svc`,
      `*.${s}.${namespace}.svc.${clusterDomain}`,
    ]),
    ...(services.peerName ? [services.peerName] : []),
  ];
  if (tls.issuer) {
    new Certificate(scope, `Certificate-${secretName}`, {
      metadata: { name: secretName, namespace, labels: identity.labels },
      spec: {
        secretName,
        dnsNames: [...new Set(dnsNames)],
        usages: [CertificateSpecUsages.SERVER_AUTH, CertificateSpecUsages.CLIENT_AUTH],
        // A fresh key at every renewal: a stolen key is good only until the next one.
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        issuerRef: { name: tls.issuer.name, kind: tls.issuer.kind ?? 'Issuer', group: 'cert-manager.io' },
      },
    });
  } else {
    declareExternal(scope, {
      kind: 'Secret',
      namespace,
      name: secretName,
      purpose:
        `HTTPS certificate of ${identity.name} (tls.crt, tls.key, and ca.crt of the CA that signs every component's certificate), valid for ${dnsNames.slice(0, 4).join(', ')}…` +
        (services.peerName ? ` and for ${services.peerName}, the name its peers check on gRPC (mutual TLS: it must allow client authentication too)` : ''),
    });
  }
  return {
    secretName,
    volume: { name: VOLUME, secret: { secretName } },
    mount: { name: VOLUME, mountPath: SERVING_TLS_DIR, readOnly: true },
  };
}

/**
 * The web config file that Prometheus, Alertmanager and Thanos take (the Prometheus exporter
 * toolkit's format, `--web.config.file` / `--http.config`): HTTPS from the mounted certificate.
 * The toolkit reads the files again for each new connection, so a renewed certificate is served
 * without a restart.
 */
export class WebConfigFile extends Construct {
  static readonly DIR = '/etc/web-config';
  static readonly PATH = `${WebConfigFile.DIR}/web-config.yaml`;
  readonly file: ConfigFile;
  readonly volume: k8s.Volume;
  readonly mount: k8s.VolumeMount;

  constructor(scope: Construct, id: string, identity: ComponentIdentity) {
    super(scope, id);
    const content = renderYaml({ tls_server_config: { cert_file: SERVING_CERT_FILE, key_file: SERVING_KEY_FILE, min_version: 'TLS12' } });
    this.file = new ConfigFile(this, 'File', { identity, name: `${identity.name}-web-config`, files: { 'web-config.yaml': content } });
    this.volume = this.file.volume('web-config');
    this.mount = { name: 'web-config', mountPath: WebConfigFile.DIR, readOnly: true };
  }
}

/** A client's TLS settings in Prometheus' own format (`tls_config`), trusting the platform's CA. */
export function platformTlsConfig(serverName?: string): Record<string, string> {
  return { ca_file: PLATFORM_CA_FILE, ...(serverName ? { server_name: serverName } : {}) };
}

/**
 * Checks that a component calling an endpoint served with a certificate from the platform's CA
 * can trust it: it trusts `ca.crt` of its own certificate, which it has only when serving TLS is
 * on where it was made.
 */
export function checkPlatformTrust(v: Validator, scope: IConstruct, property: string, value: unknown, platformCa: boolean | undefined): void {
  v.check(
    !platformCa || servingTlsOf(scope) !== undefined,
    property,
    value,
    "is served over HTTPS with a certificate from the platform's CA, and this component has no certificate of its own whose ca.crt it could trust",
    "make it below the scope that turns serving TLS on (the platform's tls, or setServingTls on a parent), or wire it to a plain-HTTP endpoint",
  );
}

/** A call a component makes, for {@link platformTrustFor}: the property that names it, its value, and whether the platform's CA serves it. */
export interface PlatformCall {
  readonly property: string;
  readonly value: unknown;
  readonly platformCa?: boolean;
}

/**
 * The certificate a component mounts to trust platform endpoints served over HTTPS when it serves
 * none itself yet, if any of its `calls` needs it; checked first, so a component without serving
 * TLS fails at synth with the property named.
 */
export function platformTrustFor(scope: Construct, identity: ComponentIdentity, calls: readonly PlatformCall[]): ServingCertificate | undefined {
  if (!calls.some((c) => c.platformCa)) return undefined;
  const v = new Validator(scope);
  for (const c of calls) checkPlatformTrust(v, scope, c.property, c.value, c.platformCa);
  v.throwIfAny();
  return servingCertificate(scope, identity, servingTlsOf(scope)!, { names: [identity.name], headless: [identity.headlessName] });
}

/**
 * The certificate of a component that serves HTTPS when serving TLS is on (valid for `services`,
 * its ca.crt also trusted for what it calls); without serving TLS it has none, and a call in
 * `calls` that needs the platform's CA is refused.
 */
export function ownCertificate(
  scope: Construct,
  identity: ComponentIdentity,
  services: CertifiedNames,
  calls: readonly PlatformCall[] = [],
): ServingCertificate | undefined {
  const serving = servingTlsOf(scope);
  return serving ? servingCertificate(scope, identity, serving, services) : platformTrustFor(scope, identity, calls);
}

/** The Service port of an entry point for people and outside clients: 443 over HTTPS, else 80. */
export function entryPort(https: boolean): { readonly name: string; readonly port: number } {
  return https ? { name: 'https', port: 443 } : { name: 'http', port: 80 };
}

/**
 * What a server that reads the exporter toolkit's web config (node-exporter, kube-state-metrics,
 * the Pushgateway) needs to serve HTTPS: the web config, its certificate, and the pod's volumes
 * and mounts for both.
 */
export interface ToolkitHttps {
  readonly webConfig: WebConfigFile;
  readonly certificate: ServingCertificate;
  readonly volumes: readonly k8s.Volume[];
  readonly mounts: readonly k8s.VolumeMount[];
}

/** The HTTPS of a toolkit server at `scope` when serving TLS is on there (valid for `services`), else undefined. */
export function toolkitHttps(scope: Construct, identity: ComponentIdentity, services: CertifiedNames): ToolkitHttps | undefined {
  const serving = servingTlsOf(scope);
  if (!serving) return undefined;
  const webConfig = new WebConfigFile(scope, 'WebConfig', identity);
  const certificate = servingCertificate(scope, identity, serving, services);
  return { webConfig, certificate, volumes: [webConfig.volume, certificate.volume], mounts: [webConfig.mount, certificate.mount] };
}
