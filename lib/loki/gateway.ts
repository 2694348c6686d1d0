import { HTPASSWD_DIR, NGINX_PORT, nginxGatewayConfig } from '../core/nginx';

/** Port the gateway listens on. */
export const GATEWAY_PORT = NGINX_PORT;
export { HTPASSWD_DIR };

/** The gateway's routes: the base URL (`http://host:port`) of the Service that serves each kind of request. */
export interface GatewayRoutes {
  /** Pushes (the distributors). */
  readonly push: string;
  /** Queries (query-frontends, or queriers with them in-process). */
  readonly query: string;
  /** Live tail, a websocket (queriers). */
  readonly tail: string;
  /** The ruler's API. */
  readonly rules: string;
  /** Deletes (the compactor). */
  readonly deletes: string;
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
    `    location ^~ ${path} { ${proxy('$tail')} proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";${tenantHeader} }`;
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
    { push: r.push, query: r.query, tail: r.tail, rules: r.rules, deletes: r.deletes },
    [
      ...auth,
      '    # pushes: the distributors',
      exact('/loki/api/v1/push', '$push'),
      exact('/api/prom/push', '$push'),
      exact('/otlp/v1/logs', '$push'),
      '    # the ruler, and the compactor for deletes',
      prefix('/loki/api/v1/rules', '$rules'),
      prefix('/api/prom/rules', '$rules'),
      prefix('/prometheus/api/v1/rules', '$rules'),
      prefix('/prometheus/api/v1/alerts', '$rules'),
      exact('/loki/api/v1/delete', '$deletes'),
      '    # tail (websocket) to the queriers, and every other query',
      websocket('/loki/api/v1/tail'),
      websocket('/api/prom/tail'),
      prefix('/loki/api/v1/', '$query'),
      prefix('/api/prom/', '$query'),
      '    # Nothing else: no operator page, no static file.',
      '    location / { return 404; }',
    ],
    { https: r.https },
  );
}
