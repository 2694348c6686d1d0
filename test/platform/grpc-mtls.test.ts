import { App } from 'cdk8s';
import { parse } from 'yaml';
import { ObservabilityPlatform, PlatformSpec } from '../../lib';
import { externalReferences } from '../../lib/core/external';
import lokiKeys from '../fixtures/loki-3.7.6-config-keys.json';
import tempoKeys from '../fixtures/tempo-3.0.3-config-keys.json';
import { KeyTree, grpcClientBlocks, unknownKeys } from '../support/config-keys';
import { Manifest, containersOf, dataOf, get, ofKind, podSpecOf, synthApp, workloads } from '../support/synth';
import { SERVING_DIR } from '../support/tls';

const ISSUER = { name: 'platform-ca', kind: 'ClusterIssuer' as const };
const NS = 'observability.svc.cluster.local';

function platform(spec: PlatformSpec): { app: App; manifests: Manifest[] } {
  const app = new App({ outdir: '/nonexistent' });
  new ObservabilityPlatform(app, 'p', spec);
  return { app, manifests: app.charts.flatMap((c) => c.toJson()) as Manifest[] };
}

/** The block at a dotted path of a config. */
const at = (config: any, path: string): any => path.split('.').reduce((block, key) => block?.[key], config);

const SERVER_TLS = {
  cert_file: `${SERVING_DIR}/tls.crt`,
  key_file: `${SERVING_DIR}/tls.key`,
  client_auth_type: 'RequireAndVerifyClientCert',
  client_ca_file: `${SERVING_DIR}/ca.crt`,
};

const clientTls = (peerName: string) => ({
  tls_enabled: true,
  tls_cert_path: `${SERVING_DIR}/tls.crt`,
  tls_key_path: `${SERVING_DIR}/tls.key`,
  tls_ca_path: `${SERVING_DIR}/ca.crt`,
  tls_server_name: peerName,
});

/** The DNS names of the certificate a workload's pods mount at the serving path. */
function certificateNames(manifests: Manifest[], workload: string): string[] {
  const w = workloads(manifests).find((m) => m.metadata.name === workload);
  if (!w) throw new Error(`no workload ${workload}`);
  const spec = podSpecOf(w);
  const mount = containersOf(spec)
    .flatMap((c: any) => c.volumeMounts ?? [])
    .find((m: any) => m.mountPath === SERVING_DIR);
  const secretName = spec.volumes.find((v: any) => v.name === mount.name).secret.secretName;
  return ofKind(manifests, 'Certificate').find((c) => c.spec.secretName === secretName)!.spec.dnsNames;
}

/** Every gRPC client block of a key fixture but those named, which the config must leave alone. */
function clientsOf(keys: unknown, leftOut: readonly string[]): string[] {
  const all = grpcClientBlocks(keys as KeyTree);
  // The exclusions are real blocks of the fixture, not typos that would exclude nothing.
  expect(leftOut.filter((p) => !all.includes(p))).toEqual([]);
  return all.filter((p) => !leftOut.includes(p));
}

