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
 */
export function nginxGatewayConfig(resolver: string, upstreams: Readonly<Record<string, string>>, body: readonly string[]): string {
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
    '  server {',
    `    listen ${NGINX_PORT};`,
    ...Object.entries(upstreams).map(([name, url]) => `    set $${name} ${url};`),
    '    # Health of the gateway itself, without auth, for its probes.',
    '    location = / { auth_basic off; return 200 "OK"; }',
    ...body,
    '  }',
    '}',
    '',
  ].join('\n');
}
