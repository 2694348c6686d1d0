import { Construct } from 'constructs';
import { VmAuth, VmAuthProps } from './vmauth';
import { clusterDomainOf } from '../core/cluster-domain';
import { networkPoliciesEnabled } from '../core/network-policy';
import { Validator } from '../core/errors';
import { DashboardDefinition, DashboardProvider, DatasourceContext, DatasourceDefinition, DatasourceProvider } from '../core/grafana-provisioning';
import { ScrapeTarget } from '../core/scrape-target';
import { victoriaMetricsDashboard } from './dashboard';
import { metricsDatasource } from '../core/grafana-datasources';
import { addWarning } from '../core/warnings';
import { Wiring } from '../core/wiring';
import { servingTlsOf } from '../core/serving-tls';
import { RemoteWriteTarget } from '../core/remote-write';
import { VmInsert, VmInsertOptions, VmSelect, VmSelectOptions } from './frontends';
import { VM_PORTS, VmPlacement, checkPlacement } from './common';
import { flagValue } from '../core/args';
import { checkReplicas } from '../core/check-options';
import { VmTenant, tenantRule } from './tenant';
import { VmStorage, VmStorageOptions } from './vmstorage';
import { retentionRule } from './retention';
import { VmBackupOptions } from './backup';

/** Props of {@link VictoriaMetricsCluster}. */
export interface VictoriaMetricsClusterProps extends VmPlacement {
  /** How long samples are kept: at least 24h; a bare number counts months. @default "90d" */
  readonly retention?: string;
  /**
   * Copies of every sample on distinct storage nodes, set alike on vminsert and vmselect. Keep
   * at least 2×RF−1 storage nodes so that new data keeps RF copies while RF−1 nodes are down.
   * @default 2
   */
  readonly replicationFactor?: number;
  /**
   * Keep one sample per series per interval, on vmstorage and vmselect alike. Set it to the scrape
   * interval when HA agent pairs send the same series twice.
   * @default none (vmselect still removes replication copies with 1ms when replicationFactor > 1)
   */
  readonly dedupInterval?: string;
  /** Storage nodes. @default 3 nodes with 50Gi each */
  readonly vmstorage?: VmStorageOptions;
  /**
   * Back the storage nodes up to object storage on a schedule (vmbackup beside each node) and
   * restore them from there (see the README's recovery runbook).
   * @default no backups
   */
  readonly backup?: VmBackupOptions;
  /** Ingestion. @default 2 pods */
  readonly vminsert?: VmInsertOptions;
  /** Queries. @default 2 pods */
  readonly vmselect?: VmSelectOptions;
  /**
   * vmauth in front of both, with a login per tenant: where clients outside the platform write and
   * query (see {@link VmAuth}).
   * @default none (the platform's own components reach vminsert and vmselect, admitted by their NetworkPolicies)
   */
  readonly auth?: Omit<VmAuthProps, 'cluster'>;
}

/**
 * A VictoriaMetrics cluster: vmstorage nodes behind vminsert for writes and vmselect for reads,
 * with tenants as account IDs in the URLs. Both front ends list every storage node by its stable
 * name and share one replication factor, so the lists cannot drift apart.
 */
export class VictoriaMetricsCluster extends Construct implements DatasourceProvider, DashboardProvider {
  readonly datasourceKind = 'victoriametrics';
  readonly signal = 'metrics' as const;
  readonly vmstorage: VmStorage;
  readonly vminsert: VmInsert;
  readonly vmselect: VmSelect;
  /** The authenticating entry point, when `auth` is given. */
  readonly auth?: VmAuth;
  readonly replicationFactor: number;
  /** The dedup interval of vmstorage and vmselect, when set. */
  readonly dedupInterval?: string;
  /** Every component's metrics. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  /** Where it runs: namespace, instance name, cluster domain. */
  readonly placement: VmPlacement;
  /** The cluster DNS domain its addresses end in. */
  readonly clusterDomain: string;
  private readonly externalInsertUrl?: string;

