export type { LogsDestination, OtlpLogsDestination } from '../core/logs-destination';

/** Where a collector sends traces: Tempo's OTLP gRPC endpoint (`host:4317`). */
export interface TracesDestination {
  readonly otlpGrpcEndpoint: string;
}
