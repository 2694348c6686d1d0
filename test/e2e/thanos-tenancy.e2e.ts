import { testCaOf } from '../support/issued-certificates';
import { anyExited, eventually, podLogs } from './support/eventually';
import { scenario } from './support/programs';
import { basicAuth, htpasswdOf } from './support/logins';
import { remoteWrite } from './support/remote-write';
import { thanosOutput } from './support/thanos-output';
import { PodToRun, withPods } from './support/run-pods';
import { EMBEDDED_STORE } from './support/object-store';

// Receive v0.42.4 can panic in its first tenant-pruning pass (thanos-io/thanos#8990): see thanos.e2e.ts.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

/**
 * Thanos tenancy from the login: the real nginx runs the tenant gateway's config, in front of the
 * real Thanos receive and the query that enforces tenancy, as the output configures them. Two
 * tenants write through the gateway with their own logins; each reads back its own series and
 * never the other's, whatever tenant header it sends; no login, a wrong password and every path
 * but the tenant APIs are refused.
 */
const NS = 'obs';
const PASSWORDS: Record<string, string> = { 'team-a': 'e2e-a-pass', 'team-b': 'e2e-b-pass' };
const htpasswd = htpasswdOf(PASSWORDS);
const basic = (user: string, pw = PASSWORDS[user]) => basicAuth(user, pw);
const GATEWAY = `http://thanos-gateway.${NS}.svc.cluster.local`;

scenario(
  'thanos',
  'weed',
  '/usr/sbin/nginx',
)('each tenant reads its own series only, with the tenant its login gives', async () => {
  const manifests = thanosOutput(NS, {
    receive: { replicas: 1, replicationFactor: 1 },
    tenantGateway: { basicAuthSecret: 'thanos-tenants', replicas: 1 },
  });
  const toRun: PodToRun[] = [
    EMBEDDED_STORE,
    ['StatefulSet', 'thanos-receive', 0, 'thanos'],
    ['Deployment', 'thanos-query-tenants', 0, 'thanos'],
    ['Deployment', 'thanos-gateway', 0, '/bin/sh', ['-c', '/usr/sbin/nginx -g "daemon off; user root;" 2>&1 | cat']],
  ];
  await withPods(
    manifests,
    toRun,
    `e2e-client.${NS}.svc.cluster.local`,
    async ({ cluster, host, pods }) => {
      const request = (path: string, init: { method?: string; headers?: Record<string, string>; bodyBase64?: string } = {}) =>
        cluster.httpRequest(`${GATEWAY}${path}`, init, host);
      const write = (user: string, who: string, headers: Record<string, string> = {}) => {
        const rw = remoteWrite([{ labels: { __name__: 'e2e_tenant_metric', who }, value: 1, timestampMs: Date.now() }]);
        return request('/api/v1/receive', { method: 'POST', bodyBase64: rw.bodyBase64, headers: { ...rw.headers, authorization: basic(user), ...headers } })
          .status;
      };
      const series = (user: string, headers: Record<string, string> = {}) => {
        const r = request(`/api/v1/query?query=${encodeURIComponent('e2e_tenant_metric')}`, { headers: { authorization: basic(user), ...headers } });
        return r.status === 200
          ? (JSON.parse(r.body).data.result as Array<{ metric: Record<string, string> }>).map((s) => `${s.metric.tenant_id}/${s.metric.who}`).sort()
          : [`status ${r.status}`];
      };

      // Receive takes writes once its TSDB is open; the gateway passes them as the login's tenant.
      await eventually(() => write('team-a', 'a') === 200, {
        withinMs: 60_000,
        everyMs: 1000,
        gaveUp: () => anyExited(pods),
        why: () => `receive did not take a write through the gateway after 60 s\n${podLogs(pods)}`,
      });
      expect(write('team-b', 'b')).toBe(200);
      // A tenant header the client sends is replaced by its login's.
      expect(write('team-a', 'a-claiming-b', { 'THANOS-TENANT': 'team-b' })).toBe(200);

      await eventually(() => series('team-a').length === 2 && series('team-b').length === 1, {
        withinMs: 60_000,
        everyMs: 1000,
        gaveUp: () => anyExited(pods),
        why: () => `the written series did not come back after 60 s: ${JSON.stringify([series('team-a'), series('team-b')])}\n${podLogs(pods)}`,
      });
      expect(series('team-a')).toEqual(['team-a/a', 'team-a/a-claiming-b']);
      expect(series('team-b')).toEqual(['team-b/b']);
      // Asking for the other tenant by header changes nothing.
      expect(series('team-a', { 'THANOS-TENANT': 'team-b' })).toEqual(['team-a/a', 'team-a/a-claiming-b']);

      // Refused: no login, a wrong password, and every path but the tenant APIs.
      expect(request('/api/v1/query?query=up').status).toBe(401);
      expect(request('/api/v1/query?query=up', { headers: { authorization: basic('team-a', 'wrong') } }).status).toBe(401);
      for (const path of ['/api/v1/status/flags', '/api/v1/stores', '/api/v1/rules', '/-/reload', '/graph', '/metrics']) {
        expect({ path, status: request(path, { headers: { authorization: basic('team-a') } }).status }).toEqual({ path, status: 404 });
      }
    },
    { 'thanos-tenants': { '.htpasswd': htpasswd } },
  );
});

