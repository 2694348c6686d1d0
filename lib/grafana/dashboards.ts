import { DATASOURCE_UIDS, DashboardDefinition, PanelDefinition } from '../core/grafana-provisioning';

// The shapes live in core, where every component can give them.
export type { DashboardDefinition, PanelDefinition };

/**
 * The dashboard JSON Grafana loads from a file. Panels are laid out two per row. The datasource
 * is named by uid, so no `__inputs` or template variable is needed.
 */
export function dashboardJson(d: DashboardDefinition): Record<string, unknown> {
  const datasource = { type: 'prometheus', uid: d.datasourceUid ?? DATASOURCE_UIDS.metrics };
  return {
    uid: d.uid,
    title: d.title,
    tags: [...(d.tags ?? [])],
    editable: false,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    timezone: 'browser',
    templating: { list: [] },
    panels: d.panels.map((p, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
      targets: p.queries.map((q, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource,
        expr: q.expr,
        ...(q.legend ? { legendFormat: q.legend } : {}),
      })),
    })),
  };
}

export { jobMatcher } from '../core/promql-jobs';
