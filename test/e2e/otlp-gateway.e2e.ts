import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthApp } from '../support/synth';
import { issueCertificate, issuedCertificateValues, testCaOf } from '../support/issued-certificates';
import { recorded, recordedSpans, startRecordingLoki } from './support/fakes';
import { anyExited, eventually, podLogs, sleep } from './support/eventually';
import { scenario } from './support/programs';
import { basicAuth, htpasswdOf } from './support/logins';
import { PodToRun, PodsRun, withPods } from './support/run-pods';
import { EMBEDDED_STORE } from './support/object-store';

/**
 * Scenarios (d) and (e) on loki-multitenant, the app whose Loki gateway requires basic auth:
 * (d) OTLP traces, metrics and logs into the OpenTelemetry gateway (the real collector, built from
 * exactly the components the library emits) come out where the platform says: spans at Tempo's
 * OTLP address, metrics queryable in Thanos, logs through the real nginx running the generated
 * gateway config, with the tenant's credentials, at Loki's write role; (e) at that gateway, a
 * tenant's credentials act only as that tenant, and Loki's operator pages are not reachable.
 * Loki and Tempo are AGPL: recording fakes of their APIs stand at their addresses.
 */
const NS = 'logs';
const svc = (name: string) => `${name}.${NS}.svc.cluster.local`;
const GATEWAY = `http://${svc('logs-gateway')}`;
const CLIENT = svc('e2e-client');

/** The Secrets the app leaves to its user: each tenant's password, and the htpasswd file made of them. */
const PASSWORDS: Record<string, string> = { 'team-a': 'e2e-a-pass', 'team-b': 'e2e-b-pass', audit: 'e2e-audit-pass' };
const htpasswd = htpasswdOf(PASSWORDS) + '\n';
const USER_SECRETS = { 'logs-gateway-htpasswd': { '.htpasswd': htpasswd }, 'logs-gateway-passwords': PASSWORDS };
const basic = (user: string, pw = PASSWORDS[user]) => basicAuth(user, pw);

/** Debian's nginx (BSD) runs the generated config, in the foreground, as the image does; a pipe gives it a /dev/stdout it can open. */
const NGINX: PodToRun = ['Deployment', 'logs-gateway', 0, '/bin/sh', ['-c', '/usr/sbin/nginx -g "daemon off; user root;" 2>&1 | cat']];
/** The Loki roles behind the gateway: addresses only, where the test runs recording fakes. */
const LOKI_ROLES: PodToRun[] = [
  ['StatefulSet', 'logs-write', 0, null],
  ['Deployment', 'logs-read', 0, null],
  ['StatefulSet', 'logs-backend', 0, null],
];

/** Starts a recording Loki fake in each role's pod network, once they answer; returns the file they record to and a stop. */
async function fakeLoki(run: PodsRun, firstRole: number): Promise<{ file: string; stop: () => void }> {
  const file = join(mkdtempSync(join(tmpdir(), 'obs-e2e-loki-')), 'requests.jsonl');
  const roles = ['write', 'read', 'backend'].map((role, i) => ({ role, plan: run.plans[firstRole + i] }));
  const fakes: ChildProcess[] = roles.map(({ role, plan }) => startRecordingLoki(plan.netns, role, 3100, file));
  const stop = () => fakes.forEach((f) => f.kill());
  for (const { role, plan } of roles) {
    await eventually(() => run.cluster.httpGet(`http://${plan.ip}:3100/ready`, run.host).status === 200, {
      withinMs: 10_000,
      everyMs: 200,
      why: () => `the fake Loki ${role} did not answer after 10 s`,
    }).catch((e) => {
      stop();
      throw e;
    });
  }
  return { file, stop };
}

