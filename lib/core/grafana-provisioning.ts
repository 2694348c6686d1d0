/**
 * What a component gives Grafana: datasources and dashboards as typed values, and the contracts
 * by which a composition (the platform) collects them from every component it runs without
 * knowing any one of them. The Grafana construct renders these; the builders of each datasource
 * type live in lib/grafana.
 */
import { BasicAuthCredential } from './basic-auth';
import { jobMatcher } from './promql-jobs';

/** One datasource, in the shape Grafana's provisioning file (and grafana-operator) takes. */
export interface DatasourceDefinition {
  readonly name: string;
  /** Plugin id: `prometheus`, `loki`, `tempo`, ... */
  readonly type: string;
  /** Stable id that links and dashboards refer to. */
  readonly uid: string;
  readonly url: string;
  /** @default false */
  readonly isDefault?: boolean;
  readonly jsonData?: Readonly<Record<string, unknown>>;
  /** Values Grafana encrypts at rest (header values). Never a password: those come from the environment. */
  readonly secureJsonData?: Readonly<Record<string, string>>;
  /**
   * Basic auth, by reference: Grafana reads the password from the Secret through its environment
   * (files) or the operator substitutes it (`valuesFrom`); the output never holds it. @default none
   */
  readonly basicAuth?: BasicAuthCredential;
  /**
   * The backend serves HTTPS with a certificate from the platform's CA: Grafana trusts `ca.crt`
   * of its own certificate for it. @default false
   */
  readonly platformCa?: boolean;
}

/** The uids of the platform's datasources. Dashboards and cross-links use these. */
export const DATASOURCE_UIDS = { metrics: 'metrics', logs: 'loki', traces: 'tempo' } as const;

/** The order datasources are listed in: metrics (the default) first. */
export const SIGNALS: ReadonlyArray<keyof typeof DATASOURCE_UIDS> = ['metrics', 'logs', 'traces'];

/** The folder of the dashboards the library ships. */
export const PLATFORM_FOLDER = 'platform';

/** `sum by (<by>) (rate(<metric>{job=~...}[5m]))` over exactly `jobs`. */
export function rateBy(metric: string, jobs: readonly string[], by: string, extra = ''): string {
  return `sum by (${by}) (rate(${metric}{${jobMatcher(jobs)}${extra}}[5m]))`;
}

/** The 99th percentile of a histogram over exactly `jobs`, by `by`. */
export function p99By(metric: string, jobs: readonly string[], by: string): string {
  return `histogram_quantile(0.99, sum by (le, ${by}) (rate(${metric}{${jobMatcher(jobs)}}[5m])))`;
}

/** A panel of a dashboard: one time series graph of one or more PromQL queries. */
export interface PanelDefinition {
  readonly title: string;
  /** PromQL queries; `legend` is a Grafana legend format such as `{{job}}`. */
  readonly queries: ReadonlyArray<{ readonly expr: string; readonly legend?: string }>;
  /** Grafana unit id, e.g. `reqps`, `s`, `bytes`, `percentunit`. @default "short" */
  readonly unit?: string;
  readonly description?: string;
}

/** A dashboard the library writes itself: a grid of time series over the metrics datasource. */
export interface DashboardDefinition {
  /** Stable uid: dashboard URLs and links stay valid across re-provisioning. */
  readonly uid: string;
  readonly title: string;
  /** Provisioning folder (a directory of the file provider). */
  readonly folder: string;
  readonly tags?: readonly string[];
  readonly panels: readonly PanelDefinition[];
  /** Datasource uid the queries run on. @default "metrics" */
  readonly datasourceUid?: string;
}

/** A component's dashboard in the platform folder: uid `platform-<slug>`, title `Platform / <name>`, tagged `platform` and the slug. */
export function platformDashboard(slug: string, name: string, panels: readonly PanelDefinition[]): DashboardDefinition {
  return { uid: `platform-${slug}`, title: `Platform / ${name}`, folder: PLATFORM_FOLDER, tags: ['platform', slug], panels };
}

/** The resident memory of each pod of `jobs`. */
export function residentMemoryPanel(jobs: readonly string[]): PanelDefinition {
  return {
    title: 'Resident memory by pod',
    unit: 'bytes',
    queries: [{ expr: `sum by (instance) (process_resident_memory_bytes{${jobMatcher(jobs)}})`, legend: '{{instance}}' }],
  };
}

/**
 * The uids a datasource may link to: a link is only made to a datasource that is provisioned, so
 * turning Tempo off removes the links to it, not the datasources that had them.
 */
export interface DatasourceLinks {
  /** @default no links to logs */
  readonly logsUid?: string;
  /** @default no links to metrics */
  readonly metricsUid?: string;
  /** @default no links to traces */
  readonly tracesUid?: string;
}

/** What a composition tells every datasource provider. */
export interface DatasourceContext {
  readonly links: DatasourceLinks;
  /** The scrape interval of the data, which Grafana uses as the smallest query step. */
  readonly scrapeInterval: string;
  /** The tenant the composition's own data is written as, listed first by a multi-tenant store. @default the store's first tenant */
  readonly tenant?: string;
}

/** A component that Grafana can query (Loki, Thanos, VictoriaMetrics, Tempo). */
export interface DatasourceProvider {
  /** The kind of datasource, as a composition's list of wanted datasources names it: `loki`, `thanos`, ... */
  readonly datasourceKind: string;
  /** What it holds: the other datasources link to it by the platform's uid of that signal ({@link DATASOURCE_UIDS}). */
  readonly signal: keyof typeof DATASOURCE_UIDS;
  /** Its datasources, linked to the others by uid. */
  datasources(context: DatasourceContext): DatasourceDefinition[];
}

/** A component that ships dashboards of its own metrics, over exactly the scrape jobs it has. */
export interface DashboardProvider {
  dashboards(): DashboardDefinition[];
}

/**
 * The datasources of every provider among `components` whose kind is in `kinds`, metrics first,
 * each linked to the others by uid: a link only to a signal that has a datasource.
 */
export function datasourcesOf(
  components: readonly unknown[],
  options: { readonly kinds: readonly string[]; readonly scrapeInterval: string; readonly tenant?: string },
): DatasourceDefinition[] {
  const providers = components.filter(isDatasourceProvider).filter((p) => options.kinds.includes(p.datasourceKind));
  const uid = (signal: keyof typeof DATASOURCE_UIDS) => (providers.some((p) => p.signal === signal) ? DATASOURCE_UIDS[signal] : undefined);
  const links: DatasourceLinks = { metricsUid: uid('metrics'), logsUid: uid('logs'), tracesUid: uid('traces') };
  const ordered = SIGNALS.flatMap((signal) => providers.filter((p) => p.signal === signal));
  return ordered.flatMap((p) => p.datasources({ links, scrapeInterval: options.scrapeInterval, tenant: options.tenant }));
}

/** The dashboards of every dashboard provider among `components`, in their order. */
export function dashboardsOf(components: readonly unknown[]): DashboardDefinition[] {
  return components.filter(isDashboardProvider).flatMap((c) => c.dashboards());
}

/** Whether `c` gives datasources. */
export function isDatasourceProvider(c: unknown): c is DatasourceProvider {
  return typeof (c as DatasourceProvider | undefined)?.datasources === 'function' && typeof (c as DatasourceProvider).datasourceKind === 'string';
}

/** Whether `c` ships dashboards. */
export function isDashboardProvider(c: unknown): c is DashboardProvider {
  return typeof (c as DashboardProvider | undefined)?.dashboards === 'function';
}
