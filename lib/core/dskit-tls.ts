import { PLATFORM_CA_FILE, SERVING_CERT_FILE, SERVING_KEY_FILE } from './serving-tls';

/**
 * Mutual TLS between the pods of a program built on Grafana's dskit (Loki, Tempo), from the
 * certificate each pod mounts for serving TLS.
 *
 * The gRPC server serves that certificate and takes only clients presenting one from the same CA
 * (dskit reads both files again at each handshake, through the exporter toolkit). Each gRPC client
 * presents it (read again at each handshake too) and checks the server against the CA.
 *
 * A client dials what a ring or a DNS lookup gives it: a pod address, which no certificate names.
 * So every certificate of a cluster also carries one peer name (`CertifiedNames.peerName`), and
 * every client checks that name instead of the address it dialed.
 *
 * Memberlist stays without TLS: dskit loads the gossip listener's certificate once at start, so a
 * pod that outlives its certificate would be refused by every peer and drop out of the rings. Its
 * messages carry ring state only (no data, no credentials), are tagged with the cluster label, and
 * the network policy admits only the cluster's own pods to the gossip port.
 */

/** The `server` keys that turn on mutual TLS on the gRPC port (`tls_min_version` applies to both ports). */
export function dskitGrpcServerTls(): Record<string, unknown> {
  return {
    grpc_tls_config: {
      cert_file: SERVING_CERT_FILE,
      key_file: SERVING_KEY_FILE,
      client_auth_type: 'RequireAndVerifyClientCert',
      client_ca_file: PLATFORM_CA_FILE,
    },
  };
}

/**
 * The TLS keys of one dskit client block (gRPC clients, `grpc_client_config` and its like, and
 * Loki's memcached client): present the pod's certificate, check the server as `serverName`.
 */
export function dskitClientTls(serverName: string): Record<string, unknown> {
  return {
    tls_enabled: true,
    tls_cert_path: SERVING_CERT_FILE,
    tls_key_path: SERVING_KEY_FILE,
    tls_ca_path: PLATFORM_CA_FILE,
    tls_server_name: serverName,
    tls_min_version: 'VersionTLS12',
  };
}
