import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { Minio, OtelCollectorGateway, Tempo, setServingTls } from '../../lib';
import { SERVING_TLS_DIR } from '../../lib/core/serving-tls';
import { Manifest } from '../support/synth';
import { testCaOf } from '../support/issued-certificates';
import { recordedSpans } from './support/fakes';
import { anyExited, eventually, podLogs, sleep } from './support/eventually';
import { scenario } from './support/programs';
import { basicAuth, htpasswdOf } from './support/logins';
import { PodToRun, withPods } from './support/run-pods';

/**
 * The OTLP entry with a login and TLS, with the real collector built from exactly the components
 * the library emits: senders reach the gateway over HTTPS (its certificate from the test CA, as
 * cert-manager would issue it) and must log in with a user of the htpasswd Secret; what a logged-in
 * sender sends arrives at Tempo's OTLP address over TLS checked against the CA (a second collector
 * that records spans, since Tempo is AGPL, serving Tempo's certificate). No login, a wrong password, plain HTTP and a client that trusts another CA get nothing
 * through.
 */
const NS = 'obs';
const PASSWORD = 'e2e-sender-pass';
const htpasswd = htpasswdOf({ shop: PASSWORD }) + '\n';

/** A Tempo and a gateway in front of it that takes logins over TLS. */
function output(): Manifest[] {
  const chart = new Chart(new App({ outdir: '/nonexistent' }), 'otlp', { disableResourceNameHashes: true });
  setServingTls(chart, { issuer: { name: 'platform-ca', kind: 'ClusterIssuer' } });
  const tempo = new Tempo(chart, 'tempo', { namespace: NS, storage: new Minio(chart, 'minio', { namespace: NS }), metricsGenerator: false });
  new OtelCollectorGateway(chart, 'otel', { namespace: NS, replicas: 1, traces: tempo, auth: { basicAuthSecret: 'otlp-senders' } });
  return chart.toJson() as Manifest[];
}

scenario('otelcol')('OTLP over HTTPS with a login: a logged-in sender gets through to Tempo, no one else does', async () => {
  const manifests = output();
  const ca = testCaOf(manifests).cert;
  const traceDir = mkdtempSync(join('/var/tmp', 'obs-e2e-traces-'));
  // Tempo's stand-in serves its OTLP gRPC port with Tempo's certificate, mounted where Tempo's pod mounts it.
  const tls = `tls: {cert_file: "${SERVING_TLS_DIR}/tls.crt", key_file: "${SERVING_TLS_DIR}/tls.key"}`;
  const sink = `yaml:{receivers: {otlp: {protocols: {grpc: {endpoint: "0.0.0.0:4317", ${tls}}}}}, exporters: {file: {path: "${traceDir}/spans.jsonl"}}, service: {pipelines: {traces: {receivers: [otlp], exporters: [file]}}}}`;
  const toRun: PodToRun[] = [
    ['StatefulSet', 'tempo-monolithic', 0, 'otelcol', [`--config=${sink}`]],
    ['Deployment', 'otel-gateway', 0, 'otelcol'],
  ];
  try {
    await withPods(
      manifests,
      toRun,
      `e2e-client.${NS}.svc.cluster.local`,
      async ({ cluster, host, pods }) => {
        const traceId = randomBytes(16).toString('hex');
        const now = Date.now() * 1e6;
        const body = JSON.stringify({
          resourceSpans: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId,
                      spanId: randomBytes(8).toString('hex'),
                      name: 'checkout',
                      kind: 1,
                      startTimeUnixNano: String(now - 1e9),
                      endTimeUnixNano: String(now),
                    },
                  ],
                },
              ],
            },
          ],
        });
        const send = (url: string, authorization?: string, trust = ca) =>
          cluster.httpRequest(
            url,
            { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body, ca: trust },
            host,
          );
        const entry = `https://otel-gateway.${NS}.svc.cluster.local:4318/v1/traces`;
        // The collector answers once its receivers listen.
        await eventually(() => send(entry, basicAuth('shop', PASSWORD)).status === 200, {
          withinMs: 60_000,
          everyMs: 1000,
          gaveUp: () => anyExited(pods),
          why: () => `the gateway did not take a logged-in sender's spans after 60 s\n${podLogs(pods)}`,
        });
        const spans = () => recordedSpans(join(traceDir, 'spans.jsonl')).filter((s) => s.traceId === traceId);
        await eventually(() => spans().length > 0, {
          withinMs: 60_000,
          everyMs: 1000,
          why: () => `the span did not reach Tempo's address after 60 s\n${podLogs(pods)}`,
        });

        // Refused: no login, a wrong password, plain HTTP, a client that trusts another CA.
        expect(send(entry).status).toBe(401);
        expect(send(entry, basicAuth('shop', 'wrong')).status).toBe(401);
        expect(send(entry, basicAuth('nobody', PASSWORD)).status).toBe(401);
        const plain = send(entry.replace('https:', 'http:'), basicAuth('shop', PASSWORD));
        expect(plain.status).toBe(400);
        expect(send(entry, basicAuth('shop', PASSWORD), testCaOf([]).cert).status).toBe(0);
        // Time for a refused send that leaked to arrive, as the accepted one did: only that one is there.
        await sleep(3000);
        expect(spans().map((s) => s.name)).toEqual(['checkout']);
        expect(pods.filter((p) => !p.alive()).map((p) => p.pod.name)).toEqual([]);
      },
      { 'otlp-senders': { '.htpasswd': htpasswd } },
    );
  } finally {
    rmSync(traceDir, { recursive: true, force: true });
  }
});
