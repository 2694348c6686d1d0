import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { declareExternalService } from '../../lib/core/external';
import { Alertmanager, AlertmanagerWebAuth, ObservabilityPlatform, PrometheusServer } from '../../lib';
import { Manifest, synth, testChart } from '../support/synth';
import { eventually, podLogs, sleep } from './support/eventually';
import { basicAuth, bcryptHtpasswdOf } from './support/logins';
import { BUSYBOX } from './support/pod-runner';
import { scenario } from './support/programs';
import { PodToRun, PodsRun, withPods } from './support/run-pods';
import { EMBEDDED_STORE } from './support/object-store';

/**
 * Scenario (c), alerting: an HA Prometheus pair evaluates an always-firing rule and sends to every
 * pod of an HA Alertmanager pair that gossips and requires logins; a webhook receiver in the
 * cluster network must get exactly one notification, holding one alert without the pair's replica
 * label. The platform's Thanos ruler delivers to the same kind of pair with its own login.
 */
const NAMESPACE = 'obs';
const HOOK = `hook.${NAMESPACE}.svc.cluster.local`;

/** Routes every alert to the test's webhook, quickly. */
const HOOK_CONFIG = {
  route: { receiver: 'hook', group_by: ['alertname'], group_wait: '5s', group_interval: '5s', repeat_interval: '1h' },
  receivers: [{ name: 'hook', webhook_configs: [{ url: `http://${HOOK}:8080/` }] }],
};

/** Logins on Alertmanager: `senders` for the library's senders, `oncall` for a person. */
const PASSWORDS = { senders: 'senders-password', oncall: 'oncall-password' };
const WEB_AUTH: AlertmanagerWebAuth = {
  htpasswdSecret: 'alertmanager-logins',
  sender: { username: 'senders', passwordSecret: { name: 'alertmanager-sender', key: 'password' } },
};
const LOGIN_SECRETS = {
  'alertmanager-logins': { '.htpasswd': bcryptHtpasswdOf(PASSWORDS) },
  'alertmanager-sender': { password: PASSWORDS.senders },
};

/**
 * `keepReplicaLabel` undoes the fix for the control run: the pair's alerts keep `prometheus_replica`.
 * `webAuth` puts logins on Alertmanager; the pair then also scrapes it.
 */
function alertingChart(keepReplicaLabel = false, webAuth?: AlertmanagerWebAuth) {
  const chart = testChart(HOOK);
  const am = new Alertmanager(chart, 'am', { namespace: NAMESPACE, replicas: 2, config: HOOK_CONFIG, webAuth });
  new PrometheusServer(chart, 'prometheus', {
    namespace: NAMESPACE,
    replicas: 2,
    scrapeInterval: '5s',
    ruleGroups: [{ name: 'always', interval: '2s', rules: [{ alert: 'AlwaysFiring', expr: 'vector(1)', labels: { severity: 'page' } }] }],
    alertmanagers: [am.endpoint],
    ...(webAuth ? { scrapeTargets: [am.scrapeTarget] } : {}),
    ...(keepReplicaLabel ? { configOverrides: { alerting: { alert_relabel_configs: [] } } } : {}),
  });
  return synth(chart);
}

/** A webhook receiver: every request body as one line of `file`. */
function startHook(netns: string, file: string): ChildProcess {
  const code = `require('http').createServer((q, r) => { let b = ''; q.on('data', (d) => b += d); q.on('end', () => { require('fs').appendFileSync(${JSON.stringify(file)}, b.replace(/\\n/g, ' ') + '\\n'); r.end('ok'); }); }).listen(8080, '0.0.0.0');`;
  return spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', code], { stdio: 'ignore' });
}

const PAIRS: PodToRun[] = [
  ['StatefulSet', 'alertmanager', 0, 'alertmanager'],
  ['StatefulSet', 'alertmanager', 1, 'alertmanager'],
  ['StatefulSet', 'prometheus-server', 0, 'prometheus'],
  ['StatefulSet', 'prometheus-server', 1, 'prometheus'],
];

/**
 * Runs these pods of the output (by default the Prometheus and Alertmanager pairs) and returns
 * every notification the webhook got: from the first one plus 15 s (a duplicate would come within
 * a group interval), or, with `until`, as soon as they satisfy it (within 120 s), which does not
 * depend on how fast a loaded machine delivers the second copy. `meanwhile` runs its own checks
 * while the pods still run.
 */
async function notificationsOf(
  manifests: Manifest[],
  options: {
    readonly until?: (got: any[]) => boolean;
    readonly toRun?: readonly PodToRun[];
    readonly meanwhile?: (run: PodsRun) => Promise<void>;
  } = {},
): Promise<any[]> {
  const { until, toRun = PAIRS, meanwhile } = options;
  let got: any[] = [];
  await withPods(
    manifests,
    toRun,
    HOOK,
    async (run) => {
      const { host, pods, plans } = run;
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
        await meanwhile?.(run);
        const running = plans.filter((_, i) => toRun[i][3] !== null);
        expect(pods.map((p) => [p.pod.name, p.alive()])).toEqual(running.map((p) => [p.name, true]));
        got = notifications();
      } finally {
        hook.kill();
      }
    },
    LOGIN_SECRETS,
  );
  return got;
}

scenario('prometheus', 'alertmanager')("control: with the replica label kept on alerts, the pair's one alert arrives twice", async () => {
  // Each notification carries the whole group: when the second copy joins the group, the next
  // notification repeats the first one. Count the distinct alerts the webhook saw.
  const replicas = (got: any[]) => [...new Set(got.flatMap((n: any) => n.alerts.map((a: any) => a.labels.prometheus_replica)))].sort();
  const got = await notificationsOf(alertingChart(true), { until: (sofar) => replicas(sofar).length === 2 });
  expect(replicas(got)).toEqual(['prometheus-server-0', 'prometheus-server-1']);
});

