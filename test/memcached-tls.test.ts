import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { parse } from 'yaml';
import { setServingTls } from '../lib/core/serving-tls';
import { LokiCluster } from '../lib/loki';
import { Memcached } from '../lib/memcached/memcached';
import { Minio } from '../lib/object-storage/minio';
import { ComponentIdentity } from '../lib/core/names';
import lokiKeys from './fixtures/loki-3.7.6-config-keys.json';
import { KeyTree, unknownKeys } from './support/config-keys';
import { issueCertificate, issuedCertificateValues, testCaOf } from './support/issued-certificates';
import { haveProgram } from './support/programs';
import { Manifest, argsOf, containersOf, dataOf, get, ofKind, podSpecOf, synth, testChart } from './support/synth';

const SERVING_DIR = '/etc/tls/serving';
const SERVER_NAME = 'loki-chunks-cache.obs.svc.cluster.local';

/** Loki with a chunks cache, below a scope with serving TLS (or without it). */
function lokiWithCache(tls: boolean): Manifest[] {
  const chart = testChart();
  if (tls) setServingTls(chart, { issuer: { name: 'platform-ca', kind: 'ClusterIssuer' } });
  const minio = new Minio(chart, 'minio', { namespace: 'obs' });
  new LokiCluster(chart, 'loki', { namespace: 'obs', storage: minio, chunksCache: { memoryMb: 64 } });
  return synth(chart);
}

const cacheOf = (manifests: Manifest[]) => get(manifests, 'StatefulSet', 'loki-chunks-cache');
const containerOf = (manifests: Manifest[], name: string) => containersOf(podSpecOf(cacheOf(manifests))).find((c: any) => c.name === name);

describe("Loki's memcached caches with serving TLS", () => {
  test('the cache serves mutual TLS from its own certificate, and Loki presents its certificate and checks the name the cache certificate carries', () => {
    const manifests = lokiWithCache(true);
    const args = argsOf(cacheOf(manifests), 'memcached');
    expect(args).toEqual(expect.arrayContaining(['--enable-ssl', '--listen=0.0.0.0,notls:127.0.0.1:11212']));
    const extended = args.filter((a) => a.startsWith('--extended='));
    expect(extended).toEqual([
      `--extended=modern,track_sizes,ssl_chain_cert=${SERVING_DIR}/tls.crt,ssl_key=${SERVING_DIR}/tls.key,ssl_ca_cert=${SERVING_DIR}/ca.crt,ssl_verify_mode=2`,
    ]);
    const mount = containerOf(manifests, 'memcached').volumeMounts.find((m: any) => m.mountPath === SERVING_DIR);
    const secretName = podSpecOf(cacheOf(manifests)).volumes.find((v: any) => v.name === mount.name).secret.secretName;
    expect(secretName).toBe('loki-chunks-cache-tls');
    const certificate = ofKind(manifests, 'Certificate').find((c) => c.spec.secretName === secretName)!;
    expect(certificate.spec.dnsNames).toContain(SERVER_NAME);
    expect(certificate.spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));

    const loki = parse(dataOf(get(manifests, 'ConfigMap', 'loki-config'))['config.yaml']);
    expect(loki.chunk_store_config.chunk_cache_config.memcached_client).toEqual({
      addresses: `dnssrvnoa+_client._tcp.${SERVER_NAME}`,
      timeout: '500ms',
      tls_enabled: true,
      tls_cert_path: `${SERVING_DIR}/tls.crt`,
      tls_key_path: `${SERVING_DIR}/tls.key`,
      tls_ca_path: `${SERVING_DIR}/ca.crt`,
      tls_server_name: SERVER_NAME,
      tls_min_version: 'VersionTLS12',
    });
    expect(unknownKeys(loki, lokiKeys as KeyTree)).toEqual([]);
  });

  test('the exporter reads the loopback listener and serves HTTPS; a sidecar makes memcached read its renewed certificate', () => {
    const manifests = lokiWithCache(true);
    const exporter = containerOf(manifests, 'exporter');
    expect(exporter.args).toEqual(expect.arrayContaining(['--memcached.address=localhost:11212', '--web.config.file=/etc/web-config/web-config.yaml']));
    expect(exporter.readinessProbe.httpGet.scheme).toBe('HTTPS');
    const refresh = containerOf(manifests, 'cert-refresh');
    expect(refresh.image).toMatch(/^docker\.io\/library\/busybox:/);
    expect(refresh.command.join(' ')).toContain("printf 'refresh_certs\\r\\nquit\\r\\n' | nc 127.0.0.1 11212");
  });

  test('without serving TLS the cache is plain: no TLS flag, no sidecar, no TLS keys in Loki', () => {
    const manifests = lokiWithCache(false);
    expect(argsOf(cacheOf(manifests), 'memcached').join(' ')).not.toMatch(/ssl|notls/);
    expect(containersOf(podSpecOf(cacheOf(manifests))).map((c: any) => c.name)).toEqual(['memcached', 'exporter']);
    const loki = parse(dataOf(get(manifests, 'ConfigMap', 'loki-config'))['config.yaml']);
    expect(loki.chunk_store_config.chunk_cache_config.memcached_client.tls_enabled).toBeUndefined();
  });

  test('a TLS cache made where serving TLS is off is refused, naming the property and the fix', () => {
    const chart = testChart();
    const owner = new ComponentIdentity({ app: 'x', instance: 'x', component: 'x', namespace: 'obs', version: '1' });
    expect(() => new Memcached(chart, 'cache', { owner, component: 'cache', clusterDomain: 'cluster.local', tls: true })).toThrow(
      /tls = true.*serving TLS is not on.*setServingTls/s,
    );
  });
});

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Sends one line and returns the first reply line, or the error that ended the connection. */
function ask(open: () => import('node:net').Socket, line: string): Promise<{ reply?: string; error?: string; peer?: string }> {
  return new Promise((resolve) => {
    const socket = open();
    let reply = '';
    const done = (result: { reply?: string; error?: string }) => {
      const peer = 'getPeerX509Certificate' in socket ? (socket as any).getPeerX509Certificate()?.fingerprint256 : undefined;
      socket.destroy();
      resolve({ ...result, peer });
    };
    socket.setTimeout(3000, () => done({ error: 'timeout' }));
    socket.on('secureConnect', () => socket.write(line));
    if (!('encrypted' in socket)) socket.on('connect', () => socket.write(line));
    socket.on('data', (d) => {
      reply += d;
      if (reply.includes('\r\n')) done({ reply: reply.split('\r\n')[0] });
    });
    socket.on('error', (e) => done({ error: e.message }));
    socket.on('close', () => done({ error: 'closed' }));
  });
}