scenario(
  'otelcol',
  'thanos',
  'weed',
  '/usr/sbin/nginx',
)('the OTLP gateway delivers traces to Tempo, metrics to Thanos, and logs through the authenticating Loki gateway as its tenant', async () => {
  const { manifests } = synthApp('loki-multitenant');
  // Tempo's OTLP address is served by a second collector that writes every span it gets to a file,
  // outside /tmp, which the pod's own emptyDir hides.
  const traceDir = mkdtempSync(join('/var/tmp', 'obs-e2e-traces-'));
  const sink = `yaml:{receivers: {otlp: {protocols: {grpc: {endpoint: "0.0.0.0:4317"}}}}, exporters: {file: {path: "${traceDir}/spans.jsonl"}}, service: {pipelines: {traces: {receivers: [otlp], exporters: [file]}}}}`;
  const toRun: PodToRun[] = [
    ...LOKI_ROLES,
    NGINX,
    EMBEDDED_STORE,
    ...[0, 1, 2].map((i): PodToRun => ['StatefulSet', 'thanos-receive', i, 'thanos']),
    ['Deployment', 'thanos-query', 0, 'thanos'],
    ['StatefulSet', 'tempo-monolithic', 0, 'otelcol', [`--config=${sink}`]],
    ['Deployment', 'otel-gateway', 0, 'otelcol'],
  ];
  await withPods(
    manifests,
    toRun,
    CLIENT,
    async (run) => {
      const { cluster, host, pods } = run;
      const loki = await fakeLoki(run, 0);
      try {
        const now = Date.now() * 1e6;
        const mark = randomBytes(6).toString('hex');
        const traceId = randomBytes(16).toString('hex');
        const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'e2e' } }] };
        const send = (signal: string, body: unknown) =>
          cluster.httpRequest(
            `http://${svc('otel-gateway')}:4318/v1/${signal}`,
            { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
            host,
          );
        const sendAll = () =>
          [
            send('traces', {
              resourceSpans: [
                {
                  resource,
                  scopeSpans: [
                    {
                      spans: [
                        {
                          traceId,
                          spanId: randomBytes(8).toString('hex'),
                          name: `span-${mark}`,
                          kind: 1,
                          startTimeUnixNano: String(now - 1e9),
                          endTimeUnixNano: String(now),
                        },
                      ],
                    },
                  ],
                },
              ],
            }),
            send('metrics', {
              resourceMetrics: [
                {
                  resource,
                  scopeMetrics: [
                    {
                      metrics: [
                        {
                          name: 'e2e_gateway_probe',
                          gauge: { dataPoints: [{ asDouble: 42, timeUnixNano: String(now), attributes: [{ key: 'mark', value: { stringValue: mark } }] }] },
                        },
                      ],
                    },
                  ],
                },
              ],
            }),
            send('logs', {
              resourceLogs: [
                {
                  resource,
                  scopeLogs: [
                    { logRecords: [{ timeUnixNano: String(now), severityText: 'INFO', body: { stringValue: `hello through the gateway ${mark}` } }] },
                  ],
                },
              ],
            }),
          ].map((r) => r.status);
        // The collector answers once its receivers listen.
        await eventually(() => sendAll().every((s) => s === 200), {
          withinMs: 60_000,
          everyMs: 1000,
          gaveUp: () => anyExited(pods),
          why: () => `the OTLP gateway did not accept data after 60 s\n${podLogs(pods)}`,
        });

        const query = () => {
          const r = cluster.httpGet(`http://${svc('thanos-query')}:10902/api/v1/query?query=${encodeURIComponent(`e2e_gateway_probe{mark="${mark}"}`)}`, host);
          return r.status === 200 ? (JSON.parse(r.body).data.result as Array<{ metric: Record<string, string>; value: [number, string] }>) : [];
        };
        const spans = () => recordedSpans(join(traceDir, 'spans.jsonl')).filter((s) => s.traceId === traceId);
        const lokiLogs = () => recorded(loki.file).filter((r) => r.body.includes(`hello through the gateway ${mark}`));
        await eventually(() => spans().length > 0 && query().length > 0 && lokiLogs().length > 0, {
          withinMs: 120_000,
          everyMs: 2000,
          why: () => `not everything arrived after 120 s: spans ${spans().length}, series ${query().length}, log pushes ${lokiLogs().length}\n${podLogs(pods)}`,
        });
        await sleep(5000);

        expect(spans().map((s) => s.name)).toEqual([`span-${mark}`]);
        const series = query();
        expect(series.map((s) => [s.metric.job, s.value[1]])).toEqual([['e2e', '42']]);
        // The log push went through the real nginx, authenticated as the collector's tenant, to the write role.
        const pushes = lokiLogs();
        expect(pushes.map((p) => ({ role: p.role, method: p.method, url: p.url, tenant: p.headers['x-scope-orgid'], auth: p.headers.authorization }))).toEqual([
          { role: 'write', method: 'POST', url: '/otlp/v1/logs', tenant: 'team-a', auth: basic('team-a') },
        ]);
        expect(pods.filter((p) => !p.alive()).map((p) => p.pod.name)).toEqual([]);
      } finally {
        loki.stop();
        rmSync(traceDir, { recursive: true, force: true });
      }
    },
    USER_SECRETS,
  );
});

