import { DashboardDefinition, platformDashboard, residentMemoryPanel, rateBy as rate } from '../core/grafana-provisioning';
import { jobMatcher } from '../core/promql-jobs';

/** VictoriaMetrics cluster: rows inserted, HTTP traffic, stored rows and disk use. */
export function victoriaMetricsDashboard(jobs: readonly string[]): DashboardDefinition {
  return platformDashboard('victoriametrics', 'VictoriaMetrics', [
    { title: 'Rows inserted by type', unit: 'short', queries: [{ expr: rate('vm_rows_inserted_total', jobs, 'type'), legend: '{{type}}' }] },
    {
      title: 'HTTP requests by job and path',
      unit: 'reqps',
      queries: [{ expr: rate('vm_http_requests_total', jobs, 'job, path'), legend: '{{job}} {{path}}' }],
    },
    { title: 'Data size on disk', unit: 'bytes', queries: [{ expr: `sum by (instance) (vm_data_size_bytes{${jobMatcher(jobs)}})`, legend: '{{instance}}' }] },
    residentMemoryPanel(jobs),
  ]);
}
