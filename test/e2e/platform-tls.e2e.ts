import { synthApp } from '../support/synth';
import { testCaOf } from '../support/issued-certificates';
import { anyExited, eventually, podLogs } from './support/eventually';
import { scenario } from './support/programs';
import { Series, untilBothAgentsSeeAll } from './support/agent-pair';
import { PodToRun, withPods } from './support/run-pods';
import { EMBEDDED_STORE } from './support/object-store';
import { basicAuth, bcryptHtpasswdOf } from './support/logins';
import { BUSYBOX } from './support/pod-runner';

// Receive v0.42.4 can panic in its first tenant-pruning pass (thanos-io/thanos#8990): see thanos.e2e.ts.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

/**
 * The TLS variant of the default platform (platform-tls), as emitted: every certificate its
 * Certificates name is issued by one openssl CA, as its cert-manager issuer would. The agent pair
 * scrapes every running component over HTTPS and remote-writes into the receive ring over HTTPS;
 * receive replicates and query reads the ingestors and the ruler over gRPC with mutual TLS; the
 * ruler evaluates its rules through query over HTTPS; the test reads everything back through
 * query-frontend over HTTPS, trusting only that CA. Alertmanager requires a login as well (its web
 * config is the TLS part and the users, written by its init container under busybox): the agents
 * scrape it with theirs. Controls: plain HTTP, and HTTPS without the CA, are refused by the same
 * endpoints, and Alertmanager refuses a request without a login.
 */
const NS = 'observability';
const FRONTEND = `https://thanos-query-frontend.${NS}.svc.cluster.local:10902`;
const CLIENT = `e2e-client.${NS}.svc.cluster.local`;
/** Alertmanager's logins: the one the app's senders use, and a person's. */
const LOGINS = { platform: 'platform-password', oncall: 'oncall-password' };
const EXTERNAL_SECRETS = {
  'alertmanager-logins': { '.htpasswd': bcryptHtpasswdOf(LOGINS) },
  'alertmanager-sender': { password: LOGINS.platform },
};

