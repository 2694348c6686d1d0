import { DashboardDefinition, platformDashboard, residentMemoryPanel, p99By as p99, rateBy as rate } from '../core/grafana-provisioning';
import { jobMatcher } from '../core/promql-jobs';

/** Loki's own metrics: what it ingests, what it serves, how fast, and what it holds. */
export function lokiDashboard(jobs: readonly string[]): DashboardDefinition {
  return platformDashboard('loki', 'Loki', [
    {
      title: 'Ingested bytes by tenant',
      unit: 'Bps',
      queries: [{ expr: rate('loki_distributor_bytes_received_total', jobs, 'tenant'), legend: '{{tenant}}' }],
    },
    {
      title: 'Ingested lines by tenant',
      unit: 'short',
      queries: [{ expr: rate('loki_distributor_lines_received_total', jobs, 'tenant'), legend: '{{tenant}}' }],
    },
    {
      title: 'Requests by route and status',
      unit: 'reqps',
      queries: [{ expr: rate('loki_request_duration_seconds_count', jobs, 'route, status_code'), legend: '{{route}} {{status_code}}' }],
    },
    { title: 'p99 latency by route', unit: 's', queries: [{ expr: p99('loki_request_duration_seconds_bucket', jobs, 'route'), legend: '{{route}}' }] },
    { title: 'Streams in memory', unit: 'short', queries: [{ expr: `sum by (job) (loki_ingester_memory_streams{${jobMatcher(jobs)}})`, legend: '{{job}}' }] },
    residentMemoryPanel(jobs),
  ]);
}
