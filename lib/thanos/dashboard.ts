import { DashboardDefinition, platformDashboard, rateBy as rate } from '../core/grafana-provisioning';
import { jobMatcher } from '../core/promql-jobs';

/** Thanos: remote-write traffic, head series, object storage operations and failures. */
export function thanosDashboard(jobs: readonly string[]): DashboardDefinition {
  return platformDashboard('thanos', 'Thanos', [
    {
      title: 'HTTP requests by job and handler',
      unit: 'reqps',
      queries: [{ expr: rate('http_requests_total', jobs, 'job, handler, code'), legend: '{{job}} {{handler}} {{code}}' }],
    },
    {
      title: 'Head series by tenant',
      unit: 'short',
      queries: [{ expr: `sum by (tenant) (prometheus_tsdb_head_series{${jobMatcher(jobs)}})`, legend: '{{tenant}}' }],
    },
    {
      title: 'Object storage operations',
      unit: 'ops',
      queries: [{ expr: rate('thanos_objstore_bucket_operations_total', jobs, 'job, operation'), legend: '{{job}} {{operation}}' }],
    },
    {
      title: 'Object storage failures',
      unit: 'ops',
      queries: [{ expr: rate('thanos_objstore_bucket_operation_failures_total', jobs, 'job, operation'), legend: '{{job}} {{operation}}' }],
    },
  ]);
}
