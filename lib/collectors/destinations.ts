export type { LogsDestination, OtlpLogsDestination } from '../core/logs-destination';
export type { TracesDestination } from '../core/otlp';

/** The env var that carries a Loki gateway password into a collector (from its Secret). */
export const LOKI_PASSWORD_ENV = 'LOKI_PASSWORD';

/**
 * The labels the log agents (Alloy, promtail) put on the stream of every pod's container: what
 * LogQL selectors over their logs can match. `app` is also what Loki derives `service_name` from.
 */
export const POD_LOG_LABELS = ['namespace', 'pod', 'container', 'app', 'job'] as const;
