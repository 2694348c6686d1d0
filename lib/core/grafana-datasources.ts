import { PLATFORM_CA_FILE } from './serving-tls';
import { BasicAuthCredential } from './basic-auth';
import { DATASOURCE_UIDS, DatasourceDefinition } from './grafana-provisioning';

/**
 * Grafana datasources as typed values, and the links between them. Links name datasources by
 * uid, never by name, so renaming one breaks nothing; {@link linkProblems} proves that every uid
 * a link names is provisioned.
 */

/** The environment variable that carries a datasource's basic-auth password into Grafana. */
export function datasourcePasswordEnv(uid: string): string {
  return `GF_DATASOURCE_${uid.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PASSWORD`;
}

/** The span attribute and log label that carry a service's name on both sides of a link. */
const SERVICE_TAG = { key: 'service.name', value: 'service_name' };

/** Options of a Loki datasource. */
export interface LokiDatasourceOptions {
  /** The Loki API base, e.g. a LokiCluster's `queryUrl` (the gateway). */
  readonly url: string;
  /** Sent as `X-Scope-OrgID` on every request, when Loki requires a tenant. @default none */
  readonly tenant?: { readonly header: string; readonly id: string };
  /**
   * Credentials for a gateway that requires basic auth (a LokiCluster's `clientEndpoint(tenant).basicAuth`);
   * the gateway then sets the tenant from the user, and no tenant header is sent. @default none
   */
  readonly basicAuth?: BasicAuthCredential;
  /** @default "loki" */
  readonly uid?: string;
  /** @default "Loki" */
  readonly name?: string;
  /** Where trace ids in logs link to. @default no link */
  readonly tracesUid?: string;
  /** It serves HTTPS with a certificate from the platform's CA (see {@link DatasourceDefinition.platformCa}). @default false */
  readonly platformCa?: boolean;
}

/**
 * Loki, with log → trace links: a `trace_id` label or structured-metadata field (what OTLP logs
 * carry), and a trace id written in the log line itself (`trace_id=...`, `"traceID":"..."`).
 */
export function lokiDatasource(o: LokiDatasourceOptions): DatasourceDefinition {
  const derivedFields = o.tracesUid
    ? [
        { name: 'trace_id', matcherType: 'label', matcherRegex: 'trace_id', datasourceUid: o.tracesUid, url: '${__value.raw}', urlDisplayLabel: 'Trace' },
        {
          name: 'TraceID',
          matcherType: 'regex',
          matcherRegex: '(?:trace_?id|traceID)["=: ]+"?([0-9a-fA-F]{16,32})',
          datasourceUid: o.tracesUid,
          url: '${__value.raw}',
          urlDisplayLabel: 'Trace',
        },
      ]
    : [];
  return {
    name: o.name ?? 'Loki',
    type: 'loki',
    uid: o.uid ?? DATASOURCE_UIDS.logs,
    url: o.url,
    ...(o.platformCa ? { platformCa: true } : {}),
    jsonData: {
      maxLines: 1000,
      ...(derivedFields.length > 0 ? { derivedFields } : {}),
      ...(o.tenant && !o.basicAuth ? { httpHeaderName1: o.tenant.header } : {}),
    },
    ...(o.tenant && !o.basicAuth ? { secureJsonData: { httpHeaderValue1: o.tenant.id } } : {}),
    ...(o.basicAuth ? { basicAuth: o.basicAuth } : {}),
  };
}

/** Options of a Prometheus-compatible metrics datasource (Thanos, VictoriaMetrics, Prometheus). */
export interface MetricsDatasourceOptions {
  /** The Prometheus-compatible query API, e.g. a ThanosCluster's `queryUrl` or a vmselect tenant URL. */
  readonly url: string;
  /** Which server answers, so Grafana uses its dialect. @default "Prometheus" */
  readonly prometheusType?: 'Prometheus' | 'Thanos' | 'Mimir' | 'Cortex';
  /** The scrape interval of the data, the smallest step Grafana asks for. @default "30s" */
  readonly scrapeInterval?: string;
  /** @default "metrics" */
  readonly uid?: string;
  /** @default "Metrics" */
  readonly name?: string;
  /** @default true */
  readonly isDefault?: boolean;
  /** Where exemplars' trace ids link to. @default no link */
  readonly tracesUid?: string;
  /** It serves HTTPS with a certificate from the platform's CA (see {@link DatasourceDefinition.platformCa}). @default false */
  readonly platformCa?: boolean;
}