  constructor(scope: Construct, id: string, props: VictoriaMetricsClusterProps) {
    super(scope, id);
    this.replicationFactor = props.replicationFactor ?? 2;
    this.dedupInterval = props.dedupInterval;
    const retention = props.retention ?? '90d';
    validateCluster(this, props, this.replicationFactor, retention);
    const placement: VmPlacement = (this.placement = { namespace: props.namespace, name: props.name, clusterDomain: props.clusterDomain });
    this.clusterDomain = clusterDomainOf(this, props.clusterDomain);
    const rf = this.replicationFactor;

    this.vmstorage = new VmStorage(this, 'vmstorage', {
      ...props.vmstorage,
      ...placement,
      retention,
      dedupInterval: props.dedupInterval,
      backup: props.backup,
    });
    this.vminsert = new VmInsert(this, 'vminsert', { ...props.vminsert, ...placement, storage: this.vmstorage, replicationFactor: rf });
    this.vmselect = new VmSelect(this, 'vmselect', {
      ...props.vmselect,
      ...placement,
      storage: this.vmstorage,
      replicationFactor: rf,
      dedupInterval: props.dedupInterval,
    });
    this.externalInsertUrl = props.vminsert?.exposure?.externalUrl.replace(/\/+$/, '');
    if (props.auth) this.auth = new VmAuth(this, 'vmauth', { ...props.auth, cluster: this });
    this.scrapeTargets = [this.vmstorage.scrapeTarget, this.vminsert.scrapeTarget, this.vmselect.scrapeTarget, ...(this.auth ? [this.auth.scrapeTarget] : [])];

    const nodes = this.vmstorage.replicas;
    if (nodes < 2 * rf - 1) {
      addWarning(
        this,
        'vmstorage-below-2rf-1',
        'vmstorage.replicas',
        nodes,
        `is below 2×replicationFactor−1 = ${2 * rf - 1}: while a node is down, new samples get fewer than ${rf} copies`,
        `run ${2 * rf - 1} or more storage nodes to keep every copy through a node failure`,
      );
    }
  }

  /**
   * Where a tenant's Prometheus remote-write goes (`/insert/<tenant>/prometheus/api/v1/write`).
   * `from: 'outside'` gives the exposed URL, for agents in other clusters.
   */
  remoteWriteUrl(tenant: VmTenant = 0, options: { readonly from?: 'inside' | 'outside' } = {}): string {
    const t = this.checkTenant(tenant);
    if (options.from === 'outside') {
      if (!this.externalInsertUrl) {
        const v = new Validator(this);
        v.check(
          false,
          'vminsert.exposure',
          undefined,
          'has no external URL, so agents outside the cluster have nowhere to write',
          'set vminsert.exposure.externalUrl to the URL an Ingress or load balancer serves vminsert at',
        );
        v.throwIfAny();
      }
      return this.recordFlow(t, `${this.externalInsertUrl}/insert/${t}/prometheus/api/v1/write`);
    }
    return this.recordFlow(t, `${this.vminsert.insertUrl(t)}/prometheus/api/v1/write`);
  }

  /** A tenant's writes are read back at the tenant's select URL: the app's wiring learns it here. */
  private recordFlow(tenant: string, writeUrl: string): string {
    Wiring.of(this).flow(writeUrl, this.vmselect.prometheusUrl(tenant));
    return writeUrl;
  }

  /** A remote-write target for a Prometheus or a vmagent writing as `tenant`. */
  remoteWriteTarget(tenant: VmTenant = 0, options: { readonly from?: 'inside' | 'outside' } = {}): RemoteWriteTarget {
    return {
      url: this.remoteWriteUrl(tenant, options),
      name: `${this.vminsert.identity.instance}-tenant-${String(tenant).replace(':', '-')}`,
      // Two agents sending one series are merged to one sample per interval only with a dedup interval.
      deduplication: this.dedupInterval ? 'interval' : 'none',
      // VictoriaMetrics keeps no exemplars.
      keepsExemplars: false,
      // Inside the cluster vminsert serves HTTPS from the platform's CA when serving TLS is on.
      ...(options.from !== 'outside' && this.vminsert.https ? { platformCa: true } : {}),
    };
  }

  /** The Prometheus-compatible API of a tenant (`/select/<tenant>/prometheus`), for Grafana and other readers. */
  queryUrl(tenant: VmTenant = 0): string {
    return this.vmselect.prometheusUrl(this.checkTenant(tenant));
  }

  /** Tenant 0's query API as a Prometheus datasource (no exemplars, so no link to traces). */
  datasources(context: DatasourceContext): DatasourceDefinition[] {
    return [
      metricsDatasource({
        url: this.queryUrl(0),
        prometheusType: 'Prometheus',
        scrapeInterval: context.scrapeInterval,
        ...(this.vmselect.https ? { platformCa: true } : {}),
      }),
    ];
  }

  dashboards(): DashboardDefinition[] {
    return [victoriaMetricsDashboard(this.scrapeTargets.map((t) => t.job))];
  }

  /** `host:port` of every storage node, as vminsert lists them. */
  get storageNodes(): string[] {
    return this.vmstorage.insertNodes;
  }

  private checkTenant(tenant: VmTenant): string {
    const v = new Validator(this);
    v.apply('tenant', tenant, tenantRule(tenant));
    v.throwIfAny();
    return String(tenant);
  }
}

