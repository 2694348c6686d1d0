import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { checksumOf } from '../../lib/core/config-file';
import { externalReferences } from '../../lib/core/external';
import { CONFIG_CHECKSUM_ANNOTATION } from '../../lib/core/pod';
import { DashboardDefinition, Grafana, GrafanaProps, dashboardJson, jobMatcher, overviewDashboard, renderIni, mergeIni, BASE_INI } from '../../lib/grafana';
import { DatasourceDefinition } from '../../lib/core/grafana-provisioning';
import {
  datasourcesFile,
  escapeForProvisioning,
  linkProblems,
  linkedUids,
  lokiDatasource,
  metricsDatasource,
  tempoDatasource,
} from '../../lib/core/grafana-datasources';
import { lokiDashboard, tempoDashboard, thanosDashboard, victoriaMetricsDashboard } from '../../lib';
import { generatorJobOf, runSecretGenerator } from '../support/generated-secrets';
import { crossReferenceProblems } from '../support/cross-refs';
import { podSecurityViolations } from '../support/pod-security';
import { schemaProblems } from '../support/schema';
import { Manifest, containersOf, dataOf, get, ofKind, podSpecOf, synth, testChart } from '../support/synth';

const URLS = {
  metrics: 'http://thanos-query-frontend.obs.svc.cluster.local:9090',
  logs: 'http://loki-gateway.obs.svc.cluster.local',
  traces: 'http://tempo.obs.svc.cluster.local:3200',
};

/** The three datasources linked both ways, under the given uids. */
function linkedSet(uids = { metrics: 'metrics', logs: 'loki', traces: 'tempo' }, tenant = 'platform'): DatasourceDefinition[] {
  return [
    metricsDatasource({ url: URLS.metrics, prometheusType: 'Thanos', uid: uids.metrics, tracesUid: uids.traces }),
    lokiDatasource({ url: URLS.logs, uid: uids.logs, tracesUid: uids.traces, tenant: { header: 'X-Scope-OrgID', id: tenant } }),
    tempoDatasource({ url: URLS.traces, uid: uids.traces, logsUid: uids.logs, metricsUid: uids.metrics }),
  ];
}

/** Job names with regex characters, as scrape targets may carry (`<namespace>/<component>`, dots). */
const JOBS = {
  all: ['obs/loki-read', 'loki.write', 'tempo', 'thanos-receive', 'vm+select', 'grafana'],
  loki: ['obs/loki-read', 'loki.write'],
  tempo: ['tempo'],
  thanos: ['thanos-receive', 'thanos-query'],
  vm: ['vm+select', 'vminsert'],
};
const BUILTIN: DashboardDefinition[] = [
  overviewDashboard(JOBS.all),
  lokiDashboard(JOBS.loki),
  tempoDashboard(JOBS.tempo),
  thanosDashboard(JOBS.thanos),
  victoriaMetricsDashboard(JOBS.vm),
];
const TEAM: DashboardDefinition = {
  uid: 'team-a-latency',
  title: 'Team A / Latency',
  folder: 'team-a',
  panels: [{ title: 'p50', unit: 's', queries: [{ expr: 'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))' }] }],
};

function grafanaChart(props: Partial<GrafanaProps> = {}) {
  const chart = testChart(...Object.values(URLS), 'pg.db.svc');
  const grafana = new Grafana(chart, 'grafana', { namespace: 'obs', datasources: linkedSet(), dashboards: [...BUILTIN, TEAM], ...props });
  return { chart, grafana, manifests: synth(chart) };
}

const deploymentOf = (manifests: Manifest[]) => get(manifests, 'Deployment', 'grafana-server');
const containerOf = (manifests: Manifest[]) => containersOf(podSpecOf(deploymentOf(manifests))).find((c) => c.name === 'grafana');
const provisioningOf = (manifests: Manifest[]) => dataOf(get(manifests, 'ConfigMap', 'grafana-provisioning'));
const datasourcesYamlOf = (manifests: Manifest[]) => provisioningOf(manifests)['datasources.yaml'];
const jsonOf = (ds: DatasourceDefinition) => ds.jsonData as Record<string, any>;

