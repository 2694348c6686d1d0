import { DashboardDefinition, platformDashboard, residentMemoryPanel, p99By as p99, rateBy as rate } from '../core/grafana-provisioning';

/** Tempo's own metrics: spans received, query traffic and latency. */
export function tempoDashboard(jobs: readonly string[]): DashboardDefinition {
  return platformDashboard('tempo', 'Tempo', [
    {
      title: 'Spans received by tenant',
      unit: 'short',
      queries: [{ expr: rate('tempo_distributor_spans_received_total', jobs, 'tenant'), legend: '{{tenant}}' }],
    },
    {
      title: 'Requests by route and status',
      unit: 'reqps',
      queries: [{ expr: rate('tempo_request_duration_seconds_count', jobs, 'route, status_code'), legend: '{{route}} {{status_code}}' }],
    },
    { title: 'p99 latency by route', unit: 's', queries: [{ expr: p99('tempo_request_duration_seconds_bucket', jobs, 'route'), legend: '{{route}}' }] },
    residentMemoryPanel(jobs),
  ]);
}
