import { PLATFORM_CA_FILE, SERVING_TLS_DIR } from './serving-tls';

/**
 * What the library's nginx gateways (Loki's, Thanos') share: the unprivileged image's port and
 * user, and an nginx.conf that runs on a read-only root filesystem (every temp path under /tmp,
 * logs to the console) with upstreams resolved per request, so that nginx starts even while a
 * backend Service has no endpoints yet.
 */

/** Port the unprivileged nginx image listens on (it cannot bind below 1024). */
export const NGINX_PORT = 8080;
/** uid and gid of the unprivileged nginx image. */
export const NGINX_UID = 101;
/** Where a gateway's htpasswd Secret is mounted. */
export const HTPASSWD_DIR = '/etc/nginx/secrets';

/**
 * A whole nginx.conf with one server on {@link NGINX_PORT}: `upstreams` become variables
 * (`set $name url;`) resolved through `resolver` at request time, `/` answers the probes without
 * auth, and `body` holds the server's own lines (auth, locations), indented by four spaces.
 * With `https`, the server speaks only HTTPS, from the mounted certificate.
 */
export function nginxGatewayConfig(
  resolver: string,
  upstreams: Readonly<Record<string, string>>,
  body: readonly string[],
  options: { readonly https?: boolean } = {},
): string {
  return [
    'worker_processes 2;',
    'error_log /dev/stderr warn;',
    'pid /tmp/nginx.pid;',
    'events { worker_connections 4096; }',
    'http {',
    '  client_body_temp_path /tmp/client_temp;',
    '  proxy_temp_path /tmp/proxy_temp;',
    '  fastcgi_temp_path /tmp/fastcgi_temp;',
    '  uwsgi_temp_path /tmp/uwsgi_temp;',
    '  scgi_temp_path /tmp/scgi_temp;',
    '  default_type application/octet-stream;',
    '  log_format main \'$remote_addr - $remote_user [$time_local] $status "$request" $body_bytes_sent "$http_user_agent"\';',
    '  access_log /dev/stdout main;',
    '  sendfile on;',
    '  tcp_nopush on;',
    `  resolver ${resolver} valid=10s;`,
    '  client_max_body_size 4M;',
    '  proxy_http_version 1.1;',
    '  proxy_connect_timeout 600s;',
    '  proxy_send_timeout 600s;',
    '  proxy_read_timeout 600s;',
    ...(options.https ? httpsLines() : []),
    ...(Object.values(upstreams).some((url) => url.startsWith('https://')) ? upstreamTrustLines() : []),
    '  server {',
    `    listen ${NGINX_PORT}${options.https ? ' ssl' : ''};`,
    ...Object.entries(upstreams).map(([name, url]) => `    set $${name} ${url};`),
    '    # Health of the gateway itself, without auth, for its probes.',
    '    location = / { auth_basic off; return 200 "OK"; }',
    ...body,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Serving HTTPS from the mounted certificate. Its path holds a variable, which makes nginx load
 * the files at each handshake (nginx 1.15.9+) instead of once at start, so a certificate that
 * cert-manager renews is served without a restart.
 */
function httpsLines(): string[] {
  return [
    `  map $ssl_server_name $serving_tls { default ${SERVING_TLS_DIR}; }`,
    '  ssl_certificate $serving_tls/tls.crt;',
    '  ssl_certificate_key $serving_tls/tls.key;',
    '  ssl_protocols TLSv1.2 TLSv1.3;',
  ];
}

/**
 * Upstreams over HTTPS: their certificates are checked against the platform's CA, for the host
 * of the upstream's URL (nginx checks and sends that name, without the port).
 */
function upstreamTrustLines(): string[] {
  return [
    `  proxy_ssl_trusted_certificate ${PLATFORM_CA_FILE};`,
    '  proxy_ssl_verify on;',
    '  proxy_ssl_verify_depth 2;',
    '  proxy_ssl_server_name on;',
    // Receive's remote-write port accepts TLS 1.3 only (its --remote-write.server-tls-min-version
    // default); nginx before 1.23.4 offers up to 1.2 unless told.
    '  proxy_ssl_protocols TLSv1.2 TLSv1.3;',
  ];
}