/** A Prometheus-compatible datasource, with exemplar → trace links. */
export function metricsDatasource(o: MetricsDatasourceOptions): DatasourceDefinition {
  return {
    name: o.name ?? 'Metrics',
    type: 'prometheus',
    uid: o.uid ?? DATASOURCE_UIDS.metrics,
    url: o.url,
    isDefault: o.isDefault ?? true,
    ...(o.platformCa ? { platformCa: true } : {}),
    jsonData: {
      httpMethod: 'POST',
      prometheusType: o.prometheusType ?? 'Prometheus',
      timeInterval: o.scrapeInterval ?? '30s',
      ...(o.tracesUid ? { exemplarTraceIdDestinations: [{ name: 'trace_id', datasourceUid: o.tracesUid }] } : {}),
    },
  };
}

/** Options of a traces datasource (Tempo's or Jaeger's). */
export interface TracesDatasourceOptions {
  /** The query API, e.g. a Tempo's or a Jaeger's `queryUrl`. */
  readonly url: string;
  /** @default "tempo", the platform's traces uid */
  readonly uid?: string;
  /** @default "Tempo" or "Jaeger" */
  readonly name?: string;
  /** Where a span's logs are found. @default no link */
  readonly logsUid?: string;
  /** Where the metrics of a span's service are read (Tempo: span metrics and the service graph). @default no link */
  readonly metricsUid?: string;
  /** It serves HTTPS with a certificate from the platform's CA (see {@link DatasourceDefinition.platformCa}). @default false */
  readonly platformCa?: boolean;
}

/** Options of a Tempo datasource. */
export type TempoDatasourceOptions = TracesDatasourceOptions;

/** Trace → logs: the span's time, widened by an hour, in the logs of its service. */
function tracesToLogs(logsUid: string, tags: readonly unknown[]): Record<string, unknown> {
  return { datasourceUid: logsUid, spanStartTimeShift: '-1h', spanEndTimeShift: '1h', filterByTraceID: true, filterBySpanID: false, tags: [...tags] };
}

/** Trace → metrics: these queries over the span's service, widened by an hour. */
function tracesToMetrics(metricsUid: string, tag: { readonly key: string; readonly value: string }, queries: ReadonlyArray<{ name: string; query: string }>) {
  return { datasourceUid: metricsUid, spanStartTimeShift: '-1h', spanEndTimeShift: '1h', tags: [tag], queries: [...queries] };
}

/** Tempo, with trace → logs, trace → metrics and the service map. */
export function tempoDatasource(o: TempoDatasourceOptions): DatasourceDefinition {
  return {
    name: o.name ?? 'Tempo',
    type: 'tempo',
    uid: o.uid ?? DATASOURCE_UIDS.traces,
    url: o.url,
    ...(o.platformCa ? { platformCa: true } : {}),
    jsonData: {
      // Tempo streams search results when `stream_over_http_enabled` is on, which the Tempo construct sets.
      streamingEnabled: { search: true, metrics: true },
      nodeGraph: { enabled: true },
      ...(o.logsUid ? { tracesToLogsV2: tracesToLogs(o.logsUid, [SERVICE_TAG]), lokiSearch: { datasourceUid: o.logsUid } } : {}),
      ...(o.metricsUid
        ? {
            tracesToMetrics: tracesToMetrics(o.metricsUid, { key: 'service.name', value: 'service' }, [
              { name: 'Request rate', query: 'sum(rate(traces_spanmetrics_calls_total{$__tags}[5m]))' },
              { name: 'Error rate', query: 'sum(rate(traces_spanmetrics_calls_total{$__tags,status_code="STATUS_CODE_ERROR"}[5m]))' },
              { name: 'p95 latency', query: 'histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket{$__tags}[5m])))' },
            ]),
            serviceMap: { datasourceUid: o.metricsUid },
          }
        : {}),
    },
  };
}

/**
 * Jaeger, with trace → logs and trace → metrics like Tempo's. Jaeger makes no span metrics of its
 * own, so the metrics are what OpenTelemetry instrumentation reports of each service (HTTP server
 * duration), found by its `job` label, which the OTLP translation takes from `service.name`.
 */
