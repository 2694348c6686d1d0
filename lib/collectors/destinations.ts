/** Where a collector sends logs: a Loki push URL and the tenant it writes as. */
export interface LogsDestination {
  /** e.g. a LokiCluster's `pushUrl`. */
  readonly pushUrl: string;
  /** Tenant id sent as `X-Scope-OrgID`, e.g. from `loki.tenantHeaderFor("platform").value`. @default none */
  readonly tenant?: string;
}

/** Where a collector sends traces: Tempo's OTLP gRPC endpoint (`host:4317`). */
export interface TracesDestination {
  readonly otlpGrpcEndpoint: string;
}

/** Where an OTLP exporter sends logs: Loki's native OTLP endpoint (`<loki>/otlp`). */
export interface OtlpLogsDestination {
  /** e.g. `${loki.queryUrl}/otlp`. */
  readonly otlpUrl: string;
  /** Tenant id sent as `X-Scope-OrgID`. @default none */
  readonly tenant?: string;
}
