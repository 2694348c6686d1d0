import { Manifest, get } from '../../support/synth';
import { LoopbackCluster, PodPlan } from './loopback-cluster';
import { RunningPod, startPod } from './pod-runner';
import { program } from './programs';

/** A pod to run: workload kind and name, ordinal, the local program, and a stand-in's arguments. */
export type PodToRun = readonly [kind: string, name: string, ordinal: number, program: string, standInArgs?: string[]];

/** What {@link withPods} hands its body: the cluster, the extra host's network namespace, and the pods. */
export interface PodsRun {
  readonly cluster: LoopbackCluster;
  /** Network namespace of the extra host, for the test's own client or receiver. */
  readonly host: string;
  readonly pods: RunningPod[];
  readonly plans: PodPlan[];
}

/**
 * Runs these pods of the output in a loopback cluster, plus one extra host named `hostName` for the
 * test itself, hands them to `body`, and stops everything afterwards, whatever `body` does.
 */
export async function withPods(manifests: Manifest[], toRun: readonly PodToRun[], hostName: string, body: (run: PodsRun) => Promise<void>): Promise<void> {
  const cluster = new LoopbackCluster();
  const pods: RunningPod[] = [];
  try {
    const plans = toRun.map(([kind, name, ordinal]) => cluster.addPod(get(manifests, kind, name), ordinal));
    const host = cluster.addHost(hostName).netns;
    cluster.startDns(manifests);
    toRun.forEach(([, , , name, standInArgs], i) => pods.push(startPod(manifests, plans[i], { program: program(name), standInArgs })));
    await body({ cluster, host, pods, plans });
  } finally {
    await Promise.all(pods.map((p) => p.stop()));
    cluster.stop();
  }
}
