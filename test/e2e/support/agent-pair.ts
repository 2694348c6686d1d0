import { RunningPod } from './pod-runner';
import { anyExited, eventually, podLogs } from './eventually';

/** A series of a Prometheus query answer. */
export interface Series {
  readonly metric: Record<string, string>;
}

/** A query against the platform's query API: the series of `q`, with extra URL parameters (`&dedup=false`). */
export type QueryFn = (q: string, extra?: string) => Series[];

/**
 * Waits until every job of `wanted` has at least its number of targets up, as each of the agent
 * pair (`prometheus_replica`) scraped them, or fails with the pods' logs.
 */
export async function untilBothAgentsSeeAll(query: QueryFn, wanted: Readonly<Record<string, number>>, pods: readonly RunningPod[]): Promise<void> {
  const complete = () =>
    Object.entries(wanted).every(
      ([job, n]) =>
        query(`up{job="${job}"} == 1`).length >= n && new Set(query(`up{job="${job}"}`, '&dedup=false').map((s) => s.metric.prometheus_replica)).size === 2,
    );
  await eventually(complete, { withinMs: 240_000, everyMs: 2000, gaveUp: () => anyExited(pods), why: () => `no data after 240 s\n${podLogs(pods)}` });
}
