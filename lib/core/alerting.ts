import { BasicAuthCredential, basicAuthBlock } from './basic-auth';
import { PLATFORM_CA_FILE } from './serving-tls';

/**
 * An HA Alertmanager as its senders reach it: every pod, never one load-balanced address, since
 * each Alertmanager of a cluster must receive every alert to deduplicate them. Alertmanager makes
 * these; the Thanos ruler, Loki's ruler and Prometheus take them.
 */
export interface AlertmanagerEndpoint {
  /** Construct path of the Alertmanager, for messages. */
  readonly path: string;
  /** `dns+http://<headless>:9093[/prefix]`: every pod, in the form Thanos ruler's `--alertmanagers.url` takes. */
  readonly peersUrl: string;
  /** `_http._tcp.<headless>`: the SRV record listing every pod, for Prometheus and Loki's discovery. */
  readonly srvRecord: string;
  /** The path the API is served under (`--web.route-prefix`), `''` at the root. */
  readonly pathPrefix: string;
  /** It serves HTTPS with a certificate from the platform's CA (serving TLS). @default false */
  readonly https?: boolean;
  /** The login its API requires (`webAuth`): senders mount the password Secret and send it. @default none */
  readonly basicAuth?: BasicAuthCredential;
}

/** The headless Service's name behind the SRV record: what each pod's certificate holds for clients that dial pod IPs. */
export function alertmanagerHost(am: AlertmanagerEndpoint): string {
  return am.srvRecord.replace(/^_[^.]+\._tcp\./, '');
}

/** Loki's ruler: the URL whose SRV host it resolves with `enable_alertmanager_discovery`. */
export function lokiAlertmanagerUrl(am: AlertmanagerEndpoint): string {
  return `${am.https ? 'https' : 'http'}://${am.srvRecord}${am.pathPrefix}`;
}

/** Prometheus' `alerting.alertmanagers` entry for an Alertmanager: every pod by SRV lookup. */
export function prometheusAlertmanagerConfig(am: AlertmanagerEndpoint): Record<string, unknown> {
  return {
    api_version: 'v2',
    ...(am.pathPrefix ? { path_prefix: am.pathPrefix } : {}),
    ...(am.https ? { scheme: 'https', tls_config: { ca_file: PLATFORM_CA_FILE } } : {}),
    ...(am.basicAuth ? { basic_auth: basicAuthBlock(am.basicAuth) } : {}),
    dns_sd_configs: [{ names: [am.srvRecord], type: 'SRV' }],
  };
}
