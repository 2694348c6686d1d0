import { jobMatcher } from '../core/promql-jobs';
import { RuleGroup } from '../core/rule-groups';

/** The scrape jobs of a Thanos instance's components, as its scrape targets name them. */
export interface ThanosJobs {
  /** Every receive job: ingestor rings and routers (both answer remote write). */
  readonly receive: readonly string[];
  /** The ingestor rings only (they upload blocks). */
  readonly ingestors: readonly string[];
  readonly query: readonly string[];
  readonly compactor: readonly string[];
}

/**
 * Rules about Thanos itself, which the ruler evaluates when no other rules are given. They select
 * exactly the jobs the components' scrape targets name (a split receive has one job per ring and
 * one for its routers), and a group is left out when its component is.
 */
export function thanosHealthRules(instance: string, jobs: ThanosJobs): RuleGroup[] {
  const receive = jobMatcher(jobs.receive);
  const ingestors = jobMatcher(jobs.ingestors);
  const query = jobMatcher(jobs.query);
  const compactor = jobMatcher(jobs.compactor);
  const groups: RuleGroup[] = [
    {
      name: `${instance}-receive`,
      rules: [
        {
          record: 'job:thanos_receive_http_requests_errors:ratio_rate5m',
          expr: `sum by (job) (rate(http_requests_total{${receive}, handler="receive", code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total{${receive}, handler="receive"}[5m]))`,
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
          expr: `sum by (job, instance) (increase(thanos_shipper_uploads_total{${ingestors}}[3h])) == 0 and on (job, instance) (time() - process_start_time_seconds{${ingestors}}) > 3 * 3600`,
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
          expr: `thanos_compact_halted{${compactor}} == 1`,
          for: '5m',
          labels: { severity: 'warning' },
          annotations: { summary: 'The compactor has halted, usually on overlapping blocks; retention and downsampling stop.' },
        },
        {
          alert: 'ThanosCompactHasNotRun',
          expr: `(time() - max by (job) (max_over_time(thanos_objstore_bucket_last_successful_upload_time{${compactor}}[24h]))) / 3600 > 24`,
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
          expr: `sum by (job) (rate(grpc_client_handled_total{${query}, grpc_code!="OK"}[5m])) / sum by (job) (rate(grpc_client_started_total{${query}}[5m]))`,
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
  const has: Record<string, boolean> = {
    [`${instance}-receive`]: jobs.receive.length > 0,
    [`${instance}-compactor`]: jobs.compactor.length > 0,
    [`${instance}-query`]: jobs.query.length > 0,
  };
  return groups.filter((g) => has[g.name]);
}