async function untilAnswers(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = await ask(() => connectTcp(port, '127.0.0.1'), 'version\r\n');
    if (r.reply?.startsWith('VERSION')) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('memcached did not answer on its loopback listener');
}

/** Runs with both real programs (memcached, and busybox for the sidecar's script), else skips; under CI neither may be missing. */
const withMemcachedAndBusybox = haveProgram('memcached') && haveProgram('busybox') ? test : test.skip;

withMemcachedAndBusybox(
  'the real memcached with the generated flags takes only clients with a certificate from the CA, and serves a renewed certificate after the sidecar asks it to',
  async () => {
    const manifests = lokiWithCache(true);
    const dir = mkdtempSync(join(tmpdir(), 'obs-memcached-tls-'));
    const write = (values: Record<string, string>) => {
      for (const [file, content] of Object.entries(values)) writeFileSync(join(dir, file), content, { mode: 0o644 });
    };
    const served = issuedCertificateValues(manifests, 'obs', 'loki-chunks-cache-tls')!;
    write(served);
    // Loki's side: a certificate of the same CA (the write role's).
    const client = issuedCertificateValues(manifests, 'obs', 'loki-write-tls')!;
    const [port, loopback] = [await freePort(), await freePort()];
    const args = argsOf(cacheOf(manifests), 'memcached').map((a) =>
      a
        .replaceAll(SERVING_DIR, dir)
        .replace(/^--port=\d+$/, `--port=${port}`)
        .replace('--listen=0.0.0.0,notls:127.0.0.1:11212', `--listen=127.0.0.1,notls:127.0.0.1:${loopback}`),
    );
    // memcached reads the files again as the user it runs as (the pod's uid reads its Secret): here
    // the runner's own, since the test's temp dirs are private; as root, memcached wants that said.
    const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
    const proc = spawn('memcached', [...args, ...user], { stdio: 'ignore' });
    try {
      await untilAnswers(loopback);
      const tlsClient = (withCert: boolean) => () =>
        connectTls({
          host: '127.0.0.1',
          port,
          servername: SERVER_NAME,
          ca: served['ca.crt'],
          ...(withCert ? { cert: client['tls.crt'], key: client['tls.key'] } : {}),
        });
      const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

      const loki = await ask(tlsClient(true), 'version\r\n');
      expect(loki.reply).toMatch(/^VERSION /);
      expect(loki.peer).toBe(fingerprint(served['tls.crt']));
      // No client certificate: memcached ends the handshake. Plain text on the TLS port: no answer.
      expect((await ask(tlsClient(false), 'version\r\n')).reply).toBeUndefined();
      expect((await ask(() => connectTcp(port, '127.0.0.1'), 'version\r\n')).reply).toBeUndefined();

      // A renewed certificate on disk is not served until memcached is told to read it again.
      const renewed = issueCertificate(testCaOf(manifests), get(manifests, 'Certificate', 'loki-chunks-cache-tls').spec);
      write({ 'tls.crt': renewed['tls.crt'], 'tls.key': renewed['tls.key'] });
      expect((await ask(tlsClient(true), 'version\r\n')).peer).toBe(fingerprint(served['tls.crt']));
      // The sidecar's own script, with its hour made short and the test's loopback port, on busybox's applets.
      const applets = mkdtempSync(join(tmpdir(), 'obs-busybox-'));
      for (const applet of ['nc', 'sleep', 'printf']) symlinkSync('/usr/bin/busybox', join(applets, applet));
      const script = containerOf(manifests, 'cert-refresh').command[2].replace('sleep 3600', 'sleep 0.2').replace('127.0.0.1 11212', `127.0.0.1 ${loopback}`);
      const sidecar = spawn('/usr/bin/busybox', ['sh', '-c', script], { stdio: 'ignore', env: { PATH: applets } });
      try {
        let peer: string | undefined;
        for (let i = 0; i < 30 && peer !== fingerprint(renewed['tls.crt']); i++) {
          await new Promise((res) => setTimeout(res, 100));
          peer = (await ask(tlsClient(true), 'version\r\n')).peer;
        }
        expect(peer).toBe(fingerprint(renewed['tls.crt']));
      } finally {
        sidecar.kill();
        rmSync(applets, { recursive: true, force: true });
      }
    } finally {
      proc.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  30_000,
);
