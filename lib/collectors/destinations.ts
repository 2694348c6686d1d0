export type { LogsDestination, OtlpLogsDestination } from '../core/logs-destination';
export type { TracesDestination } from '../core/otlp';

/** The env var that carries a Loki gateway password into a collector (from its Secret). */
export const LOKI_PASSWORD_ENV = 'LOKI_PASSWORD';
