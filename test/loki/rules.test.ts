import { parse } from 'yaml';
import { App } from 'cdk8s';
import { LokiClusterProps } from '../../lib/loki';
import { logqlShape } from '../../lib/loki/rules';
import { ObservabilityPlatform } from '../../lib';
import { allWarnings } from '../../lib/core/warnings';
import keyTree from '../fixtures/loki-3.7.6-config-keys.json';
import { KeyTree, unknownKeys } from '../support/config-keys';
import { Manifest, containersOf, dataOf, get, podSpecOf, workloads } from '../support/synth';
import { lokiChart, lokiConfig } from './support';

const ERRORS = {
  name: 'errors',
  rules: [
    { alert: 'ManyErrors', expr: 'sum by (app) (count_over_time({namespace="shop"} |= "error" [5m])) > 10', for: '5m', labels: { severity: 'page' } },
    { record: 'app:log_lines:rate1m', expr: 'sum by (app) (rate({namespace="shop"}[1m]))' },
  ],
};
const withRules = (props: Partial<LokiClusterProps> = {}) =>
  lokiChart(
    { tenants: [{ id: 'team-a', ruleGroups: [ERRORS] }, { id: 'team-b' }], alertmanagerUrl: 'http://am.obs.svc.cluster.local:9093', ...props },
    'am.obs.svc.cluster.local',
  );

/** The rules volume of a workload's pods and where its Loki container mounts it. */
function rulesMount(w: Manifest): { items: unknown; mountPath: string } | undefined {
  const volume = podSpecOf(w).volumes.find((v: any) => v.configMap?.name === 'loki-rules');
  if (!volume) return undefined;
  const mount = containersOf(podSpecOf(w))[0].volumeMounts.find((m: any) => m.name === volume.name);
  return { items: volume.configMap.items, mountPath: mount.mountPath };
}

