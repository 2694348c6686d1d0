/**
 * Hierarchical federation: one Prometheus scrapes the `/federate` endpoint of another, which
 * answers with the latest sample of every series its `match[]` selectors pick (external labels
 * added). `honor_labels` keeps the source's `job` and `instance` instead of replacing them with the
 * federation job's, which is what makes the federated series the source's own.
 */
import { Validator } from '../core/errors';
import { parseGoDuration } from '../core/duration';
import { PLATFORM_CA_FILE } from '../core/serving-tls';

/** A Prometheus to federate from, as {@link PrometheusServer.federationEndpoint} gives it. */
export interface FederationEndpoint {
  /** `http(s)://host:port/federate`. */
  readonly url: string;
  /** Served with a certificate from the platform's CA (the scraper trusts it). @default false */
  readonly platformCa?: boolean;
}

/** One federation scrape of {@link PrometheusCommonProps.federate}. */
export interface PrometheusFederation {
  /** The scrape job's name, e.g. `federate-edge-eu-1`. */
  readonly job: string;
  /**
   * The source: `edge.federationEndpoint()` for a `PrometheusServer` of the same app (one pod of
   * it), or the `/federate` URL of a Prometheus elsewhere (another cluster, a datacenter).
   */
  readonly from: FederationEndpoint | string;
  /**
   * Series selectors (`match[]`): which series to pull, e.g. `{job="node"}` or
   * `{__name__=~"job:.*"}` for the source's recording rules. At least one; each needs a matcher
   * that does not match the empty string (Prometheus refuses one that matches everything).
   */
  readonly match: readonly string[];
  /** How often to pull. @default "1m" */
  readonly scrapeInterval?: string;
  /** How long one pull may take; a large federation answer takes seconds. @default the interval, at most "50s" */
  readonly scrapeTimeout?: string;
}

/** One metric name, or a `{...}` of label matchers, optionally after a name. */
const SELECTOR = /^([A-Za-z_:][A-Za-z0-9_:]*)?(\{(.*)\})?$/;
/** One label matcher: a name, an operator and a double-quoted value. */
const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** The scrape configs of the federation jobs. */
export function federationScrapeConfigs(v: Validator, federations: readonly PrometheusFederation[]): Array<Record<string, unknown>> {
  return federations.map((f, i) => {
    const at = `federate[${i}]`;
    const from = typeof f.from === 'string' ? { url: f.from } : f.from;
    const url = parseUrl(from.url);
    v.check(
      url !== undefined && url.pathname.replace(/\/+$/, '') === '/federate' && url.search === '',
      `${at}.from`,
      from.url,
      'is not the http(s) URL of a /federate endpoint',
      'give "http://<host>:9090/federate", or a PrometheusServer\'s federationEndpoint()',
    );
    v.check(
      f.match.length > 0,
      `${at}.match`,
      f.match,
      'is empty, and /federate answers nothing without a selector',
      'give a selector such as "{job=\\"node\\"}"',
    );
    f.match.forEach((selector, j) =>
      v.check(
        selectorProblem(selector) === undefined,
        `${at}.match[${j}]`,
        selector,
        selectorProblem(selector) ?? '',
        'write a series selector such as up{job="node"} or {__name__=~"job:.*"}',
      ),
    );
    const interval = f.scrapeInterval ?? '1m';
    const intervalMs = parseGoDuration(interval);
    v.check(intervalMs !== undefined && intervalMs > 0, `${at}.scrapeInterval`, interval, 'is not a duration', 'write it as "1m" or "30s"');
    const timeout = f.scrapeTimeout ?? ((intervalMs ?? 0) > 50_000 ? '50s' : interval);
    const timeoutMs = parseGoDuration(timeout);
    v.check(
      timeoutMs !== undefined && intervalMs !== undefined && timeoutMs <= intervalMs,
      `${at}.scrapeTimeout`,
      timeout,
      `is not a duration within the scrape interval (${interval}), which Prometheus refuses`,
      `set it to ${interval} or less`,
    );
    const https = url?.protocol === 'https:';
    return {
      job_name: f.job,
      // The source's job and instance labels are the series' own: keep them.
      honor_labels: true,
      metrics_path: '/federate',
      params: { 'match[]': [...f.match] },
      scrape_interval: interval,
      scrape_timeout: timeout,
      ...(https ? { scheme: 'https', ...(from.platformCa ? { tls_config: { ca_file: PLATFORM_CA_FILE } } : {}) } : {}),
      // Host and port, the port spelt out even when it is the scheme's default.
      static_configs: [{ targets: [url ? `${url.hostname}:${url.port || (https ? 443 : 80)}` : from.url] }],
    };
  });
}

function parseUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Why a `match[]` selector would be refused by Prometheus, or undefined. */
function selectorProblem(selector: string): string | undefined {
  const m = SELECTOR.exec(selector.trim());
  if (!m || (m[1] === undefined && m[2] === undefined)) return 'is not a series selector (a metric name, label matchers in braces, or both)';
  const matchers = m[3] === undefined || m[3].trim() === '' ? [] : splitMatchers(m[3]);
  const parsed = matchers.map((text) => MATCHER.exec(text));
  if (parsed.some((p) => p === null)) return 'has a label matcher that is not name, operator and double-quoted value';
  // A selector needs one matcher that cannot match the empty string; a metric name is one.
  let nonEmpty = m[1] !== undefined;
  for (const [, name, op, value] of parsed as RegExpExecArray[]) {
    if (op === '=' && value !== '') nonEmpty = true;
    if (op === '=~' || op === '!~') {
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^(?:${value})$`);
      } catch {
        return `has the label matcher ${name}${op}"${value}", whose regular expression does not parse`;
      }
      if (op === '=~' && !pattern.test('')) nonEmpty = true;
    }
  }
  return nonEmpty ? undefined : 'matches the empty label set, which Prometheus refuses ("at least one non-empty matcher")';
}

/** The matchers of `a="1",b=~"x,y"`: commas inside quotes belong to values. */
function splitMatchers(body: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && quoted) {
      current += c + body[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  if (current.trim() !== '') out.push(current);
  return out;
}
