import { BasicAuthCredential, basicAuthBlock } from './basic-auth';
import { PLATFORM_CA_FILE } from './serving-tls';

/**
 * Where a component's metrics are: the SRV record of a headless Service port, which lists every
 * pod. A scraper resolves it with a DNS service discovery and needs no Kubernetes API access.
 */
export interface ScrapeTarget {
  /** The `job` label of the scraped series, e.g. `thanos-receive`. */
  readonly job: string;
  /** e.g. `_http._tcp.thanos-store-headless.obs.svc.cluster.local`. */
  readonly srvRecord: string;
  /** @default "/metrics" */
  readonly metricsPath?: string;
  /** The headless Service behind the record, for a prometheus-operator ServiceMonitor. @default unknown */
  readonly service?: { readonly name: string; readonly namespace: string; readonly port: string };
  /**
   * Keep the labels the target sets on its series (`namespace`, `pod`, `job` of the objects it
   * reports on), as kube-state-metrics needs, instead of renaming them `exported_*`.
   * @default false
   */
  readonly honorLabels?: boolean;
  /**
   * The target serves HTTPS with a certificate from the platform's CA (serving TLS): scrapers
   * trust `ca.crt` of their own certificate, a ServiceMonitor that of `certificateSecret`.
   * @default plain HTTP
   */
  readonly https?: { readonly certificateSecret: string };
  /**
   * The login the target requires on its metrics (Alertmanager with `webAuth`): scrapers mount its
   * password Secret and send it.
   * @default none
   */
  readonly basicAuth?: BasicAuthCredential;
}

/** Anything with metrics to scrape: a component with one target, or one with several (a ring per role). */
export type Scrapeable = { readonly scrapeTarget: ScrapeTarget } | { readonly scrapeTargets: readonly ScrapeTarget[] };

/** The targets of every scrapeable given, in order; absent ones (turned off) are skipped. */
export function scrapeTargetsOf(components: ReadonlyArray<Scrapeable | undefined>): ScrapeTarget[] {
  return components.flatMap((c) => (!c ? [] : 'scrapeTargets' in c ? [...c.scrapeTargets] : [c.scrapeTarget]));
}

/** What a collector (Prometheus, vmagent) scrapes and how often. */
export interface ScrapeOptions {
  /** What to scrape, e.g. a cluster's `scrapeTargets`. @default none besides itself */
  readonly scrapeTargets?: readonly ScrapeTarget[];
  /** Scrape configs in Prometheus' own format, for anything else. @default none */
  readonly extraScrapeConfigs?: ReadonlyArray<Record<string, unknown>>;
  /** @default "30s" */
  readonly scrapeInterval?: string;
}

/** The scrape target of a headless Service's named port. */
export function srvScrapeTarget(
  job: string,
  portName: string,
  serviceHost: string,
  metricsPath?: string,
  options: { readonly honorLabels?: boolean; readonly https?: { readonly certificateSecret: string }; readonly basicAuth?: BasicAuthCredential } = {},
): ScrapeTarget {
  // serviceHost is `<service>.<namespace>.svc.<domain>`.
  const [name, namespace] = serviceHost.split('.');
  return {
    job,
    srvRecord: `_${portName}._tcp.${serviceHost}`,
    ...(metricsPath ? { metricsPath } : {}),
    service: { name, namespace, port: portName },
    ...(options.honorLabels ? { honorLabels: true } : {}),
    ...(options.https ? { https: options.https } : {}),
    ...(options.basicAuth ? { basicAuth: options.basicAuth } : {}),
  };
}

/** The job names of scrape configs in Prometheus' own format (`job_name`). */
export function scrapeConfigJobs(configs: ReadonlyArray<Record<string, unknown>>): string[] {
  return configs.map((c) => c.job_name).filter((j): j is string => typeof j === 'string');
}

/** Prometheus-format scrape configs for targets: one job each, found by a DNS SRV lookup. */
export function srvScrapeConfigs(targets: readonly ScrapeTarget[]): Array<Record<string, unknown>> {
  return targets.map((t) => ({
    job_name: t.job,
    ...(t.honorLabels ? { honor_labels: true } : {}),
    ...(t.metricsPath ? { metrics_path: t.metricsPath } : {}),
    // SRV answers name each pod (`<pod>.<headless>...`), which its certificate covers.
    ...(t.https ? { scheme: 'https', tls_config: { ca_file: PLATFORM_CA_FILE } } : {}),
    // The password from its Secret, which the scraper mounts (passwordFileVolumes).
    ...(t.basicAuth ? { basic_auth: basicAuthBlock(t.basicAuth) } : {}),
    dns_sd_configs: [{ names: [t.srvRecord], type: 'SRV' }],
  }));
}