/** Grafana's own expansion reversed: `$$` is a literal `$`. */
function unescape<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\$\$/g, '$') as T;
  if (Array.isArray(value)) return value.map(unescape) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescape(v)])) as T;
  return value;
}

/** A minimal ini reader: `[section]` headers and `key = value` lines. */
function readIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section = '';
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1];
      out[section] = out[section] ?? {};
      continue;
    }
    const kv = /^([A-Za-z0-9_.]+) = (.*)$/.exec(line);
    if (!kv) throw new Error(`not an ini line: ${JSON.stringify(line)}`);
    (out[section] = out[section] ?? {})[kv[1]] = kv[2];
  }
  return out;
}

describe('datasources provisioning file', () => {
  const { manifests } = grafanaChart();
  const text = datasourcesYamlOf(manifests);
  const file = parse(text);

  test('apiVersion 1, pruning on, every datasource proxied and read-only in the UI', () => {
    expect(file.apiVersion).toBe(1);
    expect(file.prune).toBe(true);
    expect(file.datasources.map((d: any) => [d.uid, d.type, d.access, d.editable])).toEqual([
      ['metrics', 'prometheus', 'proxy', false],
      ['loki', 'loki', 'proxy', false],
      ['tempo', 'tempo', 'proxy', false],
    ]);
    expect(file.datasources.filter((d: any) => d.isDefault === true).map((d: any) => d.uid)).toEqual(['metrics']);
  });

  test("every literal $ is written $$, so Grafana's environment expansion leaves the link variables alone", () => {
    const [, loki, tempo] = file.datasources;
    expect(loki.jsonData.derivedFields.map((f: any) => f.url)).toEqual(['$${__value.raw}', '$${__value.raw}']);
    const queries: string[] = tempo.jsonData.tracesToMetrics.queries.map((q: any) => q.query);
    expect(queries.length).toBe(3);
    for (const q of queries) expect(q).toContain('{$$__tags');
    // No lone `$` anywhere in the file: every run of `$` has an even length.
    const runs = text.match(/\$+/g) ?? [];
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.filter((r) => r.length % 2 !== 0)).toEqual([]);
  });

  test('un-escaping $$ gives back exactly the datasources as defined', () => {
    const expected = linkedSet().map((d) => ({ ...d, access: 'proxy', editable: false, isDefault: d.isDefault ?? false }));
    expect(unescape(file.datasources)).toEqual(JSON.parse(JSON.stringify(expected)));
    // And the escape itself round-trips on anything, including strings without `$` and `$$` already doubled.
    const sample = { a: '${x}', b: ['$$y', 'plain', 3, true, null], c: { d: 'a$b$$c$$$' } };
    expect(escapeForProvisioning(sample)).toEqual({ a: '$${x}', b: ['$$$$y', 'plain', 3, true, null], c: { d: 'a$$b$$$$c$$$$$$' } });
    expect(unescape(escapeForProvisioning(sample))).toEqual(sample);
    expect(datasourcesFile([])).toEqual({ apiVersion: 1, prune: true, datasources: [] });
  });

  test('the Loki tenant is sent as X-Scope-OrgID, its value kept in secureJsonData', () => {
    const loki = file.datasources.find((d: any) => d.type === 'loki');
    expect(loki.jsonData.httpHeaderName1).toBe('X-Scope-OrgID');
    expect(loki.secureJsonData).toEqual({ httpHeaderValue1: 'platform' });
    const untenanted = lokiDatasource({ url: URLS.logs });
    expect(untenanted.secureJsonData).toBeUndefined();
    expect(jsonOf(untenanted).httpHeaderName1).toBeUndefined();
  });
});