scenario('/usr/sbin/nginx')("at the gateway, a tenant acts only as itself and Loki's operator pages are out of reach", async () => {
  const { manifests } = synthApp('loki-multitenant');
  await withPods(
    manifests,
    [...LOKI_ROLES, NGINX],
    CLIENT,
    async (run) => {
      const { cluster, host, pods } = run;
      const loki = await fakeLoki(run, 0);
      try {
        const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
          cluster.httpRequest(`${GATEWAY}${path}`, { method, headers, body }, host).status;
        await eventually(() => call('GET', '/') === 200, {
          withinMs: 30_000,
          everyMs: 500,
          why: () => `the gateway did not answer after 30 s\n${podLogs(pods)}`,
        });
        const push = JSON.stringify({ streams: [{ stream: { job: 'e2e' }, values: [[String(Date.now() * 1e6), 'line']] }] });
        const json = { 'content-type': 'application/json' };

        // No credentials, a wrong password, a tenant that does not exist: refused by the gateway.
        expect(call('POST', '/loki/api/v1/push', json, push)).toBe(401);
        expect(call('POST', '/loki/api/v1/push', { ...json, authorization: basic('team-a', 'wrong') }, push)).toBe(401);
        expect(call('POST', '/loki/api/v1/push', { ...json, authorization: basic('team-c', 'e2e-a-pass') }, push)).toBe(401);
        expect(call('GET', '/loki/api/v1/labels', { 'x-scope-orgid': 'team-a' })).toBe(401);
        expect(recorded(loki.file)).toEqual([]);

        // team-a's credentials with team-b's tenant header: every role sees team-a, whatever was sent.
        const asTeamA = { authorization: basic('team-a'), 'x-scope-orgid': 'team-b' };
        expect(call('POST', '/loki/api/v1/push', { ...json, ...asTeamA }, push)).toBe(204);
        expect(call('GET', `/loki/api/v1/query_range?query=${encodeURIComponent('{job="e2e"}')}`, asTeamA)).toBe(200);
        expect(call('GET', `/loki/api/v1/tail?query=${encodeURIComponent('{job="e2e"}')}`, asTeamA)).toBe(200);
        expect(call('POST', `/loki/api/v1/delete?query=${encodeURIComponent('{job="e2e"}')}&start=0`, asTeamA)).toBe(200);
        expect(call('GET', '/loki/api/v1/rules', { authorization: basic('team-b'), 'x-scope-orgid': 'audit' })).toBe(200);
        expect(recorded(loki.file).map((r) => [r.role, r.method, r.url.split('?')[0], r.headers['x-scope-orgid']])).toEqual([
          ['write', 'POST', '/loki/api/v1/push', 'team-a'],
          ['read', 'GET', '/loki/api/v1/query_range', 'team-a'],
          ['read', 'GET', '/loki/api/v1/tail', 'team-a'],
          ['backend', 'POST', '/loki/api/v1/delete', 'team-a'],
          ['backend', 'GET', '/loki/api/v1/rules', 'team-b'],
        ]);

        // Operator pages act on the whole cluster whatever the tenant: the gateway answers them itself.
        const before = recorded(loki.file).length;
        const operatorPages: Array<[string, string]> = [
          ['POST', '/ingester/shutdown'],
          ['POST', '/ingester/prepare_shutdown'],
          ['POST', '/ingester/flush_shutdown'],
          ['POST', '/flush'],
          ['GET', '/distributor/ring'],
          ['POST', '/distributor/ring'],
          ['GET', '/ring'],
          ['GET', '/compactor/ring'],
          ['GET', '/ruler/ring'],
          ['GET', '/scheduler/ring'],
          ['GET', '/indexgateway/ring'],
          ['GET', '/config'],
          ['GET', '/services'],
          ['GET', '/metrics'],
          ['POST', '/ruler/delete_tenant_config'],
          ['GET', '/loki/api/v1/status/buildinfo/../../../../config'],
        ];
        expect(operatorPages.map(([method, path]) => [method, path, call(method, path, { authorization: basic('team-a') })])).toEqual(
          operatorPages.map(([method, path]) => [method, path, 404]),
        );
        expect(recorded(loki.file).slice(before)).toEqual([]);
        expect(pods.filter((p) => !p.alive()).map((p) => p.pod.name)).toEqual([]);
      } finally {
        loki.stop();
      }
    },
    USER_SECRETS,
  );
});

