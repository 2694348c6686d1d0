import { App } from 'cdk8s';
import { ObservabilityPlatform } from '../../lib';
import { Manifest } from '../support/synth';
import { anyExited, eventually, podLogs } from './support/eventually';
import { startFakePushgateway } from './support/fakes';
import { scenario } from './support/programs';
import { PodToRun, withPods } from './support/run-pods';
import { EMBEDDED_STORE } from './support/object-store';

/**
 * The Pushgateway as the platform wires it (dev profile): a batch job pushes its last run's metric
 * to the platform's push URL; the real Prometheus agent scrapes the gateway with the generated
 * config and writes to the real Thanos receive; the metric is read back through query-frontend
 * with the pusher's `job` label. Without `honor_labels` it would come back as job="pushgateway"
 * with the pusher's name moved to `exported_job`. The Pushgateway itself is not served by the Go
 * module proxy: a fake of its push and scrape API stands at its address.
 */
const NS = 'observability';
const CLIENT = `e2e-client.${NS}.svc.cluster.local`;

scenario(
  'thanos',
  'prometheus',
  'weed',
)("a pushed metric keeps its pusher's job label through the agent, receive and query", async () => {
  const platform = new ObservabilityPlatform(new App(), 'platform', { profile: 'dev', pushgateway: {} });
  const manifests = platform.toJson() as Manifest[];
  const toRun: PodToRun[] = [
    EMBEDDED_STORE,
    ['StatefulSet', 'thanos-receive', 0, 'thanos'],
    ['Deployment', 'thanos-query', 0, 'thanos'],
    ['Deployment', 'thanos-query-frontend', 0, 'thanos'],
    ['StatefulSet', 'prometheus-agent', 0, 'prometheus'],
    ['StatefulSet', 'pushgateway', 0, null],
  ];
  await withPods(manifests, toRun, CLIENT, async ({ cluster, host, pods, plans }) => {
    const gateway = startFakePushgateway(plans[5].netns, 9091);
    try {
      // The batch job pushes to the address the platform gives it.
      const pushUrl = `${platform.pushgateway!.pushUrl}/metrics/job/nightly-backup`;
      await eventually(
        () => cluster.httpRequest(pushUrl, { method: 'PUT', body: 'nightly_backup_last_success_timestamp_seconds 1700000000\n' }, host).status === 200,
        {
          withinMs: 10_000,
          everyMs: 200,
          why: () => 'the fake Pushgateway did not take the push',
        },
      );
      const frontend = `http://thanos-query-frontend.${NS}.svc.cluster.local:10902`;
      const query = (q: string) => {
        const r = cluster.httpGet(`${frontend}/api/v1/query?query=${encodeURIComponent(q)}`, host);
        return r.status === 200 ? (JSON.parse(r.body).data.result as Array<{ metric: Record<string, string>; value: [number, string] }>) : [];
      };
      await eventually(() => query('nightly_backup_last_success_timestamp_seconds').length > 0, {
        withinMs: 240_000,
        everyMs: 2000,
        gaveUp: () => anyExited(pods),
        why: () => `the pushed metric did not arrive after 240 s\n${podLogs(pods)}`,
      });
      const [series, ...more] = query('nightly_backup_last_success_timestamp_seconds');
      expect(more).toEqual([]);
      // The pusher's job, and its empty instance (an empty label is no label): neither the
      // gateway's scrape job nor its pod address, which is what the scrape without honor_labels gives.
      expect(series.metric.job).toBe('nightly-backup');
      expect(Object.keys(series.metric).filter((k) => k === 'instance' || k.startsWith('exported_'))).toEqual([]);
      expect(series.value[1]).toBe('1700000000');
      // The gateway's own series carry the scrape job, and its push time the pusher's.
      expect(query('up{job="pushgateway"} == 1')).toHaveLength(1);
      expect(query('push_time_seconds{job="nightly-backup"}')).toHaveLength(1);
      expect(query('nightly_backup_last_success_timestamp_seconds{job="pushgateway"}')).toEqual([]);
    } finally {
      gateway.kill();
    }
  });
});
