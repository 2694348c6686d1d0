import { dashboardsOf, datasourcesOf, DashboardDefinition, DatasourceDefinition } from '../core/grafana-provisioning';
import { ScrapeTarget } from '../core/scrape-target';
import { overviewDashboard } from '../grafana/dashboards/builtin';

/**
 * Grafana's datasources and dashboards for the components the platform runs: each component gives
 * its own (the contracts in core/grafana-provisioning), the platform only picks and orders them.
 */
export function platformGrafanaContent(input: {
  /** Every component the platform runs, in the order their dashboards are listed. */
  readonly components: readonly unknown[];
  /** The datasource kinds wanted (`grafana.datasources`). */
  readonly kinds: readonly string[];
  readonly scrapeInterval: string;
  /** The tenant the platform's collectors write logs as: its Loki datasource comes first. */
  readonly logsTenant: string;
  /** Every scrape target, for the overview of all jobs. */
  readonly allTargets: readonly ScrapeTarget[];
}): { datasources: DatasourceDefinition[]; dashboards: DashboardDefinition[] } {
  return {
    datasources: datasourcesOf(input.components, { kinds: input.kinds, scrapeInterval: input.scrapeInterval, tenant: input.logsTenant }),
    dashboards: [overviewDashboard(input.allTargets.map((t) => t.job)), ...dashboardsOf(input.components)],
  };
}