describe('Loki rules as code', () => {
  test('the LogQL reader tells metric queries from log queries, finds parse errors, and the stream labels only', () => {
    expect(logqlShape('sum(rate({app="x", namespace!="y"} | json | level="error" [5m])) by (pod)')).toEqual({
      errorAt: undefined,
      metric: true,
      streamLabels: ['app', 'namespace'],
    });
    expect(logqlShape('{app="x"} |= "error"')).toMatchObject({ metric: false, streamLabels: ['app'] });
    expect(logqlShape('count_over_time({job="a"}[1m]').errorAt).toBeDefined();
  });

  test("each tenant's groups land in one ConfigMap the ruler reads from its own folder, and the ruler reads rules from there only", () => {
    const { manifests } = withRules();
    const files = dataOf(get(manifests, 'ConfigMap', 'loki-rules'));
    expect(Object.keys(files)).toEqual(['team-a.yaml']);
    expect(parse(files['team-a.yaml'])).toEqual({ groups: [ERRORS] });
    const config = lokiConfig(manifests);
    expect(config.ruler_storage).toEqual({ backend: 'local', local: { directory: '/etc/loki/rules' } });
    expect(unknownKeys(config, keyTree as KeyTree)).toEqual([]);
    // Alerts go to the cluster's Alertmanager.
    expect(config.ruler.alertmanager_url).toBe('http://am.obs.svc.cluster.local:9093');
  });

  test.each([
    ['simple-scalable', {}, ['loki-backend']],
    ['ha-monolithic', { mode: 'ha-monolithic' }, ['loki-all-main', 'loki-all']],
    ['distributed', { mode: 'distributed' }, ['loki-ruler']],
  ] as Array<[string, Partial<LokiClusterProps>, string[]]>)(
    '%s: only the pods that run a ruler mount the rules, each tenant in its folder',
    (_mode, props, rulers) => {
      const { manifests } = withRules(props);
      const lokiPods = workloads(manifests).filter((w) => podSpecOf(w).containers.some((c: any) => c.name === 'loki'));
      const mounting = lokiPods.filter((w) => rulesMount(w) !== undefined).map((w) => w.metadata.name);
      expect(mounting.sort()).toEqual([...rulers].sort());
      expect(rulesMount(lokiPods.find((w) => w.metadata.name === rulers[0])!)).toEqual({
        items: [{ key: 'team-a.yaml', path: 'team-a/rules.yaml' }],
        mountPath: '/etc/loki/rules',
      });
    },
  );

  test('a changed rule changes the ConfigMap only: no pod rolls, the ruler picks it up', () => {
    const before = withRules().manifests;
    const changed = { ...ERRORS, rules: [{ ...ERRORS.rules[0], expr: ERRORS.rules[0].expr.replace('> 10', '> 20') }] };
    const after = withRules({ tenants: [{ id: 'team-a', ruleGroups: [changed] }, { id: 'team-b' }] }).manifests;
    const differ = after.filter((m, i) => JSON.stringify(m) !== JSON.stringify(before[i])).map((m) => `${m.kind}/${m.metadata.name}`);
    expect(differ).toEqual(['ConfigMap/loki-rules']);
  });

  test('without rules as code the ruler keeps its bucket and no rules ConfigMap is made', () => {
    const { manifests } = lokiChart({ tenants: [{ id: 'team-a' }] });
    expect(lokiConfig(manifests).ruler_storage.backend).toBe('s3');
    expect(manifests.filter((m) => m.metadata.name === 'loki-rules')).toEqual([]);
  });

  test('a rule Loki could not evaluate stops the synth, naming the tenant, the rule and the fix', () => {
    const tenant = (expr: string, id = 'team-a') => ({ tenants: [{ id, ruleGroups: [{ name: 'g', rules: [{ alert: 'A', expr }] }] }] });
    expect(() => lokiChart(tenant('count_over_time({job="a"}[1m]'))).toThrow(
      /tenants\[0\].ruleGroups\[0\].rules\[0\].expr = ".*": is not LogQL Loki can parse \(it stops at character \d+/,
    );
    expect(() => lokiChart(tenant('{job="a"} |= "error"'))).toThrow(
      /is a log query, which selects lines: a rule needs a metric query.*Fix: wrap it in a range aggregation/s,
    );
    expect(() => lokiChart(tenant('rate({job="a"}[5m])', 'team(a)'))).toThrow(/tenants\[0\].id = "team\(a\)": cannot name a file of the rules ConfigMap/);
    expect(() =>
      lokiChart({ tenants: [{ id: 'a', ruleGroups: [{ name: 'g', interval: 'often', rules: [{ record: 'x', expr: 'rate({a="b"}[1m])' }] }] }] }),
    ).toThrow(/ruleGroups\[0\].interval = "often": is not a duration/);
  });
});

describe('rules as code on the platform', () => {
  const platformWith = (expr: string, spec: object = {}) => {
    const app = new App({ outdir: '/nonexistent' });
    const chart = new ObservabilityPlatform(app, 'p', { tenants: [{ id: 'ops', ruleGroups: [{ name: 'g', rules: [{ alert: 'A', expr }] }] }], ...spec });
    return { manifests: chart.toJson() as Manifest[], warnings: allWarnings(chart).map((w) => w.message) };
  };

  test("the tenants' rules reach Loki, whose ruler sends their alerts to the platform's Alertmanager", () => {
    const { manifests, warnings } = platformWith('sum by (app) (rate({namespace="shop", app="api"} |= "error" [5m])) > 1');
    expect(warnings.filter((w) => w.includes('rule-label-unknown'))).toEqual([]);
    expect(parse(dataOf(get(manifests, 'ConfigMap', 'loki-rules'))['ops.yaml']).groups[0].rules[0].alert).toBe('A');
    const config = parse(dataOf(get(manifests, 'ConfigMap', 'loki-config'))['config.yaml']);
    expect(config.ruler.alertmanager_url).toMatch(/alertmanager-headless/);
  });

  test('a rule selecting a label no log source attaches is warned about; with an OTLP gateway its resource labels count', () => {
    const { warnings } = platformWith('sum(rate({k8s_namespace_name="shop", team="x"}[5m])) > 1', { collectors: { otlp: false } });
    expect(warnings.filter((w) => w.includes('rule-label-unknown'))).toEqual([
      expect.stringMatching(
        /tenants\[0\].ruleGroups\[0\].rules\[0\].expr = .*selects streams by "k8s_namespace_name", "team", which no log source of the platform attaches/,
      ),
    ]);
    const withOtlp = platformWith('sum(rate({k8s_namespace_name="shop"}[5m])) > 1');
    expect(withOtlp.warnings.filter((w) => w.includes('rule-label-unknown'))).toEqual([]);
  });
});
