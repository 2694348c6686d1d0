import { RuleGroup } from '../prometheus/rule-groups';

/**
 * Rules about Thanos itself, which the ruler evaluates when no other rules are given. Jobs are
 * the scrape targets' job names (`<instance>-<component>`), so they match the platform's scrapes.
 */
export function thanosHealthRules(instance: string): RuleGroup[] {
  const job = (component: string) => `job="${instance}-${component}"`;
  return [
    {
      name: `${instance}-receive`,
      rules: [
        {
          record: 'job:thanos_receive_http_requests_errors:ratio_rate5m',
          expr: `sum by (job) (rate(http_requests_total{${job('receive')}, handler="receive", code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total{${job('receive')}, handler="receive"}[5m]))`,
        },
        {
          alert: 'ThanosReceiveHttpRequestErrorRateHigh',
          expr: 'job:thanos_receive_http_requests_errors:ratio_rate5m > 0.05',
          for: '5m',
          labels: { severity: 'critical' },
          annotations: { summary: 'More than 5% of remote-write requests to {{ $labels.job }} fail.' },
        },
        {
          alert: 'ThanosReceiveNoUpload',
          // Pods younger than 3h may not have cut their first block yet.
          expr: `sum by (job, instance) (increase(thanos_shipper_uploads_total{${job('receive')}}[3h])) == 0 and on (job, instance) (time() - process_start_time_seconds{${job('receive')}}) > 3 * 3600`,
          for: '15m',
          labels: { severity: 'critical' },
          annotations: { summary: '{{ $labels.instance }} has not uploaded a block for 3 hours.' },
        },
      ],
    },
    {
      name: `${instance}-compactor`,
      rules: [
        {
          alert: 'ThanosCompactHalted',
          expr: `thanos_compact_halted{${job('compactor')}} == 1`,
          for: '5m',
          labels: { severity: 'warning' },
          annotations: { summary: 'The compactor has halted, usually on overlapping blocks; retention and downsampling stop.' },
        },
        {
          alert: 'ThanosCompactHasNotRun',
          expr: `(time() - max by (job) (max_over_time(thanos_objstore_bucket_last_successful_upload_time{${job('compactor')}}[24h]))) / 3600 > 24`,
          labels: { severity: 'warning' },
          annotations: { summary: 'The compactor has not uploaded anything for 24 hours.' },
        },
      ],
    },
    {
      name: `${instance}-query`,
      rules: [
        {
          record: 'job:thanos_query_grpc_errors:ratio_rate5m',
          expr: `sum by (job) (rate(grpc_client_handled_total{${job('query')}, grpc_code!="OK"}[5m])) / sum by (job) (rate(grpc_client_started_total{${job('query')}}[5m]))`,
        },
        {
          alert: 'ThanosQueryGrpcErrorRateHigh',
          expr: 'job:thanos_query_grpc_errors:ratio_rate5m > 0.05',
          for: '5m',
          labels: { severity: 'warning' },
          annotations: { summary: 'More than 5% of StoreAPI calls from {{ $labels.job }} fail.' },
        },
      ],
    },
  ];
}
