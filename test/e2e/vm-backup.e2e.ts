import { argsOf, get, synthApp } from '../support/synth';
import { vmFlagValues } from '../support/victoriametrics';
import { anyExited, eventually, podLogs } from './support/eventually';
import { LoopbackCluster } from './support/loopback-cluster';
import { RunningPod, startPod } from './support/pod-runner';
import { program, scenario } from './support/programs';
import { runBucketJob } from './support/object-store';
import { appliedAfter } from '../support/generated-secrets';

/**
 * The backup and recovery path of the `vm-backup` app, with the real vmbackup and vmrestore at the
 * pinned version: the sidecar of a vmstorage pod backs the node up to the object store on its
 * schedule, with the flags, environment and script the pod gets; the node then loses its volume,
 * and the `vm-restore` output's init container restores it before the storage starts. What was
 * written before the backup comes back sample for sample; what came after it is lost, as the
 * runbook says. vmstorage itself (the cluster branch) is not served by the Go module proxy: the
 * single-node server of the same release stands in, with the same snapshot API on vmstorage's
 * port and the same data layout under `-storageDataPath`. The object store is the platform's
 * embedded SeaweedFS, with the buckets its Job makes.
 */
const NS = 'observability';
const NODE = `http://vm-vmstorage-0.vm-vmstorage-headless.${NS}.svc.cluster.local:8482`;
const CLIENT = `e2e-client.${NS}.svc.cluster.local`;

/** Samples of three series a minute apart, in the text format with millisecond timestamps. */
function samples(name: string, now: number): string {
  const lines: string[] = [];
  for (const series of ['a', 'b', 'c']) {
    for (let i = 0; i < 5; i++) lines.push(`${name}{series="${series}"} ${i * 10 + series.charCodeAt(0)} ${now - (5 - i) * 60_000}`);
  }
  return `${lines.join('\n')}\n`;
}

scenario(
  'victoria-metrics',
  'vmbackup',
  'vmrestore',
  'weed',
)(
  'a vmstorage node backed up by its sidecar is restored, after losing its volume, with every sample the backup holds',
  async () => {
    const app = synthApp('vm-backup');
    const chart = (id: string) => app.charts.find((c) => c.id === id)!.manifests;
    const backingUp = chart('vm-backup');
    const restoring = chart('vm-restore');
    // One cluster: the restore output finds the store's keys the backup output's Job made.
    appliedAfter(restoring, backingUp);
    const storage = get(backingUp, 'StatefulSet', 'vm-vmstorage');
    const retention = vmFlagValues(argsOf(storage, 'vmstorage'), '-retentionPeriod');
    const standIn = ['-httpListenAddr=:8482', '-storageDataPath=/storage', `-retentionPeriod=${retention[0]}`, '-loggerLevel=WARN'];
    const binaries = { '/vmbackup-prod': program('vmbackup'), '/vmrestore-prod': program('vmrestore') };

    const cluster = new LoopbackCluster();
    const pods: RunningPod[] = [];
    try {
      const s3Plan = cluster.addPod(get(backingUp, 'StatefulSet', 'seaweedfs-server'), 0);
      const nodePlan = cluster.addPod(storage, 0);
      const host = cluster.addHost(CLIENT).netns;
      cluster.startDns(backingUp);
      pods.push(startPod(backingUp, s3Plan, { program: program('weed') }));
      await runBucketJob(cluster, backingUp);
      const node = startPod(backingUp, nodePlan, { program: program('victoria-metrics'), standInArgs: standIn });
      const sidecar = startPod(backingUp, nodePlan, { container: 'vmbackup', program: 'sh', volumesOf: node, inImage: binaries });
      pods.push(node, sidecar);

      const now = Date.now();
      const write = (body: string) => cluster.httpRequest(`${NODE}/api/v1/import/prometheus`, { method: 'POST', body }, host).status;
      await eventually(() => write(samples('e2e_before_backup', now)) === 204, {
        withinMs: 30_000,
        everyMs: 500,
        gaveUp: () => anyExited(pods),
        why: () => `the storage node took no samples\n${podLogs(pods)}`,
      });
      const exported = (match: string) =>
        cluster
          .httpGet(`${NODE}/api/v1/export?match[]=${encodeURIComponent(match)}&start=${Math.floor(now / 1000) - 3600}`, host)
          .body.split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] })
          .sort((x, y) => x.metric.series.localeCompare(y.metric.series));
      await eventually(() => exported('e2e_before_backup').length === 3, { withinMs: 30_000, everyMs: 1000, why: () => 'the samples were not readable' });
      const before = exported('e2e_before_backup');
      expect(before.map((s) => s.values.length)).toEqual([5, 5, 5]);

      // The sidecar's first backup runs a minute after the pod starts.
      await eventually(() => /backup done at/.test(sidecar.output()), {
        withinMs: 150_000,
        everyMs: 2000,
        gaveUp: () => anyExited(pods),
        why: () => `the sidecar made no backup after 150 s\n${podLogs(pods)}`,
      });
      expect(sidecar.output()).toMatch(/dir: "vm\/vm-vmstorage-0\/latest\/"/);
      // Written after the backup: what a restore loses.
      expect(write(samples('e2e_after_backup', now))).toBe(204);
      await eventually(() => exported('e2e_after_backup').length === 3, { withinMs: 30_000, everyMs: 1000, why: () => 'the later samples were not readable' });

      // The node loses its volume; the restore output's pod starts on a new, empty one.
      await Promise.all([sidecar.stop(), node.stop()]);
      const restoredWorkload = get(restoring, 'StatefulSet', 'vm-vmstorage');
      const restored = startPod(
        restoring,
        { ...nodePlan, workload: restoredWorkload },
        { program: program('victoria-metrics'), standInArgs: standIn, inImage: binaries },
      );
      pods.push(restored);
      await eventually(() => exported('e2e_before_backup').length === 3, {
        withinMs: 60_000,
        everyMs: 1000,
        gaveUp: () => !restored.alive(),
        why: () => `the restored node did not serve the backed-up series\n${restored.output()}`,
      });
      expect(exported('e2e_before_backup')).toEqual(before);
      expect(exported('e2e_after_backup')).toEqual([]);
    } finally {
      await Promise.all(pods.map((p) => p.stop()));
      cluster.stop();
    }
  },
  300_000,
);
