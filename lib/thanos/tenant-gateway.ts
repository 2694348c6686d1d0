import { Construct } from 'constructs';
import { ConfigFile } from '../core/config-file';
import { ComponentIdentity } from '../core/names';
import { LoginGateway, LoginGatewayOptions } from '../core/nginx-gateway';
import { Workload } from '../core/workload';
import { ThanosComponentProps, thanosIdentity } from './component';
import { clusterDomainOf } from '../core/cluster-domain';

/** Options of {@link ThanosTenantGateway}: the login Secret (one user per tenant), replicas, the resolver. */
export type ThanosTenantGatewayOptions = LoginGatewayOptions;

/** Props of {@link ThanosTenantGateway}. */
export interface ThanosTenantGatewayProps extends ThanosTenantGatewayOptions, ThanosComponentProps {
  /** Receive's remote-write base (`http://<receive>:19291`). */
  readonly receiveUrl: string;
  /** The tenancy-enforcing query's HTTP base (`http://<name>-query-tenants:10902`). */
  readonly queryUrl: string;
}

/** The query API paths a tenant may read. Everything else (admin, rules, targets, the UI) is 404. */
const READ_PATHS = 'query|query_range|query_exemplars|series|labels|label/[^/]+/values|metadata|status/buildinfo';

/**
 * The authenticated entry point of a multi-tenant Thanos: nginx with one htpasswd user per tenant.
 * The login becomes the `THANOS-TENANT` header, replacing any the client sent: a write lands in
 * that tenant's TSDB on receive, and a read goes to a query that enforces tenancy, so a tenant sees
 * its own series only. No other path passes.
 */
export class ThanosTenantGateway extends Construct {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly config: ConfigFile;
  /** `http://<name>-gateway.<ns>.svc.<domain>`: the query API base. */
  readonly url: string;
  /** Where tenants remote-write: `<url>/api/v1/receive`. */
  readonly remoteWriteUrl: string;

  constructor(scope: Construct, id: string, props: ThanosTenantGatewayProps) {
    super(scope, id);
    const domain = clusterDomainOf(this, props.clusterDomain);
    this.identity = thanosIdentity(props, 'gateway', domain);
    const gateway = new LoginGateway(this, 'Gateway', {
      ...props,
      identity: this.identity,
      clusterDomain: domain,
      upstreams: { receive: props.receiveUrl, query: props.queryUrl },
      realm: 'Thanos',
      loginsAre: 'Thanos tenant',
      locations: [
        '    # The login is the tenant; the header a client sent is replaced.',
        '    proxy_set_header THANOS-TENANT $remote_user;',
        '    location = /api/v1/receive { proxy_pass $receive$request_uri; }',
        `    location ~ ^/api/v1/(${READ_PATHS})$ { proxy_pass $query$request_uri; }`,
        '    # Nothing else: no admin API, no UI, no other component.',
        '    location / { return 404; }',
      ],
    });
    this.workload = gateway.workload;
    this.config = gateway.config;
    this.url = gateway.url;
    this.remoteWriteUrl = `${this.url}/api/v1/receive`;
  }
}
