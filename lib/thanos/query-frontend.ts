import { Construct } from 'constructs';
import { PLATFORM_CA_FILE, checkPlatformTrust, schemeAt, servingTlsOf } from '../core/serving-tls';
import { checkReplicas, requireProps } from '../core/check-options';
import { renderYaml } from '../core/config-file';
import { Validator } from '../core/errors';
import { ScrapeTarget } from '../core/scrape-target';
import { Wiring } from '../core/wiring';
import { Workload } from '../core/workload';
import { Memcached, MemcachedOptions, checkMemcachedOptions } from '../memcached/memcached';
import { responseCache } from './caches';
import { THANOS_PORTS } from './common';
import { ThanosComponentProps, thanosIdentity, thanosScrapeTarget, thanosServices, thanosWorkload } from './component';
import { ThanosQuery } from './query';
import { checkDuration, checkThanosComponent } from './validate';
import { clusterDomainOf } from '../core/cluster-domain';

/** Props of {@link ThanosQueryFrontend}. */
export interface ThanosQueryFrontendProps extends ThanosComponentProps {
  /** The queriers it splits, retries and caches queries for. */
  readonly query: ThanosQuery;
  /** Frontend pods. @default 2 */
  readonly replicas?: number;
  /** Range queries are split into pieces of this length, run in parallel and cached per piece. @default "24h" */
  readonly splitInterval?: string;
  /** Retries of a failed piece. @default 5 */
  readonly maxRetries?: number;
  /** A memcached results cache shared by the frontends; without it each pod caches in memory. @default none */
  readonly resultsCache?: MemcachedOptions;
  /** Size of the in-memory results cache when there is no memcached one. @default "256MB" */
  readonly inMemoryCacheSize?: string;
}

const DEFAULT_RESOURCES = { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } };

/**
 * Thanos query-frontend: the entry point for dashboards. It splits long range queries, retries
 * failed pieces and caches results in front of {@link ThanosQuery}. HTTP only, on the same port
 * (10902) as every other Thanos HTTP API.
 */
export class ThanosQueryFrontend extends Construct {
  /** `http://<name>-query-frontend.<ns>.svc.<domain>:10902`: the Prometheus-compatible URL for Grafana. */
  readonly queryUrl: string;
  readonly workload: Workload;
  /** Where its metrics are scraped. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  readonly resultsCache?: Memcached;

  constructor(scope: Construct, id: string, props: ThanosQueryFrontendProps) {
    super(scope, id);
    requireProps(this, props, { namespace: 'give the Kubernetes namespace of its objects', query: 'pass the ThanosQuery it fronts' });
    const r = resolveFrontend(this, props);
    const { replicas, splitInterval, maxRetries, identity, clusterDomain } = r;
    const v = new Validator(this);
    checkThanosComponent(v, props, '-query-frontend-cache'.length);
    checkReplicas(v, 'replicas', replicas);
    checkDuration(v, 'splitInterval', splitInterval, 3600_000, 'pieces shorter than an hour only multiply requests');
    v.check(Number.isInteger(maxRetries) && maxRetries >= 0, 'maxRetries', maxRetries, 'must be a whole number of 0 or more', 'set it to 5');
    checkMemcachedOptions(v, 'resultsCache', props.resultsCache);
    checkPlatformTrust(v, this, 'query', props.query.httpUrl, props.query.httpUrl.startsWith('https://'));
    v.throwIfAny();

    if (props.resultsCache) {
      this.resultsCache = new Memcached(this, 'ResultsCache', { ...props.resultsCache, owner: identity, component: 'query-frontend-cache', clusterDomain });
    }
    const http = { listeners: { grpc: false } };
    const { service, headless } = thanosServices(this, identity, http);
    this.scrapeTargets = [thanosScrapeTarget(this, identity, headless!, clusterDomain)];
    this.workload = thanosWorkload(this, 'Workload', {
      identity,
      kind: 'Deployment',
      replicas,
      subcommand: 'query-frontend',
      ...http,
      flags: [
        `--query-frontend.downstream-url=${props.query.httpUrl}`,
        ...(servingTlsOf(this) ? [`--query-frontend.downstream-tripper-config=${renderYaml({ tls_config: { ca_file: PLATFORM_CA_FILE } })}`] : []),
        `--query-range.split-interval=${splitInterval}`,
        `--query-range.max-retries-per-request=${maxRetries}`,
        `--query-range.response-cache-config=${renderYaml(responseCache(this.resultsCache, r.inMemoryCacheSize))}`,
        '--query-frontend.compress-responses',
        '--query-frontend.log-queries-longer-than=10s',
      ],
      options: props,
      defaultResources: DEFAULT_RESOURCES,
    });
    this.queryUrl = `${schemeAt(this)}://${identity.serviceHost(service!.metadata.name!, clusterDomain)}:${THANOS_PORTS.http}`;
    Wiring.of(this).flow(props.query.httpUrl, this.queryUrl);
  }
}

/** Fills in every default, in one place. */
function resolveFrontend(scope: Construct, props: ThanosQueryFrontendProps) {
  return {
    identity: thanosIdentity(props, 'query-frontend', clusterDomainOf(scope, props.clusterDomain)),
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
    replicas: props.replicas ?? 2,
    splitInterval: props.splitInterval ?? '24h',
    maxRetries: props.maxRetries ?? 5,
    inMemoryCacheSize: props.inMemoryCacheSize ?? '256MB',
  };
}