scenario(
  'thanos',
  'prometheus',
  'alertmanager',
  'weed',
  'node_exporter',
  BUSYBOX,
)('platform-tls: every series once over HTTPS, each hop served with its own certificate from the one CA', async () => {
  const { manifests } = synthApp('platform-tls');
  const ca = testCaOf(manifests).cert;
  const toRun: PodToRun[] = [
    // The embedded store serves HTTPS itself, from its own certificate; its bucket Job trusts the CA.
    EMBEDDED_STORE,
    ...[0, 1, 2].map((i): PodToRun => ['StatefulSet', 'thanos-receive', i, 'thanos']),
    ['Deployment', 'thanos-query', 0, 'thanos'],
    ['Deployment', 'thanos-query-frontend', 0, 'thanos'],
    ['StatefulSet', 'thanos-store', 0, 'thanos'],
    ['StatefulSet', 'thanos-ruler', 0, 'thanos'],
    ['StatefulSet', 'alertmanager', 0, 'alertmanager'],
    ['StatefulSet', 'alertmanager', 1, 'alertmanager'],
    ['StatefulSet', 'prometheus-agent', 0, 'prometheus'],
    ['StatefulSet', 'prometheus-agent', 1, 'prometheus'],
    ['DaemonSet', 'node-exporter', 0, 'node_exporter'],
  ];
  await withPods(
    manifests,
    toRun,
    CLIENT,
    async ({ cluster, host: client, pods }) => {
      const get = (url: string, trust: string = ca) => cluster.httpRequest(url, { ca: trust }, client);
      const query = (q: string, extra = ''): Series[] => {
        const r = get(`${FRONTEND}/api/v1/query?query=${encodeURIComponent(q)}${extra}`);
        return r.status === 200 ? JSON.parse(r.body).data.result : [];
      };
      // Every target is scraped over HTTPS (each serves nothing else), by both agents.
      const wanted: Record<string, number> = {
        'thanos-receive': 3,
        'thanos-query': 1,
        'thanos-query-frontend': 1,
        'thanos-store': 1,
        'thanos-ruler': 1,
        alertmanager: 2,
        'prometheus-agent': 2,
        'node-exporter': 1,
      };
      await untilBothAgentsSeeAll(query, wanted, pods);

      // Each series once: receive's copies (gRPC, mutual TLS) and the agent pair deduplicated.
      const up = query('up');
      const keys = up.map((s) => JSON.stringify(s.metric));
      expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
      expect(up.filter((s) => 'replica' in s.metric || 'prometheus_replica' in s.metric)).toEqual([]);
      expect(up.filter((s) => s.metric.job === 'thanos-receive')).toHaveLength(3);

      // The Alertmanager pair gossips over mutual TLS: each pod counts both members.
      const members = () => query('alertmanager_cluster_members') as Array<Series & { value: [number, string] }>;
      await eventually(() => members().length === 2 && members().every((s) => s.value[1] === '2'), {
        withinMs: 90_000,
        everyMs: 3000,
        gaveUp: () => anyExited(pods),
        why: () => `the Alertmanager pair did not form a cluster over TLS: ${JSON.stringify(members())}\n${podLogs(pods)}`,
      });

      // The ruler evaluates its groups through query over HTTPS: every rule's last evaluation is
      // healthy. (One taken before query found its StoreAPIs fails with an answer of query's, so
      // the check waits for the next evaluation rather than counting failures since the start.)
      const rules = () => {
        const r = get(`https://thanos-ruler.${NS}.svc.cluster.local:10902/api/v1/rules`);
        return r.status === 200
          ? (JSON.parse(r.body).data.groups as any[]).flatMap((g) => g.rules as Array<{ name: string; health: string; lastError?: string }>)
          : [];
      };
      await eventually(() => rules().length > 0 && rules().every((r) => r.health === 'ok'), {
        withinMs: 150_000,
        everyMs: 5000,
        gaveUp: () => anyExited(pods),
        why: () => `the ruler's rules are not all healthy: ${JSON.stringify(rules().filter((r) => r.health !== 'ok'))}\n${podLogs(pods)}`,
      });

      // Controls: the same endpoints refuse plain HTTP, and a client that trusts another CA fails the handshake.
      const plain = get(FRONTEND.replace('https:', 'http:') + '/api/v1/query?query=up');
      expect(plain.status).toBe(400);
      expect(plain.body).toContain('HTTP request to an HTTPS server');
      const otherCa = testCaOf([]).cert;
      expect(get(`${FRONTEND}/api/v1/query?query=up`, otherCa).status).toBe(0);
      const receivePlain = get(`http://thanos-receive.${NS}.svc.cluster.local:19291/api/v1/receive`);
      expect(receivePlain.status).toBe(400);
      // Alertmanager over HTTPS: nothing without a login, its status with one.
      const alertmanager = `https://alertmanager.${NS}.svc.cluster.local:9093/api/v2/status`;
      expect(cluster.httpRequest(alertmanager, { ca }, client).status).toBe(401);
      expect(cluster.httpRequest(alertmanager, { ca, headers: { authorization: basicAuth('oncall', LOGINS.oncall) } }, client).status).toBe(200);
      // The store gateway read the bucket through the store's HTTPS (it stops when its first sync
      // fails); the store takes no plain HTTP.
      expect(get(`http://seaweedfs.${NS}.svc.cluster.local:8333/healthz`).status).toBe(400);
      const syncs = (name: string) => query(`${name}{job="thanos-store"}`).map((x) => Number((x as Series & { value: [number, string] }).value[1]));
      expect(syncs('thanos_blocks_meta_syncs_total').some((n) => n > 0)).toBe(true);
      expect(syncs('thanos_blocks_meta_sync_failures_total')).toEqual([0]);
      expect(pods.filter((p) => !p.alive()).map((p) => p.pod.name)).toEqual([]);
    },
    EXTERNAL_SECRETS,
  );
});
