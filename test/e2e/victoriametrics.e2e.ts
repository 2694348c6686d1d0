import { argsOf, get, synthApp } from '../support/synth';
import { vmFlagValues } from '../support/victoriametrics';
import { anyExited, eventually, podLogs } from './support/eventually';
import { scenario } from './support/programs';
import { PodToRun, withPods } from './support/run-pods';

/**
 * Scenario (b), in part: the vmagent pair of platform-vm, the real vmagent at the pinned version with
 * the flags and scrape config its pods get, discovers its targets through the output's SRV names
 * and remote-writes to vminsert's address and tenant path. The VictoriaMetrics cluster programs
 * (vminsert, vmstorage, vmselect) cannot be built here: the Go module proxy serves no version of
 * their branch. The single-node server of the same release stands at vminsert's address, serving
 * the same paths (`-http.pathPrefix`) with vmselect's deduplication interval, so what it shows is
 * what the pair sends: each series once, the two agents' copies of a sample being one series.
 */
const NS = 'observability';
const INSERT_PATH = '/insert/0/prometheus';

interface Series {
  readonly metric: Record<string, string>;
}

const vminsert = `http://vm-vminsert.${NS}.svc.cluster.local:8480`;

/**
 * Runs the stand-in and the vmagent pair of platform-vm; returns the `up` series of the agents' own
 * job, every series key of that job, and how many remote-write requests each agent got accepted.
 * `labelEachAgent` is the control: each agent stamps its own name on what it sends, as a pair with
 * a replica label would.
 */
async function agentPairWrites(labelEachAgent = false): Promise<{ up: Series[]; keys: string[]; accepted: Record<string, number> }> {
  const { manifests } = synthApp('platform-vm');
  const agentArgs = argsOf(get(manifests, 'StatefulSet', 'self-monitoring-vmagent'), 'vmagent');
  const dedup = vmFlagValues(argsOf(get(manifests, 'Deployment', 'vm-vmselect'), 'vmselect'), '-dedup.minScrapeInterval');
  expect(dedup).toHaveLength(1);
  const standIn = [
    '-httpListenAddr=:8480',
    `-http.pathPrefix=${INSERT_PATH}`,
    '-storageDataPath=/tmp/vm-standin',
    `-dedup.minScrapeInterval=${dedup[0]}`,
    '-loggerLevel=WARN',
  ];
  const agent = (i: number): PodToRun => [
    'StatefulSet',
    'self-monitoring-vmagent',
    i,
    'vmagent',
    labelEachAgent ? [...agentArgs, `-remoteWrite.label=agent=${i}`] : undefined,
  ];
  const toRun: PodToRun[] = [['Deployment', 'vm-vminsert', 0, 'victoria-metrics', standIn], agent(0), agent(1)];
  let result = { up: [] as Series[], keys: [] as string[], accepted: {} as Record<string, number> };
  await withPods(manifests, toRun, `e2e-client.${NS}.svc.cluster.local`, async ({ cluster, host, pods, plans }) => {
    const query = (q: string): Series[] => {
      const r = cluster.httpGet(`${vminsert}${INSERT_PATH}/api/v1/query?query=${encodeURIComponent(q)}`, host);
      return r.status === 200 ? JSON.parse(r.body).data.result : [];
    };
    // Both agents scrape both agents every 30 s: wait for both copies of both targets.
    const instances = () => new Set(query('up{job="self-monitoring-vmagent"} == 1').map((s) => s.metric.instance)).size;
    const accepted = () =>
      Object.fromEntries(
        plans.slice(1).map((plan) => {
          const metrics = cluster.httpGet(`http://${plan.ip}:8429/metrics`, host).body;
          return [
            plan.name,
            [...metrics.matchAll(/^vmagent_remotewrite_requests_total\{[^}]*status_code="2(?:XX|\d\d)"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0),
          ];
        }),
      );
    await eventually(() => instances() >= 2 && Object.values(accepted()).every((n) => n >= 2), {
      withinMs: 150_000,
      everyMs: 2000,
      gaveUp: () => anyExited(pods),
      why: () => `the agents' series did not arrive after 150 s\n${podLogs(pods)}`,
    });
    result = {
      up: query('up{job="self-monitoring-vmagent"}'),
      keys: query('{job="self-monitoring-vmagent"}').map((s) => JSON.stringify(s.metric)),
      accepted: accepted(),
    };
    expect(pods.filter((p) => !p.alive()).map((p) => p.pod.name)).toEqual([]);
  });
  return result;
}

const agentTarget = (i: number) => `self-monitoring-vmagent-${i}.self-monitoring-vmagent-headless.${NS}.svc.cluster.local:8429`;

scenario('vmagent', 'victoria-metrics')("the vmagent pair writes each series once to vminsert's tenant path, both agents delivering", async () => {
  const { manifests } = synthApp('platform-vm');
  // The agents write where the output says: vminsert, tenant 0, Prometheus remote-write.
  expect(vmFlagValues(argsOf(get(manifests, 'StatefulSet', 'self-monitoring-vmagent'), 'vmagent'), '-remoteWrite.url')).toEqual([
    `${vminsert}${INSERT_PATH}/api/v1/write`,
  ]);
  const { up, keys, accepted } = await agentPairWrites();
  // Each agent is one target, discovered by SRV on its headless Service, and one series: the two
  // agents scrape it with the same labels, so their two copies are one series, not two.
  expect(up.map((s) => s.metric.instance).sort()).toEqual([agentTarget(0), agentTarget(1)]);
  expect(keys.length).toBeGreaterThan(50);
  expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  expect(Object.keys(accepted).sort()).toEqual(['self-monitoring-vmagent-0', 'self-monitoring-vmagent-1']);
});

scenario('vmagent', 'victoria-metrics')('control: a pair that labels its copies writes each series twice', async () => {
  const { up } = await agentPairWrites(true);
  expect(up.map((s) => `${s.metric.instance} agent=${s.metric.agent}`).sort()).toEqual([
    `${agentTarget(0)} agent=0`,
    `${agentTarget(0)} agent=1`,
    `${agentTarget(1)} agent=0`,
    `${agentTarget(1)} agent=1`,
  ]);
});
