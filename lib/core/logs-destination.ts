import { BasicAuthCredential } from './basic-auth';

/**
 * Where a log shipper sends logs: a Loki push URL, the tenant it writes as, and the credentials an
 * authenticating gateway wants. Take it from `LokiCluster.clientEndpoint(tenant)`, which fills in
 * the credentials whenever the gateway requires them.
 */
export interface LogsDestination {
  /** e.g. a LokiCluster's `pushUrl`. */
  readonly pushUrl: string;
  /** Tenant id sent as `X-Scope-OrgID`, e.g. from `loki.tenantHeaderFor("platform").value`. @default none */
  readonly tenant?: string;
  /** Basic auth for a gateway that requires it. @default none */
  readonly basicAuth?: BasicAuthCredential;
  /** The gateway serves HTTPS with a certificate from the platform's CA, which the shipper must trust. @default false */
  readonly platformCa?: boolean;
}

/** Where an OTLP exporter sends logs: Loki's native OTLP endpoint (`<loki>/otlp`). */
export interface OtlpLogsDestination {
  /** e.g. a LokiCluster's `clientEndpoint(tenant).otlpUrl`. */
  readonly otlpUrl: string;
  /** Tenant id sent as `X-Scope-OrgID`. @default none */
  readonly tenant?: string;
  /** Basic auth for a gateway that requires it. @default none */
  readonly basicAuth?: BasicAuthCredential;
  /** The gateway serves HTTPS with a certificate from the platform's CA, which the exporter must trust. @default false */
  readonly platformCa?: boolean;
}