describe('cross-links between datasources', () => {
  const uids = { metrics: 'm-uid', logs: 'l-uid', traces: 't-uid' };
  const [metrics, loki, tempo] = linkedSet(uids);

  test('each link names the uid of the datasource it opens', () => {
    expect([metrics.uid, loki.uid, tempo.uid]).toEqual(['m-uid', 'l-uid', 't-uid']);
    expect(jsonOf(loki).derivedFields.map((f: any) => f.datasourceUid)).toEqual(['t-uid', 't-uid']);
    expect(jsonOf(metrics).exemplarTraceIdDestinations).toEqual([{ name: 'trace_id', datasourceUid: 't-uid' }]);
    expect(jsonOf(tempo).tracesToLogsV2.datasourceUid).toBe('l-uid');
    expect(jsonOf(tempo).lokiSearch).toEqual({ datasourceUid: 'l-uid' });
    expect(jsonOf(tempo).tracesToMetrics.datasourceUid).toBe('m-uid');
    expect(jsonOf(tempo).serviceMap).toEqual({ datasourceUid: 'm-uid' });
    expect(linkedUids(tempo).sort()).toEqual(['l-uid', 'l-uid', 'm-uid', 'm-uid']);
    expect(linkProblems([metrics, loki, tempo])).toEqual([]);
  });

  test('without a target uid no link is made', () => {
    expect(linkedUids(metricsDatasource({ url: URLS.metrics }))).toEqual([]);
    expect(linkedUids(lokiDatasource({ url: URLS.logs }))).toEqual([]);
    expect(linkedUids(tempoDatasource({ url: URLS.traces }))).toEqual([]);
  });

  test('linkProblems names each dangling link as <datasource> → <uid>', () => {
    expect(linkProblems([metrics, loki])).toEqual(['Metrics → t-uid', 'Loki → t-uid']);
    // Tempo names the logs uid twice (trace → logs, Loki search) and the metrics uid twice; each is one problem.
    expect(linkProblems([tempo])).toEqual(['Tempo → l-uid', 'Tempo → m-uid']);
  });
});

/** The message of what `fn` throws; the test fails when it throws nothing. */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a validation error, got none');
}

describe('Grafana validation', () => {
  const attempt = (props: Partial<GrafanaProps>) => () => grafanaChart({ dashboards: [], ...props });

  test('links to a datasource that is not provisioned are refused, once per datasource and uid', () => {
    const datasources = [metricsDatasource({ url: URLS.metrics, tracesUid: 'tempo' }), lokiDatasource({ url: URLS.logs, tracesUid: 'tempo' })];
    expect(messageOf(attempt({ datasources }))).toBe(
      [
        '[test/grafana] datasources = "Metrics → tempo": links to a datasource uid that is not provisioned, so the link would open an error. ' +
          'Fix: provision a datasource with that uid, or drop the link (provisioned: metrics, loki).',
        '[test/grafana] datasources = "Loki → tempo": links to a datasource uid that is not provisioned, so the link would open an error. ' +
          'Fix: provision a datasource with that uid, or drop the link (provisioned: metrics, loki).',
      ].join('\n'),
    );
  });

  test('datasources sharing a uid are refused, once per uid', () => {
    const datasources = [
      metricsDatasource({ url: URLS.metrics }),
      lokiDatasource({ url: URLS.logs, uid: 'metrics' }),
      tempoDatasource({ url: URLS.traces, uid: 'metrics' }),
    ];
    expect(messageOf(attempt({ datasources }))).toBe(
      '[test/grafana] datasources = "metrics": has this uid twice; links and dashboards would reach only one of them. Fix: give each datasource its own uid.',
    );
  });

  test('two default datasources are refused', () => {
    const datasources = [metricsDatasource({ url: URLS.metrics }), metricsDatasource({ url: URLS.metrics, uid: 'metrics-2', name: 'Metrics 2' })];
    expect(messageOf(attempt({ datasources }))).toBe(
      '[test/grafana] datasources = "metrics, metrics-2": has more than one default datasource. Fix: mark one datasource isDefault.',
    );
  });

  test('two replicas on SQLite are refused; on PostgreSQL they are accepted', () => {
    expect(messageOf(attempt({ replicas: 2 }))).toBe(
      '[test/grafana] replicas = 2: is more than 1 on SQLite, which is per pod: logins, alert state and edits would differ between pods. ' +
        'Fix: keep replicas: 1, or set ini.database (type mysql or postgres, with host, name, user) for a shared database.',
    );
    const { manifests } = grafanaChart({ replicas: 2, ini: { database: { type: 'postgres', host: 'pg.db.svc:5432', name: 'grafana', user: 'grafana' } } });
    expect(deploymentOf(manifests).spec.replicas).toBe(2);
  });

  test('two replicas with the one ReadWriteOnce volume are refused', () => {
    expect(messageOf(attempt({ replicas: 2, persistence: { size: '5Gi' }, ini: { database: { type: 'postgres' } } }))).toBe(
      '[test/grafana] persistence = "5Gi": is one ReadWriteOnce volume, which several replicas cannot share. ' +
        'Fix: keep replicas: 1 with persistence, or use a shared database without it.',
    );
  });
});