scenario(
  'thanos',
  'weed',
  '/usr/sbin/nginx',
)('with TLS: the gateway serves HTTPS and reaches receive and query over HTTPS, checking their certificates', async () => {
  const manifests = thanosOutput(NS, {
    receive: { replicas: 1, replicationFactor: 1 },
    tenantGateway: { basicAuthSecret: 'thanos-tenants', replicas: 1 },
    tls: { issuer: { name: 'platform-ca', kind: 'ClusterIssuer' } },
  });
  const ca = testCaOf(manifests).cert;
  const toRun: PodToRun[] = [
    EMBEDDED_STORE,
    ['StatefulSet', 'thanos-receive', 0, 'thanos'],
    ['Deployment', 'thanos-query-tenants', 0, 'thanos'],
    ['Deployment', 'thanos-gateway', 0, '/bin/sh', ['-c', '/usr/sbin/nginx -g "daemon off; user root;" 2>&1 | cat']],
  ];
  const gateway = `https://thanos-gateway.${NS}.svc.cluster.local`;
  await withPods(
    manifests,
    toRun,
    `e2e-client.${NS}.svc.cluster.local`,
    async ({ cluster, host, pods }) => {
      const write = () => {
        const rw = remoteWrite([{ labels: { __name__: 'e2e_tenant_metric', who: 'a' }, value: 1, timestampMs: Date.now() }]);
        const headers = { ...rw.headers, authorization: basic('team-a') };
        return cluster.httpRequest(`${gateway}/api/v1/receive`, { method: 'POST', bodyBase64: rw.bodyBase64, headers, ca }, host).status;
      };
      const read = () => cluster.httpRequest(`${gateway}/api/v1/query?query=e2e_tenant_metric`, { headers: { authorization: basic('team-a') }, ca }, host);
      // A 200 means nginx verified receive's certificate against the CA on the way.
      await eventually(() => write() === 200, {
        withinMs: 60_000,
        everyMs: 1000,
        gaveUp: () => anyExited(pods),
        why: () => `receive did not take a write through the HTTPS gateway after 60 s\n${podLogs(pods)}`,
      });
      await eventually(() => read().status === 200 && JSON.parse(read().body).data.result.length === 1, {
        withinMs: 60_000,
        everyMs: 1000,
        gaveUp: () => anyExited(pods),
        why: () => `the series did not come back through the HTTPS gateway after 60 s: ${read().body}\n${podLogs(pods)}`,
      });
      expect(JSON.parse(read().body).data.result[0].metric.tenant_id).toBe('team-a');
      // Controls: plain HTTP to the gateway's port, and a client that trusts another CA.
      const plain = cluster.httpRequest(`${gateway.replace('https:', 'http:')}:443/api/v1/query?query=up`, {}, host);
      expect(plain.status).toBe(400);
      expect(plain.body).toContain('The plain HTTP request was sent to HTTPS port');
      expect(cluster.httpRequest(`${gateway}/api/v1/query?query=up`, { headers: { authorization: basic('team-a') }, ca: testCaOf([]).cert }, host).status).toBe(
        0,
      );
    },
    { 'thanos-tenants': { '.htpasswd': htpasswd } },
  );
});
