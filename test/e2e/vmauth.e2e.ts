import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { VictoriaMetricsCluster, setServingTls } from '../../lib';
import { Manifest } from '../support/synth';
import { issuedCertificateValues, testCaOf } from '../support/issued-certificates';
import { eventually } from './support/eventually';
import { recorded, startRecordingHttp } from './support/fakes';
import { scenario } from './support/programs';
import { basicAuth } from './support/logins';
import { PodToRun, PodsRun, withPods } from './support/run-pods';

/**
 * Tenant isolation at the metrics entry point: the real vmauth of the pinned release runs with
 * the config, flags and password env its pods get, in front of recording stand-ins at vminsert's
 * and vmselect's addresses (the cluster programs are not served by the Go module proxy; with
 * serving TLS they serve HTTPS from the certificates of those pods). Each
 * login's requests must land under its own tenant's prefix and nowhere else; a wrong password, no
 * password, another tenant's path and the delete API without the delete access are refused before
 * anything reaches a backend.
 */
const NS = 'obs';
const PASSWORDS: Record<string, string> = { 'team-a': 'e2e-a-pass', 'team-b': 'e2e-b-pass', ops: 'e2e-ops-pass' };
const basic = (user: string, pw = PASSWORDS[user]) => basicAuth(user, pw);

function output(tls = false): Manifest[] {
  const chart = new Chart(new App({ outdir: '/nonexistent' }), 'vm', { disableResourceNameHashes: true });
  if (tls) setServingTls(chart, { issuer: { name: 'platform-ca', kind: 'ClusterIssuer' } });
  new VictoriaMetricsCluster(chart, 'vm', {
    namespace: NS,
    auth: {
      credentialsSecret: 'vmauth-passwords',
      replicas: 1,
      users: [
        { username: 'team-a', passwordKey: 'team-a', tenant: 1 },
        { username: 'team-b', passwordKey: 'team-b', tenant: '2:7' },
        { username: 'ops', passwordKey: 'ops', tenant: 1, access: ['delete'] },
      ],
    },
  });
  return chart.toJson() as Manifest[];
}

/**
 * Runs vmauth of `manifests` with recording stand-ins at vminsert's and vmselect's addresses,
 * which append every request they get to the file `body` is given.
 */
async function withVmauth(manifests: Manifest[], body: (run: PodsRun, file: string) => Promise<void>): Promise<void> {
  const toRun: PodToRun[] = [
    ['Deployment', 'vm-vmauth', 0, 'vmauth'],
    ['Deployment', 'vm-vminsert', 0, null],
    ['Deployment', 'vm-vmselect', 0, null],
  ];
  const file = join(mkdtempSync(join(tmpdir(), 'obs-e2e-vmauth-')), 'requests.jsonl');
  await withPods(
    manifests,
    toRun,
    `e2e-client.${NS}.svc.cluster.local`,
    async (run) => {
      // With serving TLS the backends serve HTTPS from their own certificates, as the programs would.
      const certificate = (secret: string) => issuedCertificateValues(manifests, NS, secret);
      const fakes = [
        startRecordingHttp(run.plans[1].netns, 'vminsert', 8480, file, certificate('vm-vminsert-tls')),
        startRecordingHttp(run.plans[2].netns, 'vmselect', 8481, file, certificate('vm-vmselect-tls')),
      ];
      try {
        await body(run, file);
      } finally {
        fakes.forEach((f) => f.kill());
      }
    },
    { 'vmauth-passwords': PASSWORDS },
  );
}

