import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { Minio, Tempo, setServingTls } from '../../lib';
import { issueCertificate, issuedCertificateValues, testCaOf } from '../support/issued-certificates';
import { Manifest } from '../support/synth';
import { eventually } from './support/eventually';
import { recorded, startRecordingHttp } from './support/fakes';
import { scenario } from './support/programs';
import { basicAuth, htpasswdOf } from './support/logins';
import { PodToRun, withPods } from './support/run-pods';

/**
 * Tempo's read entry with the real nginx running the gateway's config, in front of a recording
 * stand-in at Tempo's query address (Tempo is AGPL): a reader's login becomes its tenant on every
 * read, whatever header it sends; no login and a wrong password are refused, and so are the
 * overrides API, the MCP server and the operator pages, before anything reaches Tempo.
 */
const NS = 'obs';
const PASSWORDS: Record<string, string> = { 'team-a': 'e2e-a-pass', 'team-b': 'e2e-b-pass' };
const htpasswd = htpasswdOf(PASSWORDS);
const basic = (user: string, pw = PASSWORDS[user]) => basicAuth(user, pw);

function output(tls = false): Manifest[] {
  const chart = new Chart(new App({ outdir: '/nonexistent' }), 'traces', { disableResourceNameHashes: true });
  if (tls) setServingTls(chart, { issuer: { name: 'platform-ca', kind: 'ClusterIssuer' } });
  const storage = new Minio(chart, 'minio', { namespace: NS });
  new Tempo(chart, 'tempo', {
    namespace: NS,
    storage,
    multitenancy: true,
    metricsGenerator: false,
    gateway: { basicAuthSecret: 'tempo-readers', replicas: 1 },
  });
  return chart.toJson() as Manifest[];
}

scenario('/usr/sbin/nginx')("at Tempo's gateway a reader reads as its login's tenant only, and nothing but the read API passes", async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'obs-e2e-tempo-')), 'requests.jsonl');
  const toRun: PodToRun[] = [
    ['StatefulSet', 'tempo-monolithic', 0, null],
    ['Deployment', 'tempo-gateway', 0, '/bin/sh', ['-c', '/usr/sbin/nginx -g "daemon off; user root;" 2>&1 | cat']],
  ];
  await withPods(
    output(),
    toRun,
    `e2e-client.${NS}.svc.cluster.local`,
    async ({ cluster, host, plans, pods }) => {
      const tempo = startRecordingHttp(plans[0].netns, 'tempo', 3200, file);
      try {
        const gateway = `http://tempo-gateway.${NS}.svc.cluster.local`;
        const get = (path: string, headers: Record<string, string> = {}) => cluster.httpRequest(`${gateway}${path}`, { headers }, host).status;
        const traceId = '0123456789abcdef0123456789abcdef';
        await eventually(() => get(`/api/traces/${traceId}`, { authorization: basic('team-a') }) === 200, {
          withinMs: 30_000,
          everyMs: 500,
          why: () => `the gateway passed no read after 30 s\n${pods.map((p) => p.output()).join('\n')}`,
        });
        const reads = [
          `/api/v2/traces/${traceId}`,
          '/api/search?q=%7B%7D',
          '/api/v2/search/tags',
          '/api/search/tag/service.name/values',
          '/api/metrics/query_range?q=%7B%7D%20%7C%20rate()',
          '/api/echo',
        ];
        for (const path of reads)
          expect({ path, status: get(path, { authorization: basic('team-b'), 'X-Scope-OrgID': 'team-a' }) }).toEqual({ path, status: 200 });

        // Refused before Tempo: no login, a wrong password; the overrides API, MCP and the operator pages.
        expect(get(`/api/traces/${traceId}`)).toBe(401);
        expect(get(`/api/traces/${traceId}`, { authorization: basic('team-a', 'wrong') })).toBe(401);
        for (const path of ['/api/overrides', '/api/mcp', '/flush', '/shutdown', '/status', '/memberlist', '/metrics', '/ready']) {
          expect({ path, status: get(path, { authorization: basic('team-a') }) }).toEqual({ path, status: 404 });
        }

        // What reached Tempo: the reads only, each as the tenant of its login (team-b's claim of team-a replaced).
        const seen = recorded(file).map((r) => ({ path: r.url.split('?')[0], tenant: r.headers['x-scope-orgid'] }));
        expect(seen).toEqual([
          ...seen.filter((s) => s.tenant === 'team-a' && s.path === `/api/traces/${traceId}`),
          ...reads.map((path) => ({ path: path.split('?')[0], tenant: 'team-b' })),
        ]);
        expect(seen.filter((s) => s.tenant === 'team-a').length).toBeGreaterThanOrEqual(1);
      } finally {
        tempo.kill();
        rmSync(file, { force: true });
      }
    },
    { 'tempo-readers': { '.htpasswd': htpasswd } },
  );
});

scenario('/usr/sbin/nginx')("with TLS: the gateway serves HTTPS and reads Tempo over HTTPS, checking Tempo's certificate", async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'obs-e2e-tempo-tls-')), 'requests.jsonl');
  const manifests = output(true);
  const ca = testCaOf(manifests).cert;
  const toRun: PodToRun[] = [
    ['StatefulSet', 'tempo-monolithic', 0, null],
    ['Deployment', 'tempo-gateway', 0, '/bin/sh', ['-c', '/usr/sbin/nginx -g "daemon off; user root;" 2>&1 | cat']],
  ];
  await withPods(
    manifests,
    toRun,
    `e2e-client.${NS}.svc.cluster.local`,
    async ({ cluster, host, plans, pods }) => {
      // Tempo's stand-in serves HTTPS from Tempo's certificate; in the control, from another CA's.
      let tempo = startRecordingHttp(plans[0].netns, 'tempo', 3200, file, issuedCertificateValues(manifests, NS, 'tempo-monolithic-tls'));
      try {
        const read = () =>
          cluster.httpRequest(
            `https://tempo-gateway.${NS}.svc.cluster.local/api/traces/0123456789abcdef`,
            { ca, headers: { authorization: basic('team-a') } },
            host,
          );
        await eventually(() => read().status === 200, {
          withinMs: 30_000,
          everyMs: 500,
          why: () => `no read passed over HTTPS after 30 s\n${pods.map((p) => p.output()).join('\n')}`,
        });
        expect(recorded(file).map((r) => [r.url, r.headers['x-scope-orgid']])).toEqual([['/api/traces/0123456789abcdef', 'team-a']]);
        tempo.kill();
        const other = issueCertificate(testCaOf([]), { dnsNames: [`tempo.${NS}.svc.cluster.local`], usages: ['server auth'] });
        tempo = startRecordingHttp(plans[0].netns, 'tempo', 3200, file, other);
        await eventually(() => read().status === 502, {
          withinMs: 10_000,
          everyMs: 300,
          why: () => `the gateway did not refuse a Tempo of another CA: ${read().status}`,
        });
        expect(recorded(file)).toHaveLength(1);
      } finally {
        tempo.kill();
        rmSync(file, { force: true });
      }
    },
    { 'tempo-readers': { '.htpasswd': htpasswd } },
  );
});
