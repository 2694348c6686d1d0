import { platformTlsConfig } from '../core/serving-tls';
import { RemoteWriteTarget } from '../core/remote-write';
import { ScrapeTarget, srvScrapeConfigs } from '../core/scrape-target';

export type { RemoteWriteTarget } from '../core/remote-write';

/** What goes into a Prometheus config file. */
export interface PrometheusConfigInput {
  readonly scrapeInterval: string;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly scrapeTargets: readonly ScrapeTarget[];
  readonly extraScrapeConfigs: ReadonlyArray<Record<string, unknown>>;
  readonly remoteWrite: readonly RemoteWriteTarget[];
  /** Server mode only: local retention (the `storage.tsdb.retention` field replaces the deprecated flag). */
  readonly retention?: string;
  /** Server mode only: rule files to load. */
  readonly ruleFiles?: readonly string[];
}

/**
 * Renders prometheus.yml. Targets are found by DNS SRV lookups of headless Services, so the scraper
 * needs no access to the Kubernetes API. Prometheus 3 expands `${VAR}` in external labels, which
 * gives each replica its pod name.
 */
export function buildPrometheusConfig(input: PrometheusConfigInput): Record<string, unknown> {
  return {
    global: { scrape_interval: input.scrapeInterval, external_labels: { ...input.externalLabels } },
    ...(input.retention ? { storage: { tsdb: { retention: { time: input.retention } } } } : {}),
    ...(input.ruleFiles && input.ruleFiles.length > 0 ? { rule_files: [...input.ruleFiles] } : {}),
    scrape_configs: [...srvScrapeConfigs(input.scrapeTargets), ...input.extraScrapeConfigs],
    ...(input.remoteWrite.length > 0
      ? {
          remote_write: input.remoteWrite.map((rw, i) => ({
            name: rw.name ?? `remote-${i}`,
            url: rw.url,
            ...(rw.headers ? { headers: { ...rw.headers } } : {}),
            ...(rw.platformCa ? { tls_config: platformTlsConfig() } : {}),
            ...(rw.writeRelabelConfigs ? { write_relabel_configs: [...rw.writeRelabelConfigs] } : {}),
          })),
        }
      : {}),
  };
}