describe("Loki's and Tempo's pods talk gRPC with mutual TLS (serving TLS on)", () => {
  test("Loki: the gRPC port takes only clients with a certificate from the CA; every gRPC client of 3.7.6 presents one and checks the name each role's certificate carries", () => {
    const { manifests } = synthApp('platform-tls');
    const loki = parse(dataOf(get(manifests, 'ConfigMap', 'loki-config'))['config.yaml']);
    expect(loki.server.grpc_tls_config).toEqual(SERVER_TLS);
    const peer = `loki-memberlist.${NS}`;
    // Bigtable is Google's service and boltdb is not in the schema; the worker's grpc_client_config
    // is refused by Loki beside the two blocks that replace it, so it must stay unset.
    const leftOut = [
      'storage_config.bigtable.grpc_client_config',
      'storage_config.boltdb_shipper.index_gateway_client.grpc_client_config',
      'frontend_worker.grpc_client_config',
    ];
    const clients = [...clientsOf(lokiKeys, leftOut), 'ruler.evaluation.query_frontend'];
    expect(clients).toEqual(
      expect.arrayContaining(['ingester_client.grpc_client_config', 'storage_config.tsdb_shipper.index_gateway_client.grpc_client_config']),
    );
    for (const path of clients) expect({ path, block: at(loki, path) }).toMatchObject({ path, block: clientTls(peer) });
    for (const path of leftOut) expect({ path, block: at(loki, path) }).toEqual({ path, block: undefined });
    // The index gateway keeps its address beside the TLS keys.
    expect(loki.storage_config.tsdb_shipper.index_gateway_client.server_address).toBe(`dns+loki-backend-headless.${NS}:9095`);
    expect(unknownKeys(loki, lokiKeys as KeyTree)).toEqual([]);
    for (const role of ['write', 'read', 'backend'])
      expect({ role, names: certificateNames(manifests, `loki-${role}`) }).toMatchObject({ role, names: expect.arrayContaining([peer]) });
    // The gateway is no ring member: it speaks HTTPS only, and its certificate does not carry the peer name.
    expect(certificateNames(manifests, 'loki-gateway')).not.toContain(peer);
    // Gossip stays plain: dskit reads the listener's certificate once (see lib/core/dskit-tls.ts).
    expect(loki.memberlist.tls_enabled).toBeUndefined();
  });

  test('Tempo: the single binary and every distributed component serve mutual-TLS gRPC, and each gRPC client of 3.0.3 checks the peer name', () => {
    const monolithic = synthApp('platform-tls').manifests;
    const { manifests: distributed } = platform({ tls: { issuer: ISSUER }, tempo: { mode: 'distributed', kafka: { address: 'kafka.example.com:9092' } } });
    const cases = [
      { manifests: monolithic, peer: `tempo.${NS}`, components: ['tempo-monolithic'] },
      {
        manifests: distributed,
        peer: `tempo-gossip-ring.${NS}`,
        components: ['distributor', 'live-store', 'block-builder', 'querier', 'query-frontend', 'backend-scheduler', 'backend-worker'].map((c) => `tempo-${c}`),
      },
    ];
    const clients = clientsOf(tempoKeys, []);
    expect(clients).toEqual(expect.arrayContaining(['live_store_client.grpc_client_config', 'querier.frontend_worker.grpc_client_config']));
    for (const { manifests, peer, components } of cases) {
      const tempo = parse(dataOf(get(manifests, 'ConfigMap', 'tempo-config'))['tempo.yaml']);
      expect(tempo.server.grpc_tls_config).toEqual(SERVER_TLS);
      for (const path of clients) expect({ path, block: at(tempo, path) }).toMatchObject({ path, block: clientTls(peer) });
      expect(unknownKeys(tempo, tempoKeys as KeyTree)).toEqual([]);
      for (const c of components) expect({ c, names: certificateNames(manifests, c) }).toMatchObject({ c, names: expect.arrayContaining([peer]) });
      expect(tempo.memberlist.tls_enabled).toBeUndefined();
    }
  });

  test('a certificate Secret the user makes is declared with the peer name and the client authentication it needs', () => {
    const { app } = platform({ tls: {} });
    const purposeOf = (name: string) => externalReferences(app).find((r) => r.kind === 'Secret' && r.name === name)?.purpose;
    for (const name of ['loki-write-tls', 'loki-read-tls', 'loki-backend-tls', 'tempo-monolithic-tls']) {
      expect({ name, purpose: purposeOf(name) }).toEqual({
        name,
        purpose: expect.stringMatching(/for [a-z.-]+, the name its peers check on gRPC \(mutual TLS: it must allow client authentication/),
      });
    }
    expect(purposeOf('loki-gateway-tls')).not.toMatch(/gRPC/);
  });

  test('without serving TLS, gRPC stays plain and no client names a peer', () => {
    const { manifests } = synthApp('platform');
    const loki = parse(dataOf(get(manifests, 'ConfigMap', 'loki-config'))['config.yaml']);
    const tempo = parse(dataOf(get(manifests, 'ConfigMap', 'tempo-config'))['tempo.yaml']);
    expect([loki.server.grpc_tls_config, tempo.server.grpc_tls_config]).toEqual([undefined, undefined]);
    expect(JSON.stringify([loki, tempo])).not.toContain('tls_server_name');
  });
});