scenario('/usr/sbin/nginx')("platform-tls: the Loki gateway serves HTTPS and reaches each role over HTTPS, checking the role's certificate", async () => {
  const { manifests } = synthApp('platform-tls');
  const ns = 'observability';
  const ca = testCaOf(manifests).cert;
  const roles: PodToRun[] = [
    ['StatefulSet', 'loki-write', 0, null],
    ['Deployment', 'loki-read', 0, null],
    ['StatefulSet', 'loki-backend', 0, null],
  ];
  const gateway: PodToRun = ['Deployment', 'loki-gateway', 0, NGINX[3], NGINX[4]];
  await withPods(manifests, [...roles, gateway], `e2e-client.${ns}.svc.cluster.local`, async ({ cluster, host, plans, pods }) => {
    const file = join(mkdtempSync(join(tmpdir(), 'obs-e2e-loki-tls-')), 'requests.jsonl');
    // Each role's stand-in serves HTTPS from that role's certificate; the write role's, in the control, from another CA's.
    const certificate = (role: string) => issuedCertificateValues(manifests, ns, `loki-${role}-tls`)!;
    const start = (tls: Record<string, string>[]) =>
      ['write', 'read', 'backend'].map((role, i) => startRecordingLoki(plans[i].netns, role, 3100, file, tls[i]));
    let fakes = start(['write', 'read', 'backend'].map(certificate));
    try {
      const url = `https://loki-gateway.${ns}.svc.cluster.local`;
      const call = (method: string, path: string, body?: string) =>
        cluster.httpRequest(`${url}${path}`, { method, body, ca, headers: { 'content-type': 'application/json' } }, host).status;
      await eventually(() => call('GET', '/') === 200, {
        withinMs: 30_000,
        everyMs: 500,
        why: () => `the gateway did not answer over HTTPS\n${podLogs(pods)}`,
      });
      const push = JSON.stringify({ streams: [{ stream: { job: 'e2e' }, values: [[String(Date.now() * 1e6), 'line']] }] });
      expect(call('POST', '/loki/api/v1/push', push)).toBe(204);
      expect(call('GET', '/loki/api/v1/labels')).toBe(200);
      expect(call('GET', '/loki/api/v1/rules')).toBe(200);
      expect(recorded(file).map((r) => [r.role, r.url.split('?')[0]])).toEqual([
        ['write', '/loki/api/v1/push'],
        ['read', '/loki/api/v1/labels'],
        ['backend', '/loki/api/v1/rules'],
      ]);
      // Control: a write role whose certificate another CA signed is refused by the gateway (502), and sees nothing.
      fakes.forEach((f) => f.kill());
      await sleep(500);
      const other = issueCertificate(testCaOf([]), { dnsNames: [`loki-write.${ns}.svc.cluster.local`], usages: ['server auth'] });
      fakes = start([other, certificate('read'), certificate('backend')]);
      await sleep(1000);
      const seen = recorded(file).length;
      expect(call('POST', '/loki/api/v1/push', push)).toBe(502);
      expect(recorded(file)).toHaveLength(seen);
    } finally {
      fakes.forEach((f) => f.kill());
    }
  });
});
