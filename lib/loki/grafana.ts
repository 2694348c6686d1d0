import { DATASOURCE_UIDS, DashboardDefinition, DatasourceContext, DatasourceDefinition } from '../core/grafana-provisioning';
import { lokiDashboard } from './dashboard';
import { lokiDatasource } from '../core/grafana-datasources';
import type { LokiCluster } from './cluster';

/**
 * One datasource per tenant (Loki answers one tenant per request): the context's tenant first,
 * under the platform's logs uid, the others as `loki-<tenant>`. Each sends its tenant's header,
 * or behind a basic-auth gateway the tenant's credentials.
 */
export function lokiDatasources(loki: LokiCluster, context: DatasourceContext): DatasourceDefinition[] {
  const first = context.tenant ?? loki.tenantIds[0] ?? 'fake';
  const tenants = [first, ...loki.tenantIds.filter((t) => t !== first)];
  return tenants.map((tenant, i) => {
    const header = loki.tenantHeaderFor(tenant);
    return lokiDatasource({
      url: loki.queryUrl,
      tenant: loki.authEnabled ? { header: header.name, id: header.value } : undefined,
      basicAuth: loki.clientEndpoint(tenant).basicAuth,
      uid: i === 0 ? DATASOURCE_UIDS.logs : `loki-${tenant}`,
      name: i === 0 ? 'Loki' : `Loki (${tenant})`,
      tracesUid: context.links.tracesUid,
      platformCa: loki.clientEndpoint(tenant).platformCa,
    });
  });
}

/** Loki's own dashboard, over the jobs of its read, write and backend pods. */
export function lokiDashboards(loki: LokiCluster): DashboardDefinition[] {
  return [lokiDashboard(loki.scrapeTargets.map((t) => t.job))];
}
