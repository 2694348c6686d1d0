import { HTPASSWD_DIR, NGINX_PORT, nginxGatewayConfig } from '../core/nginx';

/** Port the gateway listens on. */
export const GATEWAY_PORT = NGINX_PORT;
export { HTPASSWD_DIR };

/** The gateway's routes: which Loki role serves each API path. */
export interface GatewayRoutes {
  /** Base URLs (`http://host:port`) of the three roles. */
  readonly write: string;
  readonly read: string;
  readonly backend: string;
  /** DNS server for request-time resolution. */
  readonly resolver: string;
  /** With basic auth, the user becomes the tenant. */
  readonly basicAuth: boolean;
  /** Serve HTTPS from the mounted certificate. @default false */
  readonly https?: boolean;
}

/**
 * The nginx config of the Loki gateway. Role addresses are nginx variables, so nginx resolves them
 * per request through `resolver` and starts even while a role Service has no endpoints yet.
 * Exact-match locations come first: without them the `^~ /loki/api/v1/` prefix would send pushes,
 * rule edits and deletes to the read role.
 *
 * Only the tenant APIs pass (push, query, tail, rules, alerts, deletes of the caller's own tenant).
 * Every other path is answered 404 by the gateway itself: Loki's operator pages must not be
 * reachable by every client of the gateway, since they act on the whole cluster whatever the
 * tenant (`/ingester/shutdown` and `/flush` stop or flush an ingester, the ring pages can
 * "forget" members, `/config` shows the running config). Operators reach them on the pods.
 */
export function buildGatewayConfig(r: GatewayRoutes): string {
  const proxy = (upstream: string) => `proxy_pass ${upstream}$request_uri;`;
  const exact = (path: string, upstream: string) => `    location = ${path} { ${proxy(upstream)} }`;
  const prefix = (path: string, upstream: string) => `    location ^~ ${path} { ${proxy(upstream)} }`;
  // A location that sets any proxy_set_header inherits none from the server, so repeat the tenant.
  const tenantHeader = r.basicAuth ? ' proxy_set_header X-Scope-OrgID $remote_user;' : '';
  const websocket = (path: string) =>
    `    location ^~ ${path} { ${proxy('$read')} proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";${tenantHeader} }`;
  const auth = r.basicAuth
    ? [
        '    auth_basic "Loki";',
        `    auth_basic_user_file ${HTPASSWD_DIR}/.htpasswd;`,
        '    # The authenticated user is the tenant; a client cannot pick another one.',
        '    proxy_set_header X-Scope-OrgID $remote_user;',
      ]
    : [];

  return nginxGatewayConfig(
    r.resolver,
    { write: r.write, read: r.read, backend: r.backend },
    [
      ...auth,
      '    # write: distributor and ingester',
      exact('/loki/api/v1/push', '$write'),
      exact('/api/prom/push', '$write'),
      exact('/otlp/v1/logs', '$write'),
      '    # backend: ruler and compactor (deletes)',
      prefix('/loki/api/v1/rules', '$backend'),
      prefix('/api/prom/rules', '$backend'),
      prefix('/prometheus/api/v1/rules', '$backend'),
      prefix('/prometheus/api/v1/alerts', '$backend'),
      exact('/loki/api/v1/delete', '$backend'),
      '    # read: tail (websocket) and every other query',
      websocket('/loki/api/v1/tail'),
      websocket('/api/prom/tail'),
      prefix('/loki/api/v1/', '$read'),
      prefix('/api/prom/', '$read'),
      '    # Nothing else: no operator page, no static file.',
      '    location / { return 404; }',
    ],
    { https: r.https },
  );
}