describe('Grafana Deployment (files delivery)', () => {
  const { manifests, chart, grafana } = grafanaChart();
  const deployment = deploymentOf(manifests);
  const spec = podSpecOf(deployment);
  const container = containerOf(manifests);
  const mountAt = (path: string) => container.volumeMounts.find((m: any) => m.mountPath === path);
  const volume = (name: string) => spec.volumes.find((v: any) => v.name === name);

  test('valid objects, resolvable references, a restricted pod', () => {
    expect(manifests.flatMap(schemaProblems)).toEqual([]);
    expect(crossReferenceProblems(manifests, externalReferences(chart))).toEqual([]);
    expect(manifests.flatMap(podSecurityViolations)).toEqual([]);
  });

  test("the pinned image, running as the image's uid/gid 472 with fsGroup 472", () => {
    expect(container.image).toBe('docker.io/grafana/grafana:13.2.0');
    expect(spec.securityContext).toMatchObject({ runAsUser: 472, runAsGroup: 472, fsGroup: 472, runAsNonRoot: true });
    expect(deployment.spec.replicas).toBe(1);
  });

  test('the admin login comes from a Secret made in the cluster, with the keys the env names; the output holds no password', () => {
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef]));
    expect(env.GF_SECURITY_ADMIN_USER).toEqual({ name: 'grafana-admin', key: 'admin-user' });
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toEqual({ name: 'grafana-admin', key: 'admin-password' });
    expect(ofKind(manifests, 'Secret')).toEqual([]);
    const made = runSecretGenerator(generatorJobOf(manifests, 'grafana-admin')).values;
    expect(made['admin-user']).toBe('admin');
    expect(made['admin-password']).toMatch(/^[0-9a-f]{48}$/);
    expect(grafana.adminSecretName).toBe('grafana-admin');
    expect(externalReferences(chart).filter((e) => e.kind !== 'Service')).toEqual([]);
  });

  test('with adminSecret no Secret is emitted, and the one named is declared as provided by the user', () => {
    const given = grafanaChart({ adminSecret: { name: 'grafana-login', userKey: 'user', passwordKey: 'pass' } });
    expect(ofKind(given.manifests, 'Secret')).toEqual([]);
    expect(given.grafana.adminSecretGenerator).toBeUndefined();
    expect(ofKind(given.manifests, 'Job')).toEqual([]);
    const env = Object.fromEntries(containerOf(given.manifests).env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef]));
    expect(env.GF_SECURITY_ADMIN_USER).toEqual({ name: 'grafana-login', key: 'user' });
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toEqual({ name: 'grafana-login', key: 'pass' });
    const external = externalReferences(given.chart).filter((e) => e.kind !== 'Service');
    expect(external.map(({ kind, namespace, name }) => ({ kind, namespace, name }))).toEqual([{ kind: 'Secret', namespace: 'obs', name: 'grafana-login' }]);
    expect(external[0].purpose).toContain('user, pass');
    expect(crossReferenceProblems(given.manifests, external)).toEqual([]);
    // The declaration is what makes the reference resolvable.
    expect(crossReferenceProblems(given.manifests, [])).toContain(
      'Deployment grafana-server refers to Secret grafana-login, which is neither emitted nor declared external',
    );
  });

  test('grafana.ini is mounted by subPath at /etc/grafana/grafana.ini from the config ConfigMap', () => {
    const mount = mountAt('/etc/grafana/grafana.ini');
    expect(mount).toEqual({ name: 'config', mountPath: '/etc/grafana/grafana.ini', subPath: 'grafana.ini', readOnly: true });
    expect(volume('config').configMap.name).toBe('grafana-config');
    expect(Object.keys(dataOf(get(manifests, 'ConfigMap', 'grafana-config')))).toEqual(['grafana.ini']);
  });

  test('provisioning is mounted at /etc/grafana/provisioning as datasources/platform.yaml and dashboards/platform.yaml', () => {
    expect(mountAt('/etc/grafana/provisioning')).toEqual({ name: 'provisioning', mountPath: '/etc/grafana/provisioning', readOnly: true });
    expect(volume('provisioning').configMap).toEqual({
      name: 'grafana-provisioning',
      items: [
        { key: 'datasources.yaml', path: 'datasources/platform.yaml' },
        { key: 'dashboards.yaml', path: 'dashboards/platform.yaml' },
      ],
    });
    const data = provisioningOf(manifests);
    for (const item of volume('provisioning').configMap.items) expect(Object.keys(data)).toContain(item.key);
    expect(container.env).toContainEqual({ name: 'GF_PATHS_PROVISIONING', value: '/etc/grafana/provisioning' });
  });

  test("each dashboard folder's ConfigMap is mounted at the path its file provider reads", () => {
    const providers = parse(provisioningOf(manifests)['dashboards.yaml']);
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers.map((p: any) => p.name)).toEqual(['platform', 'team-a']);
    for (const p of providers.providers) {
      expect(p.type).toBe('file');
      const mount = mountAt(p.options.path);
      expect(mount).toBeDefined();
      const cm = get(manifests, 'ConfigMap', volume(mount.name).configMap.name);
      const expected = [...BUILTIN, TEAM]
        .filter((d) => d.folder === p.folder)
        .map((d) => `${d.uid}.json`)
        .sort();
      expect(Object.keys(dataOf(cm)).sort()).toEqual(expected);
    }
  });

  test('/var/lib/grafana is writable: an emptyDir by default, a kept claim with persistence', () => {
    const mount = mountAt('/var/lib/grafana');
    expect(mount.readOnly).toBeUndefined();
    expect(volume(mount.name)).toEqual({ name: 'data', emptyDir: {} });
    expect(container.env).toContainEqual({ name: 'GF_PATHS_DATA', value: '/var/lib/grafana' });

    const kept = grafanaChart({ persistence: { size: '5Gi', storageClass: 'gp3' } }).manifests;
    const keptSpec = podSpecOf(deploymentOf(kept));
    const keptMount = containerOf(kept).volumeMounts.find((m: any) => m.mountPath === '/var/lib/grafana');
    expect(keptSpec.volumes.find((v: any) => v.name === keptMount.name)).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'grafana-data' } });
    const pvc = get(kept, 'PersistentVolumeClaim', 'grafana-data');
    expect(pvc.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '5Gi' } } });
    // The old pod leaves before the new one comes (its volume attaches to one node at a time), as a
    // rolling update, which a server-side apply can switch an existing Deployment to.
    expect(deploymentOf(kept).spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(kept.flatMap(schemaProblems)).toEqual([]);
  });

  test('readiness and liveness probe GET /api/health on the Grafana port', () => {
    expect(container.ports).toEqual([{ name: 'grafana', containerPort: 3000, protocol: 'TCP' }]);
    for (const probe of [container.readinessProbe, container.livenessProbe]) expect(probe.httpGet).toEqual({ path: '/api/health', port: 'grafana' });
    expect(get(manifests, 'Service', 'grafana').spec.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'grafana' }]);
    expect(grafana.url).toBe('http://grafana.obs.svc.cluster.local');
  });

  test('the pod annotation covers the checksum of every config ConfigMap and changes when a datasource changes', () => {
    const annotationOf = (ms: Manifest[]) => deploymentOf(ms).spec.template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION];
    const configMaps = ['grafana-config', 'grafana-provisioning', 'grafana-dashboards-platform', 'grafana-dashboards-team-a'];
    const expected = createHash('sha256')
      .update(configMaps.map((n) => checksumOf(dataOf(get(manifests, 'ConfigMap', n)))).join('\n'))
      .digest('hex');
    expect(annotationOf(manifests)).toBe(expected);
    expect(annotationOf(grafanaChart().manifests)).toBe(expected);
    const changed = linkedSet();
    changed[1] = lokiDatasource({ url: URLS.logs, tracesUid: 'tempo', tenant: { header: 'X-Scope-OrgID', id: 'other-tenant' } });
    expect(annotationOf(grafanaChart({ datasources: changed }).manifests)).not.toBe(expected);
    expect(annotationOf(grafanaChart({ ini: { server: { root_url: 'https://grafana.example.com' } } }).manifests)).not.toBe(expected);
  });
});

