import { AlertmanagerEndpoint, alertmanagerHost } from '../core/alerting';
import { basicAuthBlock } from '../core/basic-auth';
import { renderYaml } from '../core/config-file';
import { PLATFORM_CA_FILE } from '../core/serving-tls';
import { ThanosQuery } from './query';

/**
 * The client settings that trust the platform's CA for a server known by `serverName`. Thanos
 * resolves `dnssrv+` addresses to pod IPs, which no certificate names, so the name to check is
 * given: the Service's, which the server's certificate holds.
 */
const trustPlatformCa = (serverName: string) => ({ tls_config: { ca_file: PLATFORM_CA_FILE, server_name: serverName } });

/**
 * How the ruler reaches its queriers: the `--query` flag over HTTP, or, when they serve HTTPS,
 * `--query.config` (the flag has no place for the CA; the two are exclusive).
 */
export function rulerQueryFlags(query: ThanosQuery): string[] {
  if (!query.httpUrl.startsWith('https://')) return [`--query=${query.queryApiAddress}`];
  const host = new URL(query.httpUrl).hostname;
  return [`--query.config=${renderYaml([{ scheme: 'https', static_configs: [query.queryApiAddress], http_config: trustPlatformCa(host) }])}`];
}

/**
 * How the ruler reaches Alertmanager: `--alertmanagers.url` flags while every one speaks plain
 * HTTP without a login, else one `--alertmanagers.config` for all (Thanos refuses the two
 * together): the platform's over HTTPS trusting its CA and with the login they require (the
 * password from its mounted file), every pod by SRV lookup; the user's URLs as given, with the
 * system's trust.
 */
export function rulerAlertmanagerFlags(platform: readonly AlertmanagerEndpoint[], urls: readonly string[]): string[] {
  if (!platform.some((am) => am.https || am.basicAuth)) return [...platform.map((am) => am.peersUrl), ...urls].map((url) => `--alertmanagers.url=${url}`);
  const entry = (scheme: string, address: string, pathPrefix: string, httpConfig?: object) => ({
    scheme,
    static_configs: [address],
    ...(pathPrefix ? { path_prefix: pathPrefix } : {}),
    ...(httpConfig && Object.keys(httpConfig).length > 0 ? { http_config: httpConfig } : {}),
    api_version: 'v2',
  });
  const alertmanagers = [
    ...platform.map((am) =>
      entry(am.https ? 'https' : 'http', `dnssrv+${am.srvRecord}`, am.pathPrefix, {
        ...(am.https ? trustPlatformCa(alertmanagerHost(am)) : {}),
        ...(am.basicAuth ? { basic_auth: basicAuthBlock(am.basicAuth) } : {}),
      }),
    ),
    ...urls.map((url) => {
      // Validated as (dns+|dnssrv+)?http(s)://host[:port][/prefix].
      const [, dns = '', scheme, host, prefix = ''] = /^(dns\+|dnssrv\+)?(https?):\/\/([^/]+)(\/.*)?$/.exec(url)!;
      return entry(scheme, `${dns}${host}`, prefix);
    }),
  ];
  return [`--alertmanagers.config=${renderYaml({ alertmanagers })}`];
}
