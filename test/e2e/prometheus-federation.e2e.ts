import { synthApp } from '../support/synth';
import { anyExited, eventually, podLogs } from './support/eventually';
import { scenario } from './support/programs';
import { withPods } from './support/run-pods';

/**
 * The prometheus-federation app with the real Prometheus 3.14 in every pod: two edge servers
 * scrape themselves and record aggregates, and the global server pulls both edges' aggregates and
 * `up` series from their `/federate` endpoints with the generated config. Read back from the
 * global server, each series keeps the labels it had at its edge (job, instance, the edge's
 * cluster) and nothing of the federation scrape's own (no `exported_*` label).
 */
const NS = 'monitoring';
const GLOBAL = `http://global-server.${NS}.svc.cluster.local:9090`;
const EDGES = ['edge-eu-1', 'edge-us-1'];

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

scenario('prometheus')(
  "a global Prometheus federates two edges' aggregates and up series with the edges' own labels",
  async () => {
    const { manifests } = synthApp('prometheus-federation');
    const toRun = [...EDGES.map((e) => ['StatefulSet', `${e}-server`, 0, 'prometheus'] as const), ['StatefulSet', 'global-server', 0, 'prometheus'] as const];
    await withPods(manifests, toRun, `e2e-client.${NS}.svc.cluster.local`, async ({ cluster, host, pods }) => {
      const query = (q: string, base = GLOBAL): Sample[] => {
        const r = cluster.httpGet(`${base}/api/v1/query?query=${encodeURIComponent(q)}`, host);
        return r.status === 200 ? JSON.parse(r.body).data.result : [];
      };
      await eventually(() => new Set(query('job:up:sum').map((s) => s.metric.cluster)).size === EDGES.length, {
        withinMs: 150_000,
        everyMs: 2000,
        gaveUp: () => anyExited(pods),
        why: () => `the edges' aggregates did not reach the global server after 150 s\n${podLogs(pods)}`,
      });

      for (const edge of EDGES) {
        const edgeUrl = `http://${edge}-server.${NS}.svc.cluster.local:9090`;
        // The aggregate as the edge recorded it: its labels, plus the edge's external labels.
        const [atEdge, ...moreAtEdge] = query('job:up:sum', edgeUrl);
        expect(moreAtEdge).toEqual([]);
        const [federated, ...moreFederated] = query(`job:up:sum{cluster="${edge}"}`);
        expect(moreFederated).toEqual([]);
        expect(federated.metric).toEqual({ ...atEdge.metric, __name__: 'job:up:sum', cluster: edge, prometheus_replica: `${edge}-server-0` });
        expect(federated.value[1]).toBe('1');

        // The edge's up series keeps the edge's job and instance, not the federation scrape's.
        const [up, ...moreUp] = query(`up{cluster="${edge}"}`);
        expect(moreUp).toEqual([]);
        expect(up.metric.job).toBe(`${edge}-server`);
        expect(up.metric.instance).toMatch(new RegExp(`^${edge}-server-0\\.${edge}-server-headless\\.${NS}\\.svc\\.cluster\\.local\\.?:9090$`));
        expect(Object.keys(up.metric).filter((k) => k.startsWith('exported_'))).toEqual([]);
        // The federation scrape itself is healthy, and what the selectors left out stayed at the edge.
        expect(query(`up{job="federate-${edge}-server"}`).map((s) => s.value[1])).toEqual(['1']);
        expect(query(`prometheus_tsdb_head_series{cluster="${edge}"}`)).toEqual([]);
      }
    });
  },
  300_000,
);
