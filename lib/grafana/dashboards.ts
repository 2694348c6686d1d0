import { DATASOURCE_UIDS } from './datasources';

/** A panel of a dashboard: one time series graph of one or more PromQL queries. */
export interface PanelDefinition {
  readonly title: string;
  /** PromQL queries; `legend` is a Grafana legend format such as `{{job}}`. */
  readonly queries: ReadonlyArray<{ readonly expr: string; readonly legend?: string }>;
  /** Grafana unit id, e.g. `reqps`, `s`, `bytes`, `percentunit`. @default "short" */
  readonly unit?: string;
  readonly description?: string;
}

/** A dashboard the library writes itself: a grid of time series over the metrics datasource. */
export interface DashboardDefinition {
  /** Stable uid: dashboard URLs and links stay valid across re-provisioning. */
  readonly uid: string;
  readonly title: string;
  /** Provisioning folder (a directory of the file provider). */
  readonly folder: string;
  readonly tags?: readonly string[];
  readonly panels: readonly PanelDefinition[];
  /** Datasource uid the queries run on. @default "metrics" */
  readonly datasourceUid?: string;
}

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
