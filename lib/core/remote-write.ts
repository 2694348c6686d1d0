/**
 * A Prometheus remote-write destination: the contract between every metrics writer (Prometheus,
 * vmagent, Tempo's generator, the OTLP gateways) and every store that takes remote write (Thanos
 * receive, VictoriaMetrics, a Prometheus receiver). Stores make these; writers take them.
 */
export interface RemoteWriteTarget {
  /** e.g. a ThanosCluster's `remoteWriteUrl`. */
  readonly url: string;
  /** Headers sent with every request, e.g. the tenant header. @default none */
  readonly headers?: Readonly<Record<string, string>>;
  /** Unique name, shown in metrics. @default derived from the position */
  readonly name?: string;
  /** Relabel configs applied to series before they are sent to this target. @default none */
  readonly writeRelabelConfigs?: ReadonlyArray<Record<string, unknown>>;
  /**
   * How the store copes with an HA pair of writers that send the same series:
   * `replica-label`: it keeps both and its queriers merge them along each writer's replica label
   * (Thanos); `interval`: it keeps one sample per series and interval (VictoriaMetrics with a
   * dedup interval); `none`: it keeps both and every query returns both (a Prometheus receiver,
   * VictoriaMetrics without one).
   * @default unknown: no check is made
   */
  readonly deduplication?: 'replica-label' | 'interval' | 'none';
  /** Whether the store keeps the exemplars it is sent. @default unknown (writers send them) */
  readonly keepsExemplars?: boolean;
  /**
   * The store serves HTTPS with a certificate from the platform's CA (serving TLS): the writer
   * trusts `ca.crt` of its own certificate, so it must have one. @default false
   */
  readonly platformCa?: boolean;
}

/** What a writer says about itself when it writes to a target: how many pods send, and how they differ. */
export interface RemoteWriter {
  /** Pods that each send every series. */
  readonly replicas: number;
  /** External labels whose value differs between those pods (`prometheus_replica`); none when they send identical series. */
  readonly replicaLabels: readonly string[];
}

/**
 * Why a writer may not send to a target, or undefined when it may: an HA pair of writers needs a
 * store that deduplicates, and, for a store that merges along replica labels, a replica label.
 */
export function remoteWriteProblem(target: RemoteWriteTarget, writer: RemoteWriter): { problem: string; fix: string } | undefined {
  if (writer.replicas <= 1) return undefined;
  if (target.deduplication === 'none') {
    return {
      problem: `is a store that cannot deduplicate, and ${writer.replicas} replicas each send it every series: every query would return each series ${writer.replicas} times`,
      fix: 'run one replica, or write to a store that deduplicates (Thanos receive, or VictoriaMetrics with dedupInterval)',
    };
  }
  if (target.deduplication === 'replica-label' && writer.replicaLabels.length === 0) {
    return {
      problem: `takes ${writer.replicas} replicas that send identical series with no replica label, so the store cannot tell their samples apart and refuses or interleaves them`,
      fix: 'give the writer a replica label (an external label set to the pod name), or run one replica',
    };
  }
  return undefined;
}
