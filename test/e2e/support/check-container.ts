import { Manifest, containersOf, podSpecOf, workloads } from '../../support/synth';
import { startPod } from './pod-runner';

/** What a one-shot run of a container printed, and how it ended. */
export interface CheckResult {
  readonly status: number | null;
  readonly output: string;
}

/**
 * Runs one container of a workload of the output once, to its end, as {@link startPod} starts it
 * (its files at their mount paths, its env, its args) but in the test's own network and with its
 * arguments changed by `adjustArgs`: the way to hand a program's config check (`vmagent -dryRun`,
 * `otelcol validate`) exactly what the pod would load. Secrets the user provides get placeholder
 * values. A run that outlives `timeoutMs` is stopped and reported as a failure.
 */
export async function checkContainer(
  manifests: Manifest[],
  workload: Manifest,
  options: {
    readonly program: string;
    readonly container: string;
    readonly adjustArgs: (args: string[]) => string[];
    readonly timeoutMs?: number;
  },
): Promise<CheckResult> {
  const pod = { workload, name: `${workload.metadata.name}-0`, ip: '127.0.0.1', netns: '' };
  const running = startPod(manifests, pod, {
    program: options.program,
    container: options.container,
    adjustArgs: options.adjustArgs,
    externalSecrets: placeholderSecrets(manifests, workload),
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs ?? 60_000);
  });
  const status = await Promise.race([running.exited, timedOut]);
  clearTimeout(timer);
  const output = running.output();
  await running.stop(1_000);
  return status === 'timeout' ? { status: null, output: `${output}\n[still running after ${options.timeoutMs ?? 60_000} ms]` } : { status, output };
}

/** The containers of the output whose image matches, with their workloads. */
export function containersWithImage(manifests: Manifest[], image: RegExp): Array<{ workload: Manifest; container: string }> {
  return workloads(manifests).flatMap((workload) =>
    containersOf(podSpecOf(workload))
      .filter((c: any) => image.test(c.image))
      .map((c: any) => ({ workload, container: c.name as string })),
  );
}

/** A placeholder for every key of every Secret the workload names that the output does not hold (the user's own). */
function placeholderSecrets(manifests: Manifest[], workload: Manifest): Record<string, Record<string, string>> {
  const namespace = workload.metadata.namespace;
  const inOutput = new Set(manifests.filter((m) => m.kind === 'Secret' && m.metadata.namespace === namespace).map((m) => m.metadata.name));
  const out: Record<string, Record<string, string>> = {};
  const need = (name: string, keys: string[]) => {
    if (inOutput.has(name)) return;
    out[name] ??= {};
    for (const key of keys) out[name][key] = `placeholder-${key}`;
  };
  const spec = podSpecOf(workload);
  for (const v of spec.volumes ?? [])
    if (v.secret)
      need(
        v.secret.secretName,
        (v.secret.items ?? []).map((i: any) => i.key),
      );
  for (const c of containersOf(spec)) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) need(e.valueFrom.secretKeyRef.name, [e.valueFrom.secretKeyRef.key]);
  }
  return out;
}
