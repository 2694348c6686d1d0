import { RuleResult } from './errors';

/** A container image pinned to a tag (and optionally a digest). */
export interface ImageRef {
  /** Registry and repository, e.g. `docker.io/grafana/loki`. */
  readonly repository: string;
  /** Tag, never `latest`. */
  readonly tag: string;
  /** Optional `sha256:` digest appended to the tag for immutable pulls. */
  readonly digest?: string;
}

/**
 * Every image the library runs, in one table. Versions and the reasons for them are in the
 * project's reference notes; change them here only, and every component follows.
 */
export const IMAGES = {
  /** Last Loki line with the Simple Scalable targets (read / write / backend). */
  loki: { repository: 'docker.io/grafana/loki', tag: '3.7.6' },
  /** Unprivileged nginx (uid 101, port 8080) for the Loki gateway. */
  nginx: { repository: 'docker.io/nginxinc/nginx-unprivileged', tag: '1.29-alpine' },
  memcached: { repository: 'docker.io/library/memcached', tag: '1.6.39-alpine' },
  memcachedExporter: { repository: 'docker.io/prom/memcached-exporter', tag: 'v0.15.4' },
  /**
   * SeaweedFS (Apache-2.0), the embedded object store: alpine with curl, `weed` at /usr/bin/weed,
   * user `seaweed` (uid 1000). Upstream tags releases by version number. Dev only.
   */
  seaweedfs: { repository: 'docker.io/chrislusf/seaweedfs', tag: '4.53' },
  /** MinIO community builds are source-only since 2025-10; quay.io keeps the last images. Dev only. */
  minio: { repository: 'quay.io/minio/minio', tag: 'RELEASE.2025-09-07T16-13-09Z.hotfix.7aa24e772' },
  minioClient: { repository: 'quay.io/minio/mc', tag: 'RELEASE.2025-08-13T08-35-41Z' },
  /** One image for every Thanos component; the sub-command is the first argument. */
  thanos: { repository: 'quay.io/thanos/thanos', tag: 'v0.42.4' },
  /** Prometheus 3 (agent mode, or server with the Thanos sidecar). The image runs as nobody (65534). */
  prometheus: { repository: 'quay.io/prometheus/prometheus', tag: 'v3.14.0' },
  /** VictoriaMetrics cluster: one image per component, `-cluster` tags. The images set no USER. */
  vminsert: { repository: 'docker.io/victoriametrics/vminsert', tag: 'v1.151.0-cluster' },
  vmselect: { repository: 'docker.io/victoriametrics/vmselect', tag: 'v1.151.0-cluster' },
  vmstorage: { repository: 'docker.io/victoriametrics/vmstorage', tag: 'v1.151.0-cluster' },
  /** vmauth, the authenticating proxy in front of vminsert and vmselect; no `-cluster` variant either. */
  vmauth: { repository: 'docker.io/victoriametrics/vmauth', tag: 'v1.151.0' },
  /** vmbackup and vmrestore (alpine-based: the sidecar's schedule and the restore step are shell loops). */
  vmbackup: { repository: 'docker.io/victoriametrics/vmbackup', tag: 'v1.151.0' },
  vmrestore: { repository: 'docker.io/victoriametrics/vmrestore', tag: 'v1.151.0' },
  /** vmagent has no cluster variant: its tag has no `-cluster` suffix. */
  vmagent: { repository: 'docker.io/victoriametrics/vmagent', tag: 'v1.151.0' },
  /** Tempo 3: ingesters and the compactor are gone; monolithic needs no broker. Distroless, uid 10001. */
  tempo: { repository: 'docker.io/grafana/tempo', tag: '3.0.3' },
  /** Grafana 13 (the grafana chart's appVersion); uid and gid 472. */
  grafana: { repository: 'docker.io/grafana/grafana', tag: '13.2.0' },
  /** Grafana Alloy; the image has no USER, so pods run it as its `alloy` user (uid 473). */
  alloy: { repository: 'docker.io/grafana/alloy', tag: 'v1.18.1' },
  /** The last promtail image (Loki 3.6.11): promtail reached end of life on 2026-03-02 and left Loki 3.7. */
  promtail: { repository: 'docker.io/grafana/promtail', tag: '3.6.11' },
  /**
   * OpenTelemetry Collector contrib; scratch image, uid 10001. 0.158.0, not 0.159.0: the Go module proxy
   * does not serve a package 0.159's basicauth extension needs, so the end-to-end tier could not build it.
   */
  otelCollector: { repository: 'docker.io/otel/opentelemetry-collector-contrib', tag: '0.158.0' },
  /** busybox-based, `USER nobody` (not numeric, so pods set uid 65534 themselves). */
  nodeExporter: { repository: 'quay.io/prometheus/node-exporter', tag: 'v1.12.1' },
  /** distroless, `USER nobody`; built against client-go 1.36. */
  kubeStateMetrics: { repository: 'registry.k8s.io/kube-state-metrics/kube-state-metrics', tag: 'v2.20.0' },
  /** distroless, `USER 65534`; serves metrics.k8s.io/v1beta1 on Kubernetes 1.34+. */
  metricsServer: { repository: 'registry.k8s.io/metrics-server/metrics-server', tag: 'v0.9.0' },
  /** busybox-based, `USER nobody`; ships amtool as well. */
  alertmanager: { repository: 'quay.io/prometheus/alertmanager', tag: 'v0.34.0' },
  /** Pushgateway 1.11, runs as nobody (65534) with /pushgateway as its writable working directory. */
  pushgateway: { repository: 'quay.io/prometheus/pushgateway', tag: 'v1.11.3' },
  /**
   * Apache Kafka in KRaft mode (the project's own image, Apache-2.0): the in-cluster broker of
   * distributed Tempo and Jaeger. Alpine with bash, `USER appuser` (uid 1000).
   */
  kafka: { repository: 'docker.io/apache/kafka', tag: '4.1.1' },
  /**
   * Jaeger v2 (Jaeger 2.13.0, Go module v1.76.0): one binary for the collector, ingester, query and
   * remote storage roles. Alpine, uid 10001. v1 reached end of life on 2025-12-31.
   */
  jaeger: { repository: 'docker.io/jaegertracing/jaeger', tag: '2.13.0' },
  /** kubectl of the Kubernetes release the end-to-end tier runs (distroless, no shell): applies generated Secrets. */
  kubectl: { repository: 'registry.k8s.io/kubectl', tag: 'v1.36.3' },
  /** The shell step of generated Secrets (sh, head, od, base64). */
  busybox: { repository: 'docker.io/library/busybox', tag: '1.37.0' },
} as const satisfies Record<string, ImageRef>;

