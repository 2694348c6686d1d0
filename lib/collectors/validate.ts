import { TracesDestination } from '../core/otlp';
import { IConstruct } from 'constructs';
import { credentialNamespaceRule } from '../core/basic-auth';
import { checkReplicas, checkWorkloadOptions } from '../core/check-options';
import { LogsDestination, OtlpLogsDestination } from '../core/logs-destination';
import { Wiring } from '../core/wiring';
import { Validator } from '../core/errors';
import { httpUrl, namespaceName } from '../core/rules';
import { ImageRef } from '../core/images';
import { WorkloadOptions } from '../core/workload';

/** What every collector checks first: its namespace, its replica count (if it has one), its escape hatches. */
export function checkCollectorBasics(v: Validator, namespace: string, options: WorkloadOptions, replicas?: number, pinned?: ImageRef): void {
  v.apply('namespace', namespace, namespaceName(namespace));
  if (replicas !== undefined) checkReplicas(v, 'replicas', replicas);
  checkWorkloadOptions(v, '', options, pinned);
}

/** A logs destination: its URL (`pushUrl`, or `otlpUrl` for OTLP exporters), tenant, and credentials the client in `namespace` can read. */
export function checkLogsDestination(
  v: Validator,
  property: string,
  destination: Partial<LogsDestination & OtlpLogsDestination> | undefined,
  urlKey: 'pushUrl' | 'otlpUrl',
  namespace: string,
): void {
  if (!v.check(destination !== undefined, property, destination, 'is required: logs need somewhere to go', 'pass a LokiCluster\'s clientEndpoint("<tenant>")'))
    return;
  v.apply(`${property}.${urlKey}`, destination![urlKey], httpUrl(destination![urlKey]!));
  if (destination!.tenant !== undefined) {
    v.check(
      destination!.tenant.trim() !== '',
      `${property}.tenant`,
      destination!.tenant,
      'is empty, which Loki refuses as a tenant',
      'leave it unset, or give a tenant id',
    );
  }
  v.apply(`${property}.basicAuth`, destination!.basicAuth?.passwordSecret.name, credentialNamespaceRule(destination!.basicAuth, namespace));
}

/** Where a gateway sends spans: a `host:port` for OTLP gRPC, as a Tempo's `otlpGrpcEndpoint` is. */
export function checkTracesDestination(v: Validator, traces: Partial<TracesDestination> | undefined): void {
  v.check(
    typeof traces?.otlpGrpcEndpoint === 'string' && /^[^\s:/]+:\d+$/.test(traces.otlpGrpcEndpoint),
    'traces.otlpGrpcEndpoint',
    traces?.otlpGrpcEndpoint,
    'is not a host:port',
    'pass a Tempo, or its otlpGrpcEndpoint',
  );
}

/** Tells the app's wiring that `scope` calls `url`, and whether it sends credentials. */
export function recordLogsClient(scope: IConstruct, property: string, url: string, basicAuth: unknown): void {
  Wiring.of(scope).connects({ path: scope.node.path, property, url, sendsCredentials: basicAuth !== undefined });
}
