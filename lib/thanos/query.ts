import { Construct } from 'constructs';
import { schemeAt } from '../core/serving-tls';
import { grpcClientConfig, thanosGrpcTlsOf } from './grpc-tls';
import { checkLabelName, checkReplicas, requireProps } from '../core/check-options';
import { renderYaml } from '../core/config-file';
import { Validator } from '../core/errors';
import { ScrapeTarget } from '../core/scrape-target';
import { Wiring } from '../core/wiring';
import { Workload } from '../core/workload';
import { PORT_NAMES, StoreApiEndpoint, THANOS_PORTS } from './common';
import { ThanosComponentProps, thanosIdentity, thanosScrapeTarget, thanosServices, thanosWorkload } from './component';
import { checkThanosComponent } from './validate';
import { clusterDomainOf } from '../core/cluster-domain';

/** Props of {@link ThanosQuery}. */
export interface ThanosQueryProps extends ThanosComponentProps {
  /** The StoreAPIs to query: receive's `storeEndpoints`, a store gateway's, a ruler's, a sidecar's. At least one. */
  readonly endpoints: readonly StoreApiEndpoint[];
  /** Querier pods. @default 2 */
  readonly replicas?: number;
  /** Replica labels besides those the endpoints declare. @default none */
  readonly extraReplicaLabels?: readonly string[];
  /** Longest a query may run. @default "2m" */
  readonly timeout?: string;
  /** Use downsampled data for long ranges automatically. @default true */
  readonly autoDownsampling?: boolean;
  /**
   * Answer each request only with the series of the tenant its `THANOS-TENANT` header names (the
   * `tenant_id` label receive gives each tenant's series). Such a query is `<name>-query-tenants`,
   * and belongs behind a gateway that sets the header from the login ({@link ThanosTenantGateway}).
   * @default false
   */
  readonly enforceTenancy?: boolean;
}

const DEFAULT_RESOURCES = { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } };

/**
 * Thanos Query: the PromQL engine over every StoreAPI. It discovers each endpoint's pods through
 * the SRV records of its headless Service and deduplicates along the replica labels the endpoints
 * declare, so the labels on both sides agree by construction.
 */
export class ThanosQuery extends Construct {
  /** `http://<name>-query.<ns>.svc.<domain>:10902`: the Prometheus HTTP API. */
  readonly httpUrl: string;
  /** `dnssrv+_http._tcp.<name>-query...`: how the ruler finds the queriers. */
  readonly queryApiAddress: string;
  /** The StoreAPIs it queries. */
  readonly endpoints: readonly StoreApiEndpoint[];
  readonly workload: Workload;
  /** Where its metrics are scraped. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  private readonly extraReplicaLabels: readonly string[];

  constructor(scope: Construct, id: string, props: ThanosQueryProps) {
    super(scope, id);
    requireProps(this, props, {
      namespace: 'give the Kubernetes namespace of its objects',
      endpoints: 'pass the storeEndpoints of a ThanosReceive, ThanosStore, ThanosRuler or Prometheus sidecar',
    });
    const r = resolveQuery(this, props);
    const { replicas, identity, clusterDomain } = r;
    this.endpoints = props.endpoints;
    this.extraReplicaLabels = r.extraReplicaLabels;
    const v = new Validator(this);
    checkThanosComponent(v, props, `-${identity.component}-headless`.length);
    checkReplicas(v, 'replicas', replicas);
    v.check(
      props.endpoints.length > 0,
      'endpoints',
      [],
      'is empty: a query with no StoreAPI to discover answers every query with no data',
      'pass the storeEndpoints of a ThanosReceive, ThanosStore, ThanosRuler or Prometheus sidecar',
    );
    const addresses = props.endpoints.map((e) => e.address);
    v.check(new Set(addresses).size === addresses.length, 'endpoints', addresses, 'lists an address twice', 'list each endpoint once');
    for (const label of r.extraReplicaLabels) checkLabelName(v, 'extraReplicaLabels', label);
    v.throwIfAny();

    const { service, headless } = thanosServices(this, identity);
    this.scrapeTargets = [thanosScrapeTarget(this, identity, headless!, clusterDomain)];
    // `--endpoint` is deprecated in v0.42; the SD config takes the same dnssrv+ addresses.
    const tls = thanosGrpcTlsOf(this);
    const sdConfig = { ...(tls ? { default_client_config: grpcClientConfig(tls) } : {}), endpoints: props.endpoints.map((e) => ({ address: e.address })) };
    this.workload = thanosWorkload(this, 'Workload', {
      identity,
      kind: 'Deployment',
      replicas,
      subcommand: 'query',
      flags: [
        `--endpoint.sd-config=${renderYaml(sdConfig)}`,
        `--query.timeout=${r.timeout}`,
        ...(r.autoDownsampling ? ['--query.auto-downsampling'] : []),
        ...(props.enforceTenancy ? ['--query.enforce-tenancy'] : []),
      ],
      // Writers through receive may be made after the query: their labels are read at synth.
      lateFlags: () => this.replicaLabels.map((label) => `--query.replica-label=${label}`),
      options: props,
      defaultResources: DEFAULT_RESOURCES,
    });
    const host = identity.serviceHost(service!.metadata.name!, clusterDomain);
    this.httpUrl = `${schemeAt(this)}://${host}:${THANOS_PORTS.http}`;
    this.queryApiAddress = `dnssrv+_${PORT_NAMES.http}._tcp.${host}`;
    const wiring = Wiring.of(this);
    for (const endpoint of props.endpoints) wiring.flow(endpoint.address, this.httpUrl);
    wiring.flow(this.httpUrl, this.queryApiAddress);
  }

  /**
   * The replica labels it deduplicates along: those its endpoints declare, those of every writer
   * whose series reach it through receive, and `extraReplicaLabels`. Complete once the whole app
   * is built (it is read at synth).
   */
  get replicaLabels(): string[] {
    return this.replicaLabelSources().map((s) => s.label);
  }

  /** Each replica label, and whether every copy it tells apart holds the same samples (receive replication). */
  replicaLabelSources(): Array<{ readonly label: string; readonly identical: boolean }> {
    const identical = new Map<string, boolean>();
    const add = (label: string, same: boolean) => identical.set(label, (identical.get(label) ?? true) && same);
    for (const endpoint of this.endpoints) {
      endpoint.replicaLabels.forEach((label) => add(label, endpoint.identicalReplicas ?? false));
      const writers = Wiring.of(this).writersTo(endpoint.ingestUrls ?? []);
      writers.flatMap((w) => w.replicaLabels).forEach((label) => add(label, false));
    }
    this.extraReplicaLabels.forEach((label) => add(label, false));
    return [...identical].map(([label, same]) => ({ label, identical: same }));
  }
}

/** Fills in every default, in one place. */
function resolveQuery(scope: Construct, props: ThanosQueryProps) {
  return {
    identity: thanosIdentity(props, props.enforceTenancy ? 'query-tenants' : 'query', clusterDomainOf(scope, props.clusterDomain)),
    clusterDomain: clusterDomainOf(scope, props.clusterDomain),
    replicas: props.replicas ?? 2,
    extraReplicaLabels: props.extraReplicaLabels ?? [],
    timeout: props.timeout ?? '2m',
    autoDownsampling: props.autoDownsampling ?? true,
  };
}
