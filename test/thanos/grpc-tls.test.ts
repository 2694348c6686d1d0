import { parse } from 'yaml';
import { Minio, ThanosCluster } from '../../lib';
import { flagProblems } from '../support/thanos';
import { schemaProblems } from '../support/schema';
import { externalReferences } from '../../lib/core/external';
import { argsOf, podSpecOf, synth, testChart, workloads } from '../support/synth';

const TLS = { secretName: 'thanos-grpc-tls', serverName: 'thanos-grpc.internal' };

function thanosWithTls() {
  const chart = testChart();
  const minio = new Minio(chart, 'minio', { namespace: 'obs' });
  new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: minio, grpcTls: TLS, tenantGateway: { basicAuthSecret: 'tenants' } });
  return synth(chart);
}

describe('mutual TLS between the Thanos components', () => {
  const manifests = thanosWithTls();
  const thanos = workloads(manifests).filter((w) => w.metadata.labels?.['app.kubernetes.io/name'] === 'thanos' && w.metadata.name !== 'thanos-gateway');
  const args = (name: string) =>
    argsOf(
      thanos.find((w) => w.metadata.name === name)!,
      'thanos',
    );

  test('every gRPC server presents the certificate and asks clients for one signed by the CA', () => {
    const servers = thanos.filter((w) => args(w.metadata.name).some((a) => a.startsWith('--grpc-address=')));
    expect(servers.map((w) => w.metadata.name).sort()).toEqual(['thanos-query', 'thanos-query-tenants', 'thanos-receive', 'thanos-ruler', 'thanos-store']);
    for (const w of servers) {
      expect(args(w.metadata.name)).toEqual(
        expect.arrayContaining([
          '--grpc-server-tls-cert=/etc/thanos/grpc-tls/tls.crt',
          '--grpc-server-tls-key=/etc/thanos/grpc-tls/tls.key',
          '--grpc-server-tls-client-ca=/etc/thanos/grpc-tls/ca.crt',
        ]),
      );
      expect(podSpecOf(w).volumes).toContainEqual({ name: 'grpc-tls', secret: { secretName: 'thanos-grpc-tls' } });
    }
  });

  test('every client presents it and checks the server name: both queries, and receive replicating to its peers', () => {
    for (const name of ['thanos-query', 'thanos-query-tenants']) {
      const sd = parse(
        args(name)
          .find((a) => a.startsWith('--endpoint.sd-config='))!
          .slice('--endpoint.sd-config='.length),
      );
      expect(sd.default_client_config).toEqual({
        tls_config: { cert_file: '/etc/thanos/grpc-tls/tls.crt', key_file: '/etc/thanos/grpc-tls/tls.key', ca_file: '/etc/thanos/grpc-tls/ca.crt' },
        server_name: 'thanos-grpc.internal',
      });
    }
    expect(args('thanos-receive')).toEqual(
      expect.arrayContaining(['--remote-write.client-tls-secure', '--remote-write.client-server-name=thanos-grpc.internal']),
    );
  });

  test('every flag exists in the pinned release', () => {
    expect(flagProblems(manifests)).toEqual([]);
  });
});

test('with an issuer, cert-manager makes the Secret from a Certificate the real CRD accepts; without one, the Secret is declared as yours', () => {
  const chart = testChart();
  const minio = new Minio(chart, 'minio', { namespace: 'obs' });
  new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: minio, grpcTls: { ...TLS, issuer: { name: 'platform-ca', kind: 'ClusterIssuer' } } });
  const manifests = synth(chart);
  const certificate = manifests.find((m) => m.kind === 'Certificate')!;
  expect(certificate.spec).toEqual({
    secretName: 'thanos-grpc-tls',
    dnsNames: ['thanos-grpc.internal'],
    usages: ['server auth', 'client auth'],
    issuerRef: { name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
  });
  expect(manifests.flatMap(schemaProblems)).toEqual([]);
  expect(externalReferences(chart).some((e) => e.name === 'thanos-grpc-tls')).toBe(false);

  const own = testChart();
  new ThanosCluster(own, 'thanos', { namespace: 'obs', storage: new Minio(own, 'minio', { namespace: 'obs' }), grpcTls: TLS });
  expect(synth(own).some((m) => m.kind === 'Certificate')).toBe(false);
  expect(externalReferences(own).some((e) => e.kind === 'Secret' && e.name === 'thanos-grpc-tls')).toBe(true);
});
