import { Construct, IConstruct } from 'constructs';
import { Certificate, CertificateSpecUsages } from '../../imports/certificate-cert-manager.io';
import { declareExternal } from '../core/external';
import { Validator } from '../core/errors';
import { k8s } from '../core/k8s';
import { dnsLabel } from '../core/rules';

/** Mutual TLS between Thanos components over gRPC (the StoreAPI, receive replication). */
export interface ThanosGrpcTls {
  /**
   * A Secret with `tls.crt`, `tls.key` and `ca.crt` (what a cert-manager `Certificate` makes): one
   * certificate every component serves and presents, signed by the CA, valid for `serverName` and
   * for both server and client authentication.
   */
  readonly secretName: string;
  /**
   * The DNS name every client checks on the certificate a server presents. It is only checked,
   * never looked up, so it need not (and, to keep it apart from addresses, should not) be a
   * Service's name: e.g. `thanos-grpc.internal`.
   */
  readonly serverName: string;
  /**
   * A cert-manager issuer that makes the Secret: the cluster then gets a `Certificate` for
   * `serverName`, for server and client authentication. Its Secret must carry `ca.crt` (a CA or
   * Vault issuer does). Needs cert-manager in the cluster.
   * @default none: the Secret is yours to create
   */
  readonly issuer?: { readonly name: string; readonly kind?: 'Issuer' | 'ClusterIssuer' };
}

/** The construct context key under which a ThanosCluster hands its gRPC TLS to its components. */
export const THANOS_GRPC_TLS_CONTEXT = 'obs-platform/thanos-grpc-tls';
/** Where the certificate Secret is mounted. */
export const GRPC_TLS_DIR = '/etc/thanos/grpc-tls';
const VOLUME = 'grpc-tls';

/** Turns on mutual TLS for every Thanos component made below `scope` (call before adding them). */
export function setThanosGrpcTls(scope: IConstruct, tls: ThanosGrpcTls): void {
  const v = new Validator(scope);
  v.apply('grpcTls.secretName', tls.secretName, dnsLabel(tls.secretName, 253, false));
  v.check(
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(tls.serverName),
    'grpcTls.serverName',
    tls.serverName,
    'is not a DNS name',
    'give a DNS name of the certificate, e.g. "thanos-grpc.internal"',
  );
  v.throwIfAny();
  scope.node.setContext(THANOS_GRPC_TLS_CONTEXT, tls);
}

/** The gRPC TLS of the Thanos components at `scope`, if their cluster turned it on. */
export function thanosGrpcTlsOf(scope: IConstruct): ThanosGrpcTls | undefined {
  return scope.node.tryGetContext(THANOS_GRPC_TLS_CONTEXT) as ThanosGrpcTls | undefined;
}

/** A gRPC server's flags: its certificate, and the CA its clients' certificates must be signed by. */
export function grpcServerTlsFlags(): string[] {
  return [
    `--grpc-server-tls-cert=${GRPC_TLS_DIR}/tls.crt`,
    `--grpc-server-tls-key=${GRPC_TLS_DIR}/tls.key`,
    `--grpc-server-tls-client-ca=${GRPC_TLS_DIR}/ca.crt`,
  ];
}

/** A query's client settings for every endpoint (`default_client_config` of its endpoint SD config). */
export function grpcClientConfig(tls: ThanosGrpcTls): Record<string, unknown> {
  return {
    tls_config: { cert_file: `${GRPC_TLS_DIR}/tls.crt`, key_file: `${GRPC_TLS_DIR}/tls.key`, ca_file: `${GRPC_TLS_DIR}/ca.crt` },
    server_name: tls.serverName,
  };
}

/** Receive's client flags for replication to the other ingestors (its own `--remote-write.client-tls-*`). */
export function receiveReplicationTlsFlags(tls: ThanosGrpcTls): string[] {
  return [
    '--remote-write.client-tls-secure',
    `--remote-write.client-tls-cert=${GRPC_TLS_DIR}/tls.crt`,
    `--remote-write.client-tls-key=${GRPC_TLS_DIR}/tls.key`,
    `--remote-write.client-tls-ca=${GRPC_TLS_DIR}/ca.crt`,
    `--remote-write.client-server-name=${tls.serverName}`,
  ];
}

/**
 * Where the certificate Secret comes from: a cert-manager `Certificate` when an issuer is named,
 * else the user (declared, so that checks and tools know it must exist).
 */
export function emitGrpcCertificate(scope: Construct, namespace: string, instance: string, tls: ThanosGrpcTls): Certificate | undefined {
  if (!tls.issuer) {
    declareExternal(scope, {
      kind: 'Secret',
      namespace,
      name: tls.secretName,
      purpose: `Thanos gRPC certificate (tls.crt, tls.key, ca.crt) valid for ${tls.serverName}`,
    });
    return undefined;
  }
  return new Certificate(scope, 'GrpcCertificate', {
    metadata: { name: `${instance}-grpc-tls`, namespace },
    spec: {
      secretName: tls.secretName,
      dnsNames: [tls.serverName],
      usages: [CertificateSpecUsages.SERVER_AUTH, CertificateSpecUsages.CLIENT_AUTH],
      issuerRef: { name: tls.issuer.name, kind: tls.issuer.kind ?? 'Issuer', group: 'cert-manager.io' },
    },
  });
}

/** The volume and mount of the certificate Secret. */
export function grpcTlsVolume(tls: ThanosGrpcTls): { volume: k8s.Volume; mount: k8s.VolumeMount } {
  return { volume: { name: VOLUME, secret: { secretName: tls.secretName } }, mount: { name: VOLUME, mountPath: GRPC_TLS_DIR, readOnly: true } };
}