describe('grafana.ini', () => {
  test('the defaults: no phoning home, console logs, no sign-up, no anonymous access', () => {
    const ini = readIni(dataOf(get(grafanaChart().manifests, 'ConfigMap', 'grafana-config'))['grafana.ini']);
    expect(Object.keys(ini)).toEqual(['analytics', 'auth.anonymous', 'log', 'security', 'users']);
    expect(ini.analytics.reporting_enabled).toBe('false');
    expect(ini.analytics.check_for_updates).toBe('false');
    expect(ini.log.mode).toBe('console');
    expect(ini.users.allow_sign_up).toBe('false');
    expect(ini['auth.anonymous'].enabled).toBe('false');
  });

  test('user sections merge key by key over the defaults', () => {
    const text = dataOf(
      get(
        grafanaChart({
          ini: {
            analytics: { check_for_updates: true },
            server: { root_url: 'https://grafana.example.com', serve_from_sub_path: false },
            log: { level: 'warn' },
          },
        }).manifests,
        'ConfigMap',
        'grafana-config',
      ),
    )['grafana.ini'];
    const ini = readIni(text);
    expect(ini.analytics).toEqual({ reporting_enabled: 'false', check_for_updates: 'true', check_for_plugin_updates: 'false' });
    expect(ini.log).toEqual({ mode: 'console', level: 'warn' });
    expect(ini.server).toEqual({ root_url: 'https://grafana.example.com', serve_from_sub_path: 'false' });
    expect(ini.security).toEqual({ disable_gravatar: 'true', cookie_samesite: 'lax' });
    expect(text).toContain('[server]\nroot_url = https://grafana.example.com\n');
  });

  test('mergeIni: a later layer wins per key; renderIni writes the unnamed section without a header', () => {
    expect(mergeIni(BASE_INI, { log: { mode: 'file' } }, undefined).log).toEqual({ mode: 'file' });
    expect(renderIni({ '': { app_mode: 'production' }, paths: { data: '/var/lib/grafana' } })).toBe(
      'app_mode = production\n\n[paths]\ndata = /var/lib/grafana\n',
    );
  });
});