scenario('vmauth')('each login reaches its own tenant only; wrong logins, other tenants and the delete API are refused', async () => {
  const manifests = output();
  await withVmauth(manifests, async ({ cluster, host, pods }, file) => {
    const vmauth = `http://vm-vmauth.${NS}.svc.cluster.local:8427`;
    await eventually(() => cluster.httpGet(`${vmauth}/health`, host).status === 200, {
      withinMs: 30_000,
      everyMs: 300,
      why: () => `vmauth did not answer /health after 30 s\n${pods.map((p) => p.output()).join('\n')}`,
    });
    const send = (user: string | undefined, method: string, path: string, password?: string) =>
      cluster.httpRequest(
        `${vmauth}${path}`,
        { method, headers: user ? { authorization: basic(user, password) } : {}, body: method === 'POST' ? 'x' : undefined },
        host,
      ).status;
    const before = () => recorded(file).length;

    // Each tenant's writes and reads land under its own prefix, and nowhere else.
    expect(send('team-a', 'POST', '/api/v1/write')).toBe(200);
    expect(send('team-a', 'GET', '/api/v1/query?query=up')).toBe(200);
    expect(send('team-b', 'POST', '/api/v1/write')).toBe(200);
    expect(send('team-b', 'GET', '/api/v1/labels')).toBe(200);
    expect(send('team-a', 'POST', '/opentelemetry/v1/metrics')).toBe(200);
    await eventually(() => before() >= 5, { withinMs: 5000, everyMs: 100, why: () => `${before()} requests reached the backends` });
    expect(recorded(file).map((r) => `${r.role} ${r.method} ${r.url}`)).toEqual([
      'vminsert POST /insert/1/prometheus/api/v1/write',
      'vmselect GET /select/1/prometheus/api/v1/query?query=up',
      'vminsert POST /insert/2:7/prometheus/api/v1/write',
      'vmselect GET /select/2:7/prometheus/api/v1/labels',
      'vminsert POST /insert/1/opentelemetry/v1/metrics',
    ]);

    // Refused before a backend sees them: no login, a wrong password, another tenant's path,
    // vmselect's own paths, the delete API without the delete access.
    const seen = before();
    const refused = [
      [undefined, 'POST', '/api/v1/write'],
      ['team-a', 'POST', '/api/v1/write', 'wrong'],
      ['team-a', 'POST', '/insert/2:7/prometheus/api/v1/write'],
      ['team-a', 'GET', '/select/2:7/prometheus/api/v1/query?query=up'],
      ['team-a', 'POST', '/api/v1/admin/tsdb/delete_series?match[]=up'],
      ['team-b', 'GET', '/api/v1/status/active_queries'],
      ['ops', 'POST', '/api/v1/write'],
    ] as const;
    for (const [user, method, path, password] of refused) {
      const status = send(user, method, path, password);
      expect({ user, path, refused: status >= 400 && status < 500 }).toEqual({ user, path, refused: true });
    }
    // The admin login may delete, in its own tenant only.
    expect(send('ops', 'POST', '/api/v1/admin/tsdb/delete_series?match[]=up')).toBe(200);
    await eventually(() => before() > seen, { withinMs: 5000, everyMs: 100, why: () => 'the delete did not reach vmselect' });
    expect(
      recorded(file)
        .slice(seen)
        .map((r) => `${r.role} ${r.method} ${r.url}`),
    ).toEqual([
      // vmauth re-encodes the query string; vmselect decodes it alike.
      'vmselect POST /delete/1/prometheus/api/v1/admin/tsdb/delete_series?match%5B%5D=up',
    ]);
    // No password reached a backend: vmauth does not pass the client's login on.
    expect(recorded(file).some((r) => Object.values(PASSWORDS).some((pw) => JSON.stringify(r.headers).includes(Buffer.from(pw).toString('base64'))))).toBe(
      false,
    );
  });
});

scenario('vmauth')('with TLS: vmauth takes the logins over HTTPS only, from its own certificate, and reaches the backends over HTTPS', async () => {
  const manifests = output(true);
  const ca = testCaOf(manifests).cert;
  await withVmauth(manifests, async ({ cluster, host }, file) => {
    const vmauth = `https://vm-vmauth.${NS}.svc.cluster.local:8427`;
    const write = (trust: string) =>
      cluster.httpRequest(`${vmauth}/api/v1/write`, { method: 'POST', headers: { authorization: basic('team-a') }, body: 'x', ca: trust }, host).status;
    await eventually(() => write(ca) === 200, { withinMs: 30_000, everyMs: 300, why: () => 'vmauth took no write over HTTPS after 30 s' });
    await eventually(() => recorded(file).length >= 1, { withinMs: 5000, everyMs: 100, why: () => 'the write did not reach vminsert' });
    expect(recorded(file).map((r) => `${r.role} ${r.url}`)).toEqual(['vminsert /insert/1/prometheus/api/v1/write']);
    // Controls: plain HTTP to the port, and a client that trusts another CA.
    const plain = cluster.httpRequest(
      `${vmauth.replace('https:', 'http:')}/api/v1/write`,
      { method: 'POST', headers: { authorization: basic('team-a') }, body: 'x' },
      host,
    );
    expect([plain.status, plain.body]).toEqual([400, expect.stringContaining('HTTP request to an HTTPS server')]);
    expect(write(testCaOf([]).cert)).toBe(0);
    expect(recorded(file)).toHaveLength(1);
  });
});