const ALERTMANAGER = `http://alertmanager.${NAMESPACE}.svc.cluster.local:9093`;

/**
 * The API behind logins, from the test's host: nothing without a valid login (401), everything with
 * one; a silence made through one pod reaches the other by gossip.
 */
async function checkLogins({ cluster, host }: PodsRun, namespace = NAMESPACE): Promise<void> {
  const base = ALERTMANAGER.replace(`.${NAMESPACE}.`, `.${namespace}.`);
  const pod = (i: number) => `http://alertmanager-${i}.alertmanager-headless.${namespace}.svc.cluster.local:9093`;
  const as = (user?: string, password?: string): Record<string, string> => (user ? { authorization: basicAuth(user, password!) } : {});
  const silence = JSON.stringify({
    matchers: [{ name: 'alertname', value: '.+', isRegex: true }],
    startsAt: new Date().toISOString(),
    endsAt: new Date(Date.now() + 3600_000).toISOString(),
    createdBy: 'e2e',
    comment: 'a silence of everything',
  });
  const post = (headers: Record<string, string>) =>
    cluster.httpRequest(`${pod(0)}/api/v2/silences`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: silence }, host);
  // Without a login, or with a wrong one: no alerts read, no silence made, not even the metrics.
  for (const headers of [as(), as('oncall', 'wrong'), as('nobody', PASSWORDS.oncall)]) {
    expect(cluster.httpRequest(`${base}/api/v2/alerts`, { headers }, host).status).toBe(401);
    expect(post(headers).status).toBe(401);
    expect(cluster.httpRequest(`${base}/metrics`, { headers }, host).status).toBe(401);
  }
  const silences = (i: number) => JSON.parse(cluster.httpRequest(`${pod(i)}/api/v2/silences`, { headers: as('oncall', PASSWORDS.oncall) }, host).body);
  expect(silences(0)).toEqual([]);
  // With one: a person silences, and the other pod learns it by gossip.
  const made = post(as('oncall', PASSWORDS.oncall));
  expect(made.status).toBe(200);
  const id = JSON.parse(made.body).silenceID;
  await eventually(() => silences(1).some((x: any) => x.id === id), {
    withinMs: 30_000,
    everyMs: 1000,
    why: () => `pod 1 has not the silence: ${JSON.stringify(silences(1))}`,
  });
}

// The Alertmanager pair requires logins (its init container writes the web config, under busybox):
// the Prometheus pair sends and scrapes with its login, and nothing gets in without one.
scenario(
  'prometheus',
  'alertmanager',
  BUSYBOX,
)('one notification per alert from an HA Prometheus pair through a gossiping Alertmanager pair behind logins', async () => {
  const manifests = alertingChart(false, WEB_AUTH);
  const got = await notificationsOf(manifests, {
    meanwhile: async (run) => {
      // Both Prometheus pods scrape both Alertmanager pods with the login.
      const up = () => {
        const r = run.cluster.httpRequest(
          `http://prometheus-server.${NAMESPACE}.svc.cluster.local:9090/api/v1/query?query=${encodeURIComponent('up{job="alertmanager"}')}`,
          {},
          run.host,
        );
        return r.status === 200 ? (JSON.parse(r.body).data.result as Array<{ value: [number, string] }>) : [];
      };
      await eventually(() => up().length === 2 && up().every((s) => s.value[1] === '1'), {
        withinMs: 60_000,
        everyMs: 2000,
        why: () => `Alertmanager not scraped with the login: ${JSON.stringify(up())}\n${podLogs(run.pods)}`,
      });
      await checkLogins(run);
    },
  });
  // Both Alertmanagers received the alerts of both Prometheus pods, and agreed by gossip on who notifies.
  expect(got.length).toBe(1);
  expect(got[0].alerts.map((a: any) => a.labels)).toEqual([{ alertname: 'AlwaysFiring', severity: 'page' }]);
});

/** The platform with logins on its Alertmanager, and a rule of the ruler that always fires. */
function platformWithLogins(): Manifest[] {
  const platform = new ObservabilityPlatform(new App({ outdir: '/nonexistent' }), 'platform', {
    alertmanager: { webAuth: WEB_AUTH, config: HOOK_CONFIG },
    thanos: { ruler: { ruleGroups: [{ name: 'always', interval: '2s', rules: [{ alert: 'RulerAlwaysFiring', expr: 'vector(1)' }] }] } },
  });
  declareExternalService(platform, `${HOOK}:8080`, "the test's webhook");
  return synth(platform);
}

scenario(
  'thanos',
  'alertmanager',
  'weed',
  BUSYBOX,
)("the platform's Thanos ruler sends to the Alertmanager pair behind logins with its login", async () => {
  const toRun: PodToRun[] = [
    EMBEDDED_STORE,
    ['Deployment', 'thanos-query', 0, 'thanos'],
    ['StatefulSet', 'thanos-ruler', 0, 'thanos'],
    ['StatefulSet', 'alertmanager', 0, 'alertmanager'],
    ['StatefulSet', 'alertmanager', 1, 'alertmanager'],
  ];
  const got = await notificationsOf(platformWithLogins(), { toRun, until: (sofar) => sofar.length > 0, meanwhile: (run) => checkLogins(run, 'observability') });
  expect(got[0].alerts.map((a: any) => a.labels.alertname)).toEqual(['RulerAlwaysFiring']);
});
