import { ScrapeTarget } from '../core/scrape-target';
import { DashboardDefinition } from '../grafana/dashboards';
import { lokiDashboard, overviewDashboard, tempoDashboard, thanosDashboard, victoriaMetricsDashboard } from '../grafana/dashboards/builtin';
import { DATASOURCE_UIDS, DatasourceDefinition, lokiDatasource, metricsDatasource, tempoDatasource } from '../grafana/datasources';
import { LokiCluster } from '../loki';
import { Tempo } from '../tempo/tempo';
import { MetricsBackendKind, PlatformDatasourceKind } from './spec';

/** What the platform runs, as Grafana sees it. */
export interface GrafanaWiringInput {
  readonly loki: LokiCluster;
  readonly logsTenant: string;
  readonly metrics: { readonly backend: MetricsBackendKind; readonly queryUrl: string; readonly scrapeTargets: readonly ScrapeTarget[] };
  readonly scrapeInterval: string;
  readonly tempo?: Tempo;
  readonly kinds: readonly PlatformDatasourceKind[];
}

/**
 * The platform's datasources, linked both ways by uid: logs → traces (derived fields), traces →
 * logs, traces → metrics and the service map, metrics → traces (exemplars). A link is only made
 * to a datasource that exists, so turning Tempo off removes the links to it, not the datasources.
 */
export function platformDatasources(input: GrafanaWiringInput): DatasourceDefinition[] {
  const has = (k: PlatformDatasourceKind) => input.kinds.includes(k);
  const tracesUid = has('tempo') ? DATASOURCE_UIDS.traces : undefined;
  const out: DatasourceDefinition[] = [];
  if (has(input.metrics.backend)) {
    out.push(
      metricsDatasource({
        url: input.metrics.queryUrl,
        prometheusType: input.metrics.backend === 'thanos' ? 'Thanos' : 'Prometheus',
        scrapeInterval: input.scrapeInterval,
        // VictoriaMetrics does not keep exemplars; a link would only ever be empty.
        tracesUid: input.metrics.backend === 'thanos' ? tracesUid : undefined,
      }),
    );
  }
  if (has('loki')) {
    const tenants = [input.logsTenant, ...input.loki.tenantIds.filter((t) => t !== input.logsTenant)];
    tenants.forEach((tenant, i) => {
      const header = input.loki.tenantHeaderFor(tenant);
      out.push(
        lokiDatasource({
          url: input.loki.queryUrl,
          tenant: input.loki.authEnabled ? { header: header.name, id: header.value } : undefined,
          basicAuth: input.loki.clientEndpoint(tenant).basicAuth,
          uid: i === 0 ? DATASOURCE_UIDS.logs : `loki-${tenant}`,
          name: i === 0 ? 'Loki' : `Loki (${tenant})`,
          tracesUid,
        }),
      );
    });
  }
  if (has('tempo') && input.tempo) {
    out.push(
      tempoDatasource({
        url: input.tempo.queryUrl,
        logsUid: has('loki') ? DATASOURCE_UIDS.logs : undefined,
        metricsUid: has(input.metrics.backend) && input.tempo.generatesMetrics ? DATASOURCE_UIDS.metrics : undefined,
      }),
    );
  }
  return out;
}

/** The platform's dashboards, each over exactly the scrape jobs of what it shows. */
export function platformDashboards(input: {
  loki: LokiCluster;
  tempo?: Tempo;
  metrics: GrafanaWiringInput['metrics'];
  allTargets: readonly ScrapeTarget[];
}): DashboardDefinition[] {
  const jobs = (targets: readonly ScrapeTarget[]) => targets.map((t) => t.job);
  return [
    overviewDashboard(jobs(input.allTargets)),
    lokiDashboard(jobs(input.loki.scrapeTargets)),
    ...(input.tempo ? [tempoDashboard(jobs(input.tempo.scrapeTargets))] : []),
    input.metrics.backend === 'thanos' ? thanosDashboard(jobs(input.metrics.scrapeTargets)) : victoriaMetricsDashboard(jobs(input.metrics.scrapeTargets)),
  ];
}