function validateCluster(scope: Construct, props: VictoriaMetricsClusterProps, rf: number, retention: string): void {
  const v = new Validator(scope);
  checkPlacement(v, props, 'vmstorage');
  v.apply('retention', retention, retentionRule(retention));
  const nodes = props.vmstorage?.replicas ?? 3;
  const nodesValid = checkReplicas(v, 'vmstorage.replicas', nodes);
  if (v.check(Number.isInteger(rf) && rf >= 1, 'replicationFactor', rf, 'is not a whole number of at least 1', 'set it to 1, 2 or 3') && nodesValid) {
    v.check(
      rf <= nodes,
      'replicationFactor',
      rf,
      `is larger than the ${nodes} storage nodes, so no sample could get that many copies on distinct nodes`,
      `set vmstorage.replicas to ${2 * rf - 1} or more, or lower replicationFactor to ${nodes} or less`,
    );
  }
  v.check(
    (props.vmstorage as { autoscaling?: unknown } | undefined)?.autoscaling === undefined,
    'vmstorage.autoscaling',
    (props.vmstorage as { autoscaling?: unknown } | undefined)?.autoscaling,
    'is not offered: storage nodes do not rebalance, so a node an autoscaler removes takes its data out of every query',
    'size vmstorage with vmstorage.replicas, and autoscale vminsert and vmselect instead',
  );
  // vminsert writes each sample to RF nodes and vmselect expects as many copies: they must agree, extraArgs included.
  const insertRf = flagValue(props.vminsert?.extraArgs, 'replicationFactor');
  const selectRf = flagValue(props.vmselect?.extraArgs, 'replicationFactor');
  for (const [property, given] of [
    ['vminsert.extraArgs', insertRf],
    ['vmselect.extraArgs', selectRf],
  ] as const) {
    if (given === undefined) continue;
    v.check(
      Number(given) === rf,
      property,
      `-replicationFactor=${given}`,
      `differs from the replicationFactor (${rf}) the other front end uses: vmselect would ${Number(given) > rf ? 'wait for copies that were never written' : 'return duplicated copies'} or report partial results`,
      'set replicationFactor on the cluster, which both front ends share',
    );
  }
  const exposure = props.vminsert?.exposure;
  const url = exposure?.externalUrl;
  if (
    url !== undefined &&
    v.check(
      /^https?:\/\/[^/\s:]+(:\d{1,5})?\/?$/.test(url),
      'vminsert.exposure.externalUrl',
      url,
      'is not an http(s) URL without a path',
      exposure?.loadBalancerAnnotations
        ? `give e.g. "http://vminsert.metrics.example.com:${VM_PORTS.vminsert}", the name the load balancer answers at`
        : 'give e.g. "https://vminsert.metrics.example.com"',
    )
  ) {
    // The load balancer the library asks for forwards TCP to vminsert's plain-HTTP port as is.
    const lb = exposure?.loadBalancerAnnotations;
    v.check(
      !lb || servingTlsOf(scope) === undefined,
      'vminsert.exposure.loadBalancerAnnotations',
      lb,
      'asks for a load balancer that forwards TCP to vminsert, which serves HTTPS with serving TLS on, from a certificate for its in-cluster names only: agents outside would fail the handshake',
      'expose vminsert through an Ingress or gateway of yours that connects to it over HTTPS (leave loadBalancerAnnotations unset), or keep the cluster out of serving TLS',
    );
    if (lb) {
      v.check(
        (exposure?.allowedSources?.length ?? 0) > 0 || !networkPoliciesEnabled(scope),
        'vminsert.exposure.allowedSources',
        exposure?.allowedSources,
        "is empty, so vminsert's NetworkPolicy would refuse every agent the load balancer sends",
        'list the address ranges the agents (or the load balancer, when it does not keep client addresses) reach vminsert from, e.g. ["10.0.0.0/16"]',
      );
      const tls = Object.keys(lb).some((k) => /ssl-cert|tls/.test(k));
      const parsed = new URL(url);
      const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
      v.check(
        parsed.protocol === 'http:' || tls,
        'vminsert.exposure.externalUrl',
        url,
        `is https, but the load balancer forwards plain TCP to vminsert, which serves plain HTTP on ${VM_PORTS.vminsert}: agents would fail the TLS handshake`,
        `use "http://${parsed.hostname}:${VM_PORTS.vminsert}", or terminate TLS at the load balancer with its certificate annotation`,
      );
      v.check(
        port === VM_PORTS.vminsert || tls,
        'vminsert.exposure.externalUrl',
        url,
        `names port ${port}, but the load balancer listens on the Service port ${VM_PORTS.vminsert}`,
        `use "http://${parsed.hostname}:${VM_PORTS.vminsert}"`,
      );
    }
  }
  v.throwIfAny();
}