describe('dashboards', () => {
  const { manifests } = grafanaChart();
  const metricsUid = parse(datasourcesYamlOf(manifests)).datasources.find((d: any) => d.type === 'prometheus').uid;
  const files = ofKind(manifests, 'ConfigMap')
    .filter((m) => m.metadata.name.startsWith('grafana-dashboards-'))
    .flatMap((m) => Object.entries(dataOf(m)).map(([key, text]) => ({ key, json: JSON.parse(text) })));

  test('every dashboard is a file named by its uid, with its title and panels on the provisioned metrics datasource', () => {
    expect(metricsUid).toBe('metrics');
    expect(files.map((f) => f.key).sort()).toEqual([...BUILTIN, TEAM].map((d) => `${d.uid}.json`).sort());
    for (const { key, json } of files) {
      const def = [...BUILTIN, TEAM].find((d) => `${d.uid}.json` === key)!;
      expect(json.uid).toBe(def.uid);
      expect(json.title).toBe(def.title);
      expect(json.panels.length).toBe(def.panels.length);
      for (const panel of json.panels) {
        expect(panel.datasource).toEqual({ type: 'prometheus', uid: metricsUid });
        expect(panel.targets.length).toBeGreaterThan(0);
        for (const t of panel.targets) expect(t.datasource.uid).toBe(metricsUid);
      }
    }
  });

  test('panels lay out two per row without overlapping', () => {
    const json = dashboardJson(lokiDashboard(JOBS.loki)) as any;
    const cells = json.panels.map((p: any) => `${p.gridPos.x},${p.gridPos.y}`);
    expect(new Set(cells).size).toBe(cells.length);
    expect(json.panels.map((p: any) => p.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('jobMatcher escapes regex characters and writes a PromQL string whose regex matches exactly the jobs', () => {
    const matcher = jobMatcher(['obs/loki.read', 'a+b', 'c']);
    expect(matcher).toBe(String.raw`job=~"obs/loki\\.read|a\\+b|c"`);
    // PromQL strings use Go escapes, of which JSON's are a subset; Prometheus anchors the regex.
    const regex = new RegExp(`^(?:${JSON.parse(matcher.slice('job=~'.length))})$`);
    for (const job of ['obs/loki.read', 'a+b', 'c']) expect(regex.test(job)).toBe(true);
    for (const job of ['obs/lokiXread', 'aab', 'aaab', 'cc', 'obs/loki.read|c']) expect(regex.test(job)).toBe(false);
  });
});

describe('delivery through grafana-operator', () => {
  const { manifests, grafana } = grafanaChart({ delivery: 'operator' });
  const spec = podSpecOf(deploymentOf(manifests));
  const cr = get(manifests, 'Grafana', 'grafana');
  const datasources = ofKind(manifests, 'GrafanaDatasource');
  const folders = ofKind(manifests, 'GrafanaFolder');
  const dashboards = ofKind(manifests, 'GrafanaDashboard');
  const selects = (m: Manifest) => Object.entries(m.spec.instanceSelector.matchLabels).every(([k, v]) => cr.metadata.labels![k] === v);

  test('no provisioning files: no provisioning ConfigMap, nothing mounted under /etc/grafana/provisioning', () => {
    expect(
      ofKind(manifests, 'ConfigMap')
        .map((m) => m.metadata.name)
        .sort(),
    ).toEqual(['grafana-config', 'grafana-dashboards-platform', 'grafana-dashboards-team-a']);
    expect(grafana.provisioning).toBeUndefined();
    expect(spec.volumes.filter((v: any) => v.configMap).map((v: any) => v.configMap.name)).toEqual(['grafana-config']);
    const mounts = containerOf(manifests).volumeMounts.map((m: any) => m.mountPath);
    expect(mounts.filter((p: string) => p.startsWith('/etc/grafana/provisioning') || p.includes('dashboards'))).toEqual([]);
  });

  test('an external Grafana resource hands the Deployment to the operator with the admin login', () => {
    expect(cr.apiVersion).toBe('grafana.integreatly.org/v1beta1');
    expect(cr.spec).toEqual({
      external: {
        url: grafana.url,
        adminUser: { name: 'grafana-admin', key: 'admin-user' },
        adminPassword: { name: 'grafana-admin', key: 'admin-password' },
      },
    });
    // The keys the operator reads are the ones the generator Job writes.
    const secret = runSecretGenerator(generatorJobOf(manifests, 'grafana-admin')).values;
    expect(Object.keys(secret).sort()).toEqual(['admin-password', 'admin-user']);
  });

  test('one GrafanaDatasource per datasource, selecting the Grafana, with spec.uid equal to the datasource uid', () => {
    expect(datasources.map((d) => d.spec.uid)).toEqual(['metrics', 'loki', 'tempo']);
    for (const d of datasources) {
      expect(Object.keys(d.spec.instanceSelector.matchLabels).length).toBeGreaterThan(0);
      expect(selects(d)).toBe(true);
      expect(d.spec.datasource.uid).toBe(d.spec.uid);
      expect(d.spec.datasource.access).toBe('proxy');
    }
    // Nothing expands the operator's datasources from an environment: links keep a single `$`.
    const loki = datasources.find((d) => d.spec.uid === 'loki')!;
    expect(loki.spec.datasource.jsonData.derivedFields[0].url).toBe('${__value.raw}');
    expect(loki.spec.datasource.secureJsonData).toEqual({ httpHeaderValue1: 'platform' });
  });

  test('one GrafanaFolder per folder; each GrafanaDashboard reads a key of an emitted ConfigMap into an emitted folder', () => {
    expect(folders.map((f) => f.spec.title).sort()).toEqual(['platform', 'team-a']);
    for (const f of folders) expect(selects(f)).toBe(true);
    expect(dashboards.map((d) => d.spec.uid).sort()).toEqual([...BUILTIN, TEAM].map((d) => d.uid).sort());
    for (const d of dashboards) {
      expect(selects(d)).toBe(true);
      const cm = get(manifests, 'ConfigMap', d.spec.configMapRef.name);
      expect(Object.keys(dataOf(cm))).toContain(d.spec.configMapRef.key);
      expect(JSON.parse(dataOf(cm)[d.spec.configMapRef.key]).uid).toBe(d.spec.uid);
      const folder = get(manifests, 'GrafanaFolder', d.spec.folderRef);
      expect(folder.metadata.namespace).toBe(d.metadata.namespace);
      expect(folder.spec.title).toBe([...BUILTIN, TEAM].find((x) => x.uid === d.spec.uid)!.folder);
    }
  });

  test('every object passes its schema (the operator kinds against the pinned CRDs), and the checker catches a broken one', () => {
    expect([cr, ...datasources, ...folders, ...dashboards].length).toBe(1 + 3 + 2 + 6);
    expect(manifests.flatMap(schemaProblems)).toEqual([]);
    expect(manifests.flatMap(podSecurityViolations)).toEqual([]);
    expect(crossReferenceProblems(manifests, [])).toEqual([]);
    const broken = JSON.parse(JSON.stringify(datasources[0]));
    broken.spec.datasourse = broken.spec.datasource;
    delete broken.spec.datasource;
    const problems = schemaProblems(broken);
    expect(problems.some((p) => p.includes('(datasourse)'))).toBe(true);
    expect(problems.some((p) => p.includes("must have required property 'datasource'"))).toBe(true);
  });
});

describe('an OpenID Connect login', () => {
  const oidc = {
    rootUrl: 'https://grafana.example.com',
    authUrl: 'https://sso.example.com/realms/main/protocol/openid-connect/auth',
    tokenUrl: 'https://sso.example.com/realms/main/protocol/openid-connect/token',
    apiUrl: 'https://sso.example.com/realms/main/protocol/openid-connect/userinfo',
    clientId: 'grafana',
    clientSecret: { name: 'grafana-oidc', key: 'client-secret' },
    roleAttributePath: "contains(groups[*], 'sre') && 'Admin' || 'Viewer'",
    disableLoginForm: true,
  };

  test('authorization code flow with PKCE, roles from the claims, and the client secret only by reference', () => {
    const { chart, manifests } = grafanaChart({ oidc });
    const ini = dataOf(get(manifests, 'ConfigMap', 'grafana-config'))['grafana.ini'];
    const section = (name: string) => ini.split(`[${name}]\n`)[1]?.split('\n\n')[0].split('\n') ?? [];
    expect(section('auth.generic_oauth')).toEqual(
      expect.arrayContaining([
        'enabled = true',
        'client_id = grafana',
        `auth_url = ${oidc.authUrl}`,
        `token_url = ${oidc.tokenUrl}`,
        `api_url = ${oidc.apiUrl}`,
        'use_pkce = true',
        `role_attribute_path = ${oidc.roleAttributePath}`,
        'role_attribute_strict = true',
      ]),
    );
    expect(section('auth.generic_oauth').some((l) => l.startsWith('client_secret'))).toBe(false);
    expect(section('server')).toContain('root_url = https://grafana.example.com');
    expect(section('auth')).toContain('disable_login_form = true');
    expect(containerOf(manifests).env).toContainEqual({
      name: 'GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET',
      valueFrom: { secretKeyRef: { name: 'grafana-oidc', key: 'client-secret' } },
    });
    expect(externalReferences(chart).some((e) => e.kind === 'Secret' && e.name === 'grafana-oidc')).toBe(true);
  });

  test('a provider or Grafana URL in clear is refused', () => {
    expect(() => grafanaChart({ oidc: { ...oidc, tokenUrl: 'http://sso.example.com/token' } })).toThrow(
      /oidc\.tokenUrl = "http:\/\/sso\.example\.com\/token": is not an https URL/,
    );
  });
});
