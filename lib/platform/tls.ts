import { IConstruct } from 'constructs';
import { ScrapeTarget } from '../core/scrape-target';
import { addWarning } from '../core/warnings';
import { ThanosGrpcTls } from '../thanos';
import { PlatformTlsSpec } from './spec';

/**
 * The platform's mutual TLS between the Thanos components: one certificate from the platform's
 * issuer for a name that is only checked, never looked up, and that names the namespace, so a
 * certificate of another platform signed by the same CA does not pass.
 */
export function thanosGrpcTlsFor(namespace: string, tls: PlatformTlsSpec): ThanosGrpcTls {
  return { secretName: 'thanos-grpc-tls', serverName: `thanos-grpc.${namespace}.internal`, ...(tls.issuer ? { issuer: tls.issuer } : {}) };
}

/**
 * With `tls` on, says which components still serve plain HTTP: those whose metrics endpoint is
 * not HTTPS (every component serves its metrics on its main HTTP listener or beside it), and the
 * embedded object store when it does (`embeddedStore`, its kind). Their traffic stays inside the
 * NetworkPolicies, unencrypted.
 */
export function warnOnPlainHttp(scope: IConstruct, targets: readonly ScrapeTarget[], embeddedStore: string | undefined): void {
  const plain = [...new Set(targets.filter((t) => !t.https).map((t) => t.job)), ...(embeddedStore ? [embeddedStore] : [])];
  if (plain.length === 0) return;
  addWarning(
    scope,
    'plain-http-inside',
    'tls',
    plain,
    `is on, and these components serve HTTPS: ${targets
      .filter((t) => t.https)
      .map((t) => t.job)
      .join(', ')}; these still serve plain HTTP inside the cluster (their clients trust the CA already where they call an HTTPS one): ${plain.join(', ')}`,
    'acknowledge the warning (their traffic stays inside the NetworkPolicies), or put them behind a mesh with mTLS until the library serves them over HTTPS',
  );
}
