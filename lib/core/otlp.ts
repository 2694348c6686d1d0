/**
 * Where applications send OTLP: what an OTLP gateway (the OpenTelemetry Collector's or Alloy's)
 * and Tempo itself serve, so that a client can be pointed at either without knowing which.
 */
export interface OtlpEndpoint {
  /** `host:4317` for OTLP gRPC clients (no scheme, as OTel exporters take it). */
  readonly otlpGrpcEndpoint: string;
  /** `http://host:4318` for OTLP HTTP clients (they append `/v1/traces` and the like). */
  readonly otlpHttpUrl: string;
  /**
   * Both ports serve TLS with a certificate from the platform's CA (serving TLS): clients trust
   * that CA (`https://` for HTTP, TLS on for gRPC). @default false
   */
  readonly platformCa?: boolean;
}

/**
 * Where a collector sends traces: an OTLP gRPC endpoint (`host:4317`), such as a Tempo's, and
 * whether it serves TLS with a certificate from the platform's CA.
 */
export type TracesDestination = Pick<OtlpEndpoint, 'otlpGrpcEndpoint' | 'platformCa'>;
