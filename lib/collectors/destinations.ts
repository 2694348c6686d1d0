export type { LogsDestination, OtlpLogsDestination } from '../core/logs-destination';

/** The env var that carries a Loki gateway password into a collector (from its Secret). */
export const LOKI_PASSWORD_ENV = 'LOKI_PASSWORD';

/** Where a collector sends traces: Tempo's OTLP gRPC endpoint (`host:4317`). */
export interface TracesDestination {
  readonly otlpGrpcEndpoint: string;
}
