import { Manifest, get } from '../../support/synth';
import { LoopbackCluster, PodPlan } from './loopback-cluster';
import { RunningPod, StartOptions, startPod } from './pod-runner';
import { program } from './programs';
import { EMBEDDED_STORE, runBucketJob } from './object-store';

/**
 * A pod to run: workload kind and name, ordinal, the local program (a name built by
 * scripts/e2e-build.sh, an absolute path, or null for an address only, where the test runs a fake
 * of its own), and a stand-in's arguments.
 */
export type PodToRun = readonly [kind: string, name: string, ordinal: number, program: string | null, standInArgs?: string[]];

/** What {@link withPods} hands its body: the cluster, the extra host's network namespace, and the pods. */
export interface PodsRun {
  readonly cluster: LoopbackCluster;
  /** Network namespace of the extra host, for the test's own client or receiver. */
  readonly host: string;
  /** The pods that run a program, in the order given. */
  readonly pods: RunningPod[];
  /** Every pod's address and network namespace, in the order given. */
  readonly plans: PodPlan[];
}

/**
 * Runs these pods of the output in a loopback cluster, plus one extra host named `hostName` for the
 * test itself, hands them to `body`, and stops everything afterwards, whatever `body` does. With
 * the embedded store among them, the store starts first and its bucket Job runs to completion
 * before the other pods start: in a cluster a client that finds no bucket fails and is restarted
 * until the Job has made it, which the tier would see as failures of its own.
 * `externalSecrets` are the values of the Secrets the output refers to but the user provides.
 */
export async function withPods(
  manifests: Manifest[],
  toRun: readonly PodToRun[],
  hostName: string,
  body: (run: PodsRun) => Promise<void>,
  externalSecrets?: StartOptions['externalSecrets'],
): Promise<void> {
  const cluster = new LoopbackCluster();
  const started = new Map<number, RunningPod>();
  try {
    const plans = toRun.map(([kind, name, ordinal]) => cluster.addPod(get(manifests, kind, name), ordinal));
    const host = cluster.addHost(hostName).netns;
    cluster.startDns(manifests);
    const start = (i: number) => {
      const [, , , name, standInArgs] = toRun[i];
      if (name !== null) started.set(i, startPod(manifests, plans[i], { program: program(name), standInArgs, externalSecrets, restartOnce: true }));
    };
    const store = toRun.findIndex(([kind, name]) => kind === EMBEDDED_STORE[0] && name === EMBEDDED_STORE[1]);
    if (store >= 0) {
      start(store);
      await runBucketJob(cluster, manifests);
    }
    toRun.forEach((_, i) => i !== store && start(i));
    // In the order given.
    const pods = [...started.entries()].sort(([a], [b]) => a - b).map(([, pod]) => pod);
    await body({ cluster, host, pods, plans });
  } finally {
    await Promise.all([...started.values()].map((p) => p.stop()));
    cluster.stop();
  }
}
