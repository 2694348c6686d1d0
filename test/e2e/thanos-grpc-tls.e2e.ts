import { parse, stringify } from 'yaml';
import { argsOf, get } from '../support/synth';
import { issueCertificate, testCaOf } from '../support/issued-certificates';
import { anyExited, eventually, podLogs } from './support/eventually';
import { scenario } from './support/programs';
import { remoteWrite } from './support/remote-write';
import { thanosOutput } from './support/thanos-output';
import { PodToRun, withPods } from './support/run-pods';
import { EMBEDDED_STORE } from './support/object-store';

// Receive v0.42.4 can panic in its first tenant-pruning pass (thanos-io/thanos#8990): see thanos.e2e.ts.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

/**
 * Mutual TLS between the Thanos components, with the real programs: two receive ingestors that
 * replicate every write to each other (replication factor 2, so a write succeeds only if the
 * replication over TLS does) and a query that reads them over the StoreAPI, all with the flags,
 * SD config and certificate mount the output gives them. The certificate and its CA are made by
 * openssl here, as cert-manager would make them in a cluster. The control is a query without the
 * client certificate, which gets nothing.
 */
const NS = 'obs';
const SERVER_NAME = 'thanos-grpc.internal';

/** One certificate for server and client authentication, valid for `SERVER_NAME`, from a test CA. */
function certificates(): Record<string, string> {
  return issueCertificate(testCaOf([]), { dnsNames: [SERVER_NAME], usages: ['server auth', 'client auth'] });
}

scenario('thanos', 'weed')('receive replicates and query reads over mutual TLS; a client without the certificate gets nothing', async () => {
  const manifests = thanosOutput(NS, {
    receive: { replicas: 2, replicationFactor: 2 },
    grpcTls: { secretName: 'thanos-grpc-tls', serverName: SERVER_NAME },
  });
  const queryArgs = argsOf(get(manifests, 'Deployment', 'thanos-query'), 'thanos');
  // The control: the same query, its endpoint SD config without the client certificate.
  const plainArgs = queryArgs.map((a) => {
    if (!a.startsWith('--endpoint.sd-config=')) return a;
    const { default_client_config: _tls, ...rest } = parse(a.slice('--endpoint.sd-config='.length));
    return `--endpoint.sd-config=${stringify(rest)}`;
  });
  expect(plainArgs).not.toEqual(queryArgs);
  const toRun: PodToRun[] = [
    EMBEDDED_STORE,
    ['StatefulSet', 'thanos-receive', 0, 'thanos'],
    ['StatefulSet', 'thanos-receive', 1, 'thanos'],
    ['Deployment', 'thanos-query', 0, 'thanos'],
    ['Deployment', 'thanos-query', 1, 'thanos', plainArgs],
  ];
  await withPods(
    manifests,
    toRun,
    `e2e-client.${NS}.svc.cluster.local`,
    async ({ cluster, host, pods, plans }) => {
      const receive = `http://thanos-receive.${NS}.svc.cluster.local:19291/api/v1/receive`;
      const write = () => {
        const rw = remoteWrite([{ labels: { __name__: 'e2e_tls_metric', via: 'mtls' }, value: 1, timestampMs: Date.now() }]);
        return cluster.httpRequest(receive, { method: 'POST', bodyBase64: rw.bodyBase64, headers: rw.headers }, host).status;
      };
      const series = (ip: string) => {
        const r = cluster.httpGet(`http://${ip}:10902/api/v1/query?query=e2e_tls_metric`, host);
        return r.status === 200 ? (JSON.parse(r.body).data.result as unknown[]).length : -1;
      };
      // With replication factor 2 of 2, receive answers 200 only once its peer took the copy over TLS.
      await eventually(() => write() === 200, {
        withinMs: 90_000,
        everyMs: 1000,
        gaveUp: () => anyExited(pods),
        why: () => `no write was replicated over TLS after 90 s\n${podLogs(pods)}`,
      });
      const [withTls, withoutTls] = [plans[3].ip, plans[4].ip];
      await eventually(() => series(withTls) >= 1, {
        withinMs: 60_000,
        everyMs: 1000,
        gaveUp: () => anyExited(pods),
        why: () => `the query with the certificate read nothing after 60 s\n${podLogs(pods)}`,
      });
      // Both ingestors hold the series (replicated), and the query deduplicates their copies.
      expect(series(withTls)).toBe(1);
      // The control had as long to discover the same endpoints; the servers refuse it.
      expect(series(withoutTls)).toBe(0);
    },
    { 'thanos-grpc-tls': certificates() },
  );
});
