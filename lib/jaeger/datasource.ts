import { DatasourceDefinition } from '../core/grafana-provisioning';

/** Options of a Jaeger datasource. */
export interface JaegerDatasourceOptions {
  /** Jaeger's query API, e.g. a Jaeger's `queryUrl`. */
  readonly url: string;
  readonly uid: string;
  /** @default "Jaeger" */
  readonly name?: string;
  /** Where a span's logs are found. @default no link */
  readonly logsUid?: string;
  /** Where the service's metrics are read. @default no link */
  readonly metricsUid?: string;
}

/**
 * Jaeger, with trace → logs and trace → metrics like the Tempo datasource's. Jaeger makes no span
 * metrics of its own, so the metrics are what OpenTelemetry instrumentation reports for each
 * service (HTTP server duration), found by its `job` label, which the OTLP translation takes from
 * `service.name`.
 */
export function jaegerDatasource(o: JaegerDatasourceOptions): DatasourceDefinition {
  return {
    name: o.name ?? 'Jaeger',
    type: 'jaeger',
    uid: o.uid,
    url: o.url,
    jsonData: {
      nodeGraph: { enabled: true },
      ...(o.logsUid
        ? {
            tracesToLogsV2: {
              datasourceUid: o.logsUid,
              spanStartTimeShift: '-1h',
              spanEndTimeShift: '1h',
              filterByTraceID: true,
              filterBySpanID: false,
              tags: [{ key: 'service.name', value: 'service_name' }],
            },
          }
        : {}),
      ...(o.metricsUid
        ? {
            tracesToMetrics: {
              datasourceUid: o.metricsUid,
              spanStartTimeShift: '-1h',
              spanEndTimeShift: '1h',
              tags: [{ key: 'service.name', value: 'job' }],
              queries: [
                { name: 'Request rate', query: 'sum(rate(http_server_request_duration_seconds_count{$__tags}[5m]))' },
                { name: 'p95 latency', query: 'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{$__tags}[5m])))' },
              ],
            },
          }
        : {}),
    },
  };
}
