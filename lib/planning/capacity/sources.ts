import { RuleSource } from './rule';

/** The upstream pages the rules cite, each once. */
export const SOURCES = {
  lokiSize: { title: 'Grafana Loki: Size the cluster (tier "less than 3 TB/day")', url: 'https://www.grafana.com/docs/loki/latest/setup/size' },
  lokiModes: { title: 'Grafana Loki: deployment modes', url: 'https://grafana.com/docs/loki/latest/get-started/deployment-modes/' },
  lokiLimits: {
    title: 'Grafana Loki: configuration limits (ingestion_rate_mb, ingestion_burst_size_mb)',
    url: 'https://grafana.com/docs/loki/next/configure/loki-limits/',
  },
  lokiStorage: { title: 'Grafana Loki: overview (a small index and compressed chunks)', url: 'https://grafana.com/docs/loki/next/' },
  lokiReplication: { title: 'grafana/loki#14606: replication factor above the write pods', url: 'https://github.com/grafana/loki/issues/14606' },
  lokiMemcached: { title: 'grafana/loki#8686: memcached pods request more than their -m', url: 'https://github.com/grafana/loki/issues/8686' },
  mimirCapacity: {
    title: 'Grafana Mimir: planning capacity (Prometheus TSDB ingesters, queriers, store-gateways, compactors)',
    url: 'https://grafana.com/docs/mimir/latest/manage/run-production-environment/planning-capacity',
  },
  thanosReceive: { title: 'Thanos: receive (replication, hashrings)', url: 'https://thanos.io/tip/components/receive.md/' },
  thanosStore: { title: 'Thanos: store gateway (local disk per block)', url: 'https://thanos.io/tip/components/store.md' },
  thanosCompact: { title: 'Thanos: compactor (local disk)', url: 'https://thanos.io/v0.7/components/compact/' },
  prometheusStorage: { title: 'Prometheus: storage, operational aspects (bytes per sample, WAL)', url: 'https://prometheus.io/docs/prometheus/3.11/storage/' },
  vmSetupSize: { title: 'VictoriaMetrics: understand your setup size', url: 'https://docs.victoriametrics.com/guides/understand-your-setup-size/' },
  vmCapacity: {
    title: 'VictoriaMetrics cluster: capacity planning',
    url: 'https://docs.victoriametrics.com/victoriametrics/cluster-victoriametrics/#capacity-planning',
  },
  tempoSize: { title: 'Grafana Tempo: size the cluster', url: 'https://grafana.com/docs/tempo/next/set-up-for-tracing/setup-tempo/plan/size/' },
  tempoModes: {
    title: 'Grafana Tempo 3.0: deployment modes',
    url: 'https://grafana.com/docs/tempo/v3.0.x/set-up-for-tracing/setup-tempo/plan/deployment-modes/',
  },
  otelSizing: {
    title: 'Splunk Distribution of the OpenTelemetry Collector: sizing and scaling',
    url: 'https://help.splunk.com/splunk-observability-cloud/manage-data/splunk-distribution-of-the-opentelemetry-collector/get-started-with-the-splunk-distribution-of-the-opentelemetry-collector/collector-requirements/sizing-and-scaling',
  },
  otelScaling: { title: 'OpenTelemetry: scaling the Collector', url: 'https://opentelemetry.io/docs/collector/scaling/' },
  s3Pricing: { title: 'Amazon S3 pricing', url: 'https://aws.amazon.com/s3/pricing/' },
} as const satisfies Readonly<Record<string, RuleSource>>;