/** The image string a Pod spec takes. */
export function imageName(ref: ImageRef): string {
  return `${ref.repository}:${ref.tag}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The version label value for an image: its tag, cut to what a label value allows. */
export function imageVersion(ref: ImageRef): string {
  return ref.tag
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 63)
    .replace(/[^A-Za-z0-9]+$/, '');
}

/** An image override must name a repository and a fixed tag; `pinned` is the component's own image, for the hint. */
export function pinnedImage(ref: ImageRef, pinned?: ImageRef): RuleResult {
  if (ref === null || typeof ref !== 'object') {
    return {
      problem: 'is not an image reference',
      fix: `give { repository, tag }${pinned ? `, e.g. { repository: "${pinned.repository}", tag: "${pinned.tag}" }` : ''}`,
    };
  }
  if (!ref.repository || /[\s:@]/.test(ref.repository.replace(/^[^/]+:\d+\//, ''))) {
    return {
      problem: 'has no valid repository (the tag goes in `tag`, not in `repository`)',
      fix: `give \`repository\` without tag, e.g. "${pinned?.repository ?? 'docker.io/grafana/loki'}"`,
    };
  }
  if (!ref.tag || ref.tag === 'latest' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(ref.tag)) {
    return {
      problem: 'is not a pinned tag',
      fix: `give a fixed release tag${pinned ? ` such as "${pinned.tag}" (the one the library pins)` : ''}, never "latest"`,
    };
  }
  if (ref.digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(ref.digest)) {
    return { problem: 'has a digest that is not sha256:<64 hex>', fix: 'copy the digest from the registry or leave it unset' };
  }
  return undefined;
}