export function jaegerDatasource(o: TracesDatasourceOptions): DatasourceDefinition {
  return {
    name: o.name ?? 'Jaeger',
    type: 'jaeger',
    uid: o.uid ?? DATASOURCE_UIDS.traces,
    url: o.url,
    ...(o.platformCa ? { platformCa: true } : {}),
    jsonData: {
      nodeGraph: { enabled: true },
      ...(o.logsUid ? { tracesToLogsV2: tracesToLogs(o.logsUid, [SERVICE_TAG]) } : {}),
      ...(o.metricsUid
        ? {
            tracesToMetrics: tracesToMetrics(o.metricsUid, { key: 'service.name', value: 'job' }, [
              { name: 'Request rate', query: 'sum(rate(http_server_request_duration_seconds_count{$__tags}[5m]))' },
              { name: 'p95 latency', query: 'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{$__tags}[5m])))' },
            ]),
          }
        : {}),
    },
  };
}

/** The jsonData fields of Grafana datasources that link to another datasource by uid. */
interface LinkFields {
  readonly derivedFields?: ReadonlyArray<{ readonly datasourceUid?: string }>;
  readonly exemplarTraceIdDestinations?: ReadonlyArray<{ readonly datasourceUid?: string }>;
  readonly tracesToLogsV2?: { readonly datasourceUid?: string };
  readonly tracesToMetrics?: { readonly datasourceUid?: string };
  readonly serviceMap?: { readonly datasourceUid?: string };
  readonly lokiSearch?: { readonly datasourceUid?: string };
}

/** Every uid a datasource's links name: derived fields, exemplars, trace → logs / metrics, service map. */
export function linkedUids(ds: DatasourceDefinition): string[] {
  const j = (ds.jsonData ?? {}) as LinkFields;
  return [
    ...(j.derivedFields ?? []).map((f: { datasourceUid?: string }) => f.datasourceUid),
    ...(j.exemplarTraceIdDestinations ?? []).map((d: { datasourceUid?: string }) => d.datasourceUid),
    j.tracesToLogsV2?.datasourceUid,
    j.tracesToMetrics?.datasourceUid,
    j.serviceMap?.datasourceUid,
    j.lokiSearch?.datasourceUid,
  ].filter((uid): uid is string => typeof uid === 'string');
}

/**
 * Links to uids that are not among `datasources`, as `<name> → <uid>`, once per datasource and uid
 * (Loki's two derived fields, or Tempo's trace → logs and Loki search, name the same uid).
 */
export function linkProblems(datasources: readonly DatasourceDefinition[]): string[] {
  const uids = new Set(datasources.map((d) => d.uid));
  return datasources.flatMap((d) => [...new Set(linkedUids(d))].filter((uid) => !uids.has(uid)).map((uid) => `${d.name} → ${uid}`));
}

/**
 * Grafana's provisioning loader expands `$VAR` and `${VAR}` from its environment, which would
 * eat link variables such as `${__value.raw}`: every literal `$` is written `$$`.
 */
export function escapeForProvisioning<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$') as T;
  if (Array.isArray(value)) return value.map((v) => escapeForProvisioning(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeForProvisioning(v)])) as T;
  }
  return value;
}

/**
 * The provisioning file: `apiVersion: 1`, every datasource with `access: proxy`, and pruning of
 * removed ones. A basic-auth password is `$__env{...}`, which Grafana fills from its environment.
 */
export function datasourcesFile(datasources: readonly DatasourceDefinition[]): Record<string, unknown> {
  return {
    apiVersion: 1,
    prune: true,
    datasources: datasources.map(({ basicAuth, platformCa, ...d }) => {
      const escaped = escapeForProvisioning({ ...d, access: 'proxy', editable: false, isDefault: d.isDefault ?? false });
      // Added after escaping: these `$` are Grafana's to expand (from its environment, from a file).
      const auth = basicAuth ? { basicAuth: true, basicAuthUser: escapeForProvisioning(basicAuth.username) } : {};
      const password = basicAuth ? { basicAuthPassword: `$__env{${datasourcePasswordEnv(d.uid)}}` } : {};
      const ca = platformCa ? { tlsCACert: `$__file{${PLATFORM_CA_FILE}}` } : {};
      if (!basicAuth && !platformCa) return escaped;
      return {
        ...escaped,
        ...auth,
        ...(platformCa ? { jsonData: { ...escaped.jsonData, tlsAuthWithCACert: true } } : {}),
        secureJsonData: { ...escaped.secureJsonData, ...password, ...ca },
      };
    }),
  };
}
