import { DashboardDefinition, jobMatcher } from '../dashboards';

/**
 * The dashboards the platform ships, written here (not copied from upstream mixins, which need
 * their own recording rules and label scheme). Each takes the scrape jobs of what it shows, so
 * its queries select exactly the series the platform's pipeline collects.
 */

const FOLDER = 'platform';
const rate = (metric: string, jobs: readonly string[], by: string, extra = '') => `sum by (${by}) (rate(${metric}{${jobMatcher(jobs)}${extra}}[5m]))`;
const p99 = (metric: string, jobs: readonly string[], by: string) => `histogram_quantile(0.99, sum by (le, ${by}) (rate(${metric}{${jobMatcher(jobs)}}[5m])))`;

/** Health of every scraped job: targets up, scrape time, memory and CPU per job. */
export function overviewDashboard(jobs: readonly string[]): DashboardDefinition {
  return {
    uid: 'platform-overview',
    title: 'Platform / Overview',
    folder: FOLDER,
    tags: ['platform'],
    panels: [
      { title: 'Targets up', unit: 'short', queries: [{ expr: `sum by (job) (up{${jobMatcher(jobs)}})`, legend: '{{job}}' }] },
      { title: 'Targets down', unit: 'short', queries: [{ expr: `count by (job) (up{${jobMatcher(jobs)}} == 0)`, legend: '{{job}}' }] },
      { title: 'Scrape duration', unit: 's', queries: [{ expr: `max by (job) (scrape_duration_seconds{${jobMatcher(jobs)}})`, legend: '{{job}}' }] },
      { title: 'Resident memory', unit: 'bytes', queries: [{ expr: `sum by (job) (process_resident_memory_bytes{${jobMatcher(jobs)}})`, legend: '{{job}}' }] },
      { title: 'CPU', unit: 'short', queries: [{ expr: rate('process_cpu_seconds_total', jobs, 'job'), legend: '{{job}}' }] },
    ],
  };
}

/** Loki's own metrics: what it ingests, what it serves, how fast, and what it holds. */
export function lokiDashboard(jobs: readonly string[]): DashboardDefinition {
  return {
    uid: 'platform-loki',
    title: 'Platform / Loki',
    folder: FOLDER,
    tags: ['platform', 'loki'],
    panels: [
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
      {
        title: 'Resident memory by pod',
        unit: 'bytes',
        queries: [{ expr: `sum by (instance) (process_resident_memory_bytes{${jobMatcher(jobs)}})`, legend: '{{instance}}' }],
      },
    ],
  };
}

/** Tempo's own metrics: spans received, query traffic and latency. */
export function tempoDashboard(jobs: readonly string[]): DashboardDefinition {
  return {
    uid: 'platform-tempo',
    title: 'Platform / Tempo',
    folder: FOLDER,
    tags: ['platform', 'tempo'],
    panels: [
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
      {
        title: 'Resident memory by pod',
        unit: 'bytes',
        queries: [{ expr: `sum by (instance) (process_resident_memory_bytes{${jobMatcher(jobs)}})`, legend: '{{instance}}' }],
      },
    ],
  };
}

/** Thanos: remote-write traffic, head series, object storage operations and failures. */
export function thanosDashboard(jobs: readonly string[]): DashboardDefinition {
  return {
    uid: 'platform-thanos',
    title: 'Platform / Thanos',
    folder: FOLDER,
    tags: ['platform', 'thanos'],
    panels: [
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
    ],
  };
}

/** VictoriaMetrics cluster: rows inserted, HTTP traffic, stored rows and disk use. */
export function victoriaMetricsDashboard(jobs: readonly string[]): DashboardDefinition {
  return {
    uid: 'platform-victoriametrics',
    title: 'Platform / VictoriaMetrics',
    folder: FOLDER,
    tags: ['platform', 'victoriametrics'],
    panels: [
      { title: 'Rows inserted by type', unit: 'short', queries: [{ expr: rate('vm_rows_inserted_total', jobs, 'type'), legend: '{{type}}' }] },
      {
        title: 'HTTP requests by job and path',
        unit: 'reqps',
        queries: [{ expr: rate('vm_http_requests_total', jobs, 'job, path'), legend: '{{job}} {{path}}' }],
      },
      { title: 'Data size on disk', unit: 'bytes', queries: [{ expr: `sum by (instance) (vm_data_size_bytes{${jobMatcher(jobs)}})`, legend: '{{instance}}' }] },
      {
        title: 'Resident memory by pod',
        unit: 'bytes',
        queries: [{ expr: `sum by (instance) (process_resident_memory_bytes{${jobMatcher(jobs)}})`, legend: '{{instance}}' }],
      },
    ],
  };
}
