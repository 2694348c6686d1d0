import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Alertmanager, PrometheusServer } from '../../lib';
import { Manifest, synth, testChart } from '../support/synth';
import { eventually, podLogs, sleep } from './support/eventually';
import { scenario } from './support/programs';
import { PodToRun, withPods } from './support/run-pods';

/**
 * Scenario (c), alerting: an HA Prometheus pair evaluates an always-firing rule and sends to every
 * pod of an HA Alertmanager pair that gossips; a webhook receiver in the cluster network must get
 * exactly one notification, holding one alert without the pair's replica label.
 */
const NAMESPACE = 'obs';
const HOOK = `hook.${NAMESPACE}.svc.cluster.local`;

/** `keepReplicaLabel` undoes the fix for the control run: the pair's alerts keep `prometheus_replica`. */
function alertingChart(keepReplicaLabel = false) {
  const chart = testChart(HOOK);
  const am = new Alertmanager(chart, 'am', {
    namespace: NAMESPACE,
    replicas: 2,
    config: {
      route: { receiver: 'hook', group_by: ['alertname'], group_wait: '5s', group_interval: '5s', repeat_interval: '1h' },
      receivers: [{ name: 'hook', webhook_configs: [{ url: `http://${HOOK}:8080/` }] }],
    },
  });
  new PrometheusServer(chart, 'prometheus', {
    namespace: NAMESPACE,
    replicas: 2,
    scrapeInterval: '5s',
    ruleGroups: [{ name: 'always', interval: '2s', rules: [{ alert: 'AlwaysFiring', expr: 'vector(1)', labels: { severity: 'page' } }] }],
    alertmanagers: [am.endpoint],
    ...(keepReplicaLabel ? { configOverrides: { alerting: { alert_relabel_configs: [] } } } : {}),
  });
  return synth(chart);
}

/** A webhook receiver: every request body as one line of `file`. */
function startHook(netns: string, file: string): ChildProcess {
  const code = `require('http').createServer((q, r) => { let b = ''; q.on('data', (d) => b += d); q.on('end', () => { require('fs').appendFileSync(${JSON.stringify(file)}, b.replace(/\\n/g, ' ') + '\\n'); r.end('ok'); }); }).listen(8080, '0.0.0.0');`;
  return spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', code], { stdio: 'ignore' });
}

/** Runs the pair and the Alertmanagers on the output, and returns every notification the webhook got. */
/**
 * The notifications the webhook got: from the first one plus 15 s (a duplicate would come within a
 * group interval), or, with `until`, as soon as they satisfy it (within 120 s), which does not
 * depend on how fast a loaded machine delivers the second copy.
 */
async function notificationsOf(manifests: Manifest[], until?: (got: any[]) => boolean): Promise<any[]> {
  const toRun: PodToRun[] = [
    ['StatefulSet', 'alertmanager', 0, 'alertmanager'],
    ['StatefulSet', 'alertmanager', 1, 'alertmanager'],
    ['StatefulSet', 'prometheus-server', 0, 'prometheus'],
    ['StatefulSet', 'prometheus-server', 1, 'prometheus'],
  ];
  let got: any[] = [];
  await withPods(manifests, toRun, HOOK, async ({ host, pods, plans }) => {
    const received = join(mkdtempSync(join(tmpdir(), 'obs-e2e-hook-')), 'requests.jsonl');
    const hook = startHook(host, received);
    try {
      // Wait for the first notification, then for a while longer: a second one would come within a group interval.
      const notifications = () =>
        existsSync(received)
          ? readFileSync(received, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l))
          : [];
      await eventually(() => notifications().length > 0, { withinMs: 180_000, everyMs: 500, why: () => `no notification after 180 s\n${podLogs(pods)}` });
      if (until) await eventually(() => until(notifications()), { withinMs: 120_000, everyMs: 500, why: () => `still ${JSON.stringify(notifications())}` });
      else await sleep(15_000);
      expect(pods.map((p) => [p.pod.name, p.alive()])).toEqual(plans.map((p) => [p.name, true]));
      got = notifications();
    } finally {
      hook.kill();
    }
  });
  return got;
}

scenario('prometheus', 'alertmanager')('one notification per alert from an HA Prometheus pair through a gossiping Alertmanager pair', async () => {
  const got = await notificationsOf(alertingChart());
  // Both Alertmanagers received the alerts of both Prometheus pods, and agreed by gossip on who notifies.
  expect(got.length).toBe(1);
  expect(got[0].alerts.map((a: any) => a.labels)).toEqual([{ alertname: 'AlwaysFiring', severity: 'page' }]);
});

scenario('prometheus', 'alertmanager')("control: with the replica label kept on alerts, the pair's one alert arrives twice", async () => {
  // Each notification carries the whole group: when the second copy joins the group, the next
  // notification repeats the first one. Count the distinct alerts the webhook saw.
  const replicas = (got: any[]) => [...new Set(got.flatMap((n: any) => n.alerts.map((a: any) => a.labels.prometheus_replica)))].sort();
  const got = await notificationsOf(alertingChart(true), (sofar) => replicas(sofar).length === 2);
  expect(replicas(got)).toEqual(['prometheus-server-0', 'prometheus-server-1']);
});
