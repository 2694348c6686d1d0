import { Construct } from 'constructs';
import { ComponentIdentity } from '../core/names';
import { LoginGateway, LoginGatewayOptions } from '../core/nginx-gateway';
import { Workload } from '../core/workload';

/** Options of {@link TempoGateway}: the login Secret (one user per reader or tenant), replicas, the resolver. */
export type TempoGatewayOptions = LoginGatewayOptions;

/**
 * Tempo's read API at v3.0.3 (pkg/api/http.go): traces by id, search, tags and their values (v1 and
 * v2), TraceQL metrics, echo and build info. Not passed: the overrides API (it changes a tenant's
 * limits), the MCP server, and every operator page (`/flush`, `/shutdown`, the ring and status pages).
 */
const READ_PATHS = [
  '^/api/(v2/)?traces/[^/]+$',
  '^/api/search$',
  '^/api/(v2/)?search/tags$',
  '^/api/(v2/)?search/tag/[^/]+/values$',
  '^/api/metrics/(query|query_range)$',
  '^/api/echo$',
  '^/api/status/buildinfo$',
];

/**
 * The authenticated read entry of Tempo: nginx with one htpasswd user per reader, in front of
 * Tempo's query API. The login becomes `X-Scope-OrgID` (replacing any the client sent), which a
 * multi-tenant Tempo takes as the tenant and a single-tenant one ignores. Only the read API passes.
 */
export class TempoGateway extends Construct {
  readonly workload: Workload;
  /** `http://<name>-gateway.<ns>.svc.<domain>`: the query API base for readers outside the platform. */
  readonly url: string;

  constructor(scope: Construct, id: string, identity: ComponentIdentity, queryUrl: string, options: TempoGatewayOptions) {
    super(scope, id);
    const gateway = new LoginGateway(this, 'Gateway', {
      ...options,
      identity,
      upstreams: { tempo: queryUrl },
      realm: 'Tempo',
      loginsAre: 'Tempo reader (or tenant)',
      locations: [
        '    # The login is the tenant; the header a client sent is replaced.',
        '    proxy_set_header X-Scope-OrgID $remote_user;',
        ...READ_PATHS.map((path) => `    location ~ ${path} { proxy_pass $tempo$request_uri; }`),
        '    # Nothing else: no overrides API, no operator page.',
        '    location / { return 404; }',
      ],
    });
    this.workload = gateway.workload;
    this.url = gateway.url;
  }
}
