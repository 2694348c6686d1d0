import { RunningPod } from './pod-runner';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `ready` every `everyMs` until it holds. After `withinMs`, or as soon as `gaveUp` holds (a
 * pod it waits on exited, say), it throws an error with the text of `why`, computed only then.
 */
export async function eventually(
  ready: () => boolean,
  options: {
    readonly withinMs: number;
    readonly everyMs: number;
    readonly why: () => string;
    readonly gaveUp?: () => boolean;
  },
): Promise<void> {
  for (let waited = 0; !ready(); waited += options.everyMs) {
    if (waited > options.withinMs || options.gaveUp?.()) throw new Error(options.why());
    await sleep(options.everyMs);
  }
}

/** Whether any of these pods has exited. */
export const anyExited = (pods: readonly RunningPod[]) => pods.some((p) => !p.alive());

/** The last output of each pod, those that exited first and with more of it: their last lines say why. */
export function podLogs(pods: readonly RunningPod[]): string {
  return [...pods]
    .sort((a, b) => Number(a.alive()) - Number(b.alive()))
    .map((p) => `--- ${p.pod.name}${p.alive() ? '' : ' (exited)'}\n${p.alive() ? p.output().slice(-2500) : p.output().slice(-6000)}`)
    .join('\n');
}
