import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPS } from '../../apps';
import { stringify } from 'yaml';
import { Alertmanager } from '../../lib/collectors/alertmanager';
import { Manifest, dataOf, synthApp, testChart } from '../support/synth';
import { ruleFiles } from '../support/thanos';
import { checkContainer, containersWithImage } from './support/check-container';
import { program, scenario } from './support/programs';

/**
 * The configs of every app through the checkers of the pinned releases, not Debian's older ones:
 * `promtool check config` (Prometheus 3.14) on every prometheus.yml, `promtool check rules` and
 * `thanos tools rules-check` (v0.42.4) on every rule file, `amtool check-config` (0.34) on every
 * Alertmanager config, and the programs' own checks run the way the pod runs them (its files, env
 * and flags): `vmagent -dryRun` (v1.151.0) and `otelcol validate` (0.158.0, built from exactly the
 * components the library emits).
 */
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });
const write = (name: string, text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'obs-e2e-check-')), name);
  writeFileSync(file, text);
  return file;
};

describe.each(Object.keys(APPS))('app %s', (name) => {
  const { manifests } = synthApp(name);
  const files = (file: string) =>
    manifests.flatMap((m) =>
      Object.entries(dataOf(m))
        .filter(([key]) => key === file)
        .map(([, text]) => ({ where: `${m.kind} ${m.metadata.name}`, text })),
    );
  const prometheusConfigs = files('prometheus.yaml');
  const alertmanagerConfigs = files('alertmanager.yml');
  const rules = ruleFiles(manifests);
  const vmagents = containersWithImage(manifests, /\/victoriametrics\/vmagent:/);
  const collectors = containersWithImage(manifests, /\/opentelemetry-collector-contrib:/);
  const dashboardQueries = dashboardExpressions(manifests);

  if (prometheusConfigs.length > 0) {
    scenario('promtool')(
      'every Prometheus config passes `promtool check config` of Prometheus 3.14 (syntax only: the rule files are checked on their own)',
      () => {
        for (const { where, text } of prometheusConfigs) {
          const r = run(program('promtool'), ['check', 'config', '--syntax-only', write('prometheus.yaml', text)]);
          expect({ where, status: r.status, out: r.status === 0 ? '' : r.stdout + r.stderr }).toEqual({ where, status: 0, out: '' });
        }
      },
    );
  }

  if (rules.length > 0) {
    scenario('promtool', 'thanos')('every rule file passes `promtool check rules` of 3.14 and `thanos tools rules-check` of v0.42.4', () => {
      for (const { where, text } of rules) {
        const file = write('rules.yaml', text);
        const promtool = run(program('promtool'), ['check', 'rules', file]);
        expect({ where, status: promtool.status, out: promtool.status === 0 ? '' : promtool.stdout + promtool.stderr }).toEqual({ where, status: 0, out: '' });
        const thanos = run(program('thanos'), ['tools', 'rules-check', `--rules=${file}`]);
        expect({ where, status: thanos.status, out: thanos.status === 0 ? '' : thanos.stdout + thanos.stderr }).toEqual({ where, status: 0, out: '' });
      }
    });
  }

  if (alertmanagerConfigs.length > 0) {
    scenario('amtool')('every Alertmanager config passes `amtool check-config` of 0.34', () => {
      for (const { where, text } of alertmanagerConfigs) {
        const r = run(program('amtool'), ['check-config', write('alertmanager.yml', text)]);
        expect({ where, status: r.status, out: r.status === 0 ? '' : r.stdout + r.stderr }).toEqual({ where, status: 0, out: '' });
      }
    });
  }

  if (dashboardQueries.length > 0) {
    scenario('promtool')('every PromQL query of every dashboard parses with promtool of 3.14', () => {
      // Each query becomes a recording rule, the way promtool parses PromQL on its own.
      const rules = { groups: [{ name: 'dashboards', rules: dashboardQueries.map(({ expr }, n) => ({ record: `dashboard:query:${n}`, expr })) }] };
      const r = run(program('promtool'), ['check', 'rules', write('dashboards.yaml', stringify(rules, { lineWidth: 0 }))]);
      expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({
        status: 0,
        out: expect.stringContaining(`SUCCESS: ${dashboardQueries.length} rules found`),
      });
    });
  }

  if (vmagents.length > 0) {
    scenario('vmagent')('every vmagent passes `vmagent -dryRun` of v1.151.0 with the flags, env and files its pod gets', async () => {
      for (const { workload, container } of vmagents) {
        const r = await checkContainer(manifests, workload, { program: program('vmagent'), container, adjustArgs: (args) => [...args, '-dryRun'] });
        const where = `${workload.kind} ${workload.metadata.name}`;
        expect({ where, status: r.status, out: r.status === 0 ? '' : r.output }).toEqual({ where, status: 0, out: '' });
      }
    });
  }

  if (collectors.length > 0) {
    scenario('otelcol')('every OpenTelemetry Collector config passes `otelcol validate` of 0.158.0 with the env and files its pod gets', async () => {
      for (const { workload, container } of collectors) {
        const r = await checkContainer(manifests, workload, { program: program('otelcol'), container, adjustArgs: (args) => ['validate', ...args] });
        const where = `${workload.kind} ${workload.metadata.name}`;
        expect({ where, status: r.status, out: r.status === 0 ? '' : r.output }).toEqual({ where, status: 0, out: '' });
      }
    });
  }
});

scenario('vmagent', 'otelcol')('vmagent -dryRun and otelcol validate, run as the pod runs them, refuse a broken config of that pod', async () => {
  const { manifests } = synthApp('platform-vm');
  // The same pod with one ConfigMap file changed: `edit` gets and returns the file's text.
  const breakFile = (file: string, edit: (text: string) => string): Manifest[] =>
    manifests.map((m) => (m.kind === 'ConfigMap' && m.data?.[file] !== undefined ? { ...m, data: { ...m.data, [file]: edit(m.data[file]) } } : m));
  const check = async (broken: Manifest[], image: RegExp, name: string, adjustArgs: (args: string[]) => string[]) => {
    const [{ workload, container }] = containersWithImage(broken, image);
    return checkContainer(broken, workload, { program: program(name), container, adjustArgs });
  };
  const scrape = breakFile('scrape.yaml', (text) => text.replace(/^(\s*)- job_name: (.*)$/m, '$1- job_name: $2\n$1  no_such_field: true'));
  expect(scrape).not.toEqual(manifests);
  const vmagent = await check(scrape, /\/victoriametrics\/vmagent:/, 'vmagent', (args) => [...args, '-dryRun']);
  expect({ failed: vmagent.status !== 0, out: vmagent.output }).toEqual({ failed: true, out: expect.stringContaining('no_such_field') });
  // An exporter this build does not have (the library emits none).
  const collector = breakFile('config.yaml', (text) => text.replace(/^exporters:\n/m, 'exporters:\n  kafka: {}\n'));
  expect(collector).not.toEqual(manifests);
  const otelcol = await check(collector, /\/opentelemetry-collector-contrib:/, 'otelcol', (args) => ['validate', ...args]);
  expect({ failed: otelcol.status !== 0, out: otelcol.output }).toEqual({ failed: true, out: expect.stringContaining('kafka') });
});

scenario('amtool')('an Alertmanager config with nested routes, a webhook and inhibit rules passes `amtool check-config` of 0.34', () => {
  const chart = testChart();
  const construct = new Alertmanager(chart, 'am', {
    namespace: 'obs',
    config: {
      route: {
        receiver: 'default',
        group_by: ['alertname', 'namespace'],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: '4h',
        routes: [
          { matchers: ['severity="critical"'], receiver: 'pager', continue: true },
          { matchers: ['alertname="Watchdog"'], receiver: 'default' },
        ],
      },
      receivers: [{ name: 'default' }, { name: 'pager', webhook_configs: [{ url: 'http://pager.example.com/hook', send_resolved: true }] }],
      inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace'] }],
    },
  });
  const r = run(program('amtool'), ['check-config', write('alertmanager.yml', construct.configYaml)]);
  expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: expect.stringMatching(/SUCCESS[\s\S]*- 1 inhibit rules\n - 2 receivers/) });
});

scenario('promtool', 'amtool')('the pinned checkers refuse what they claim to', () => {
  expect(
    run(program('promtool'), ['check', 'config', '--syntax-only', write('p.yaml', 'scrape_configs:\n  - job_name: a\n    scrape_interval: nonsense\n')]).status,
  ).not.toBe(0);
  expect(
    run(program('promtool'), ['check', 'rules', write('r.yaml', 'groups:\n  - name: g\n    rules:\n      - record: x\n        expr: sum(\n')]).status,
  ).not.toBe(0);
  expect(run(program('amtool'), ['check-config', write('a.yml', 'route:\n  receiver: missing\nreceivers:\n  - name: default\n')]).status).not.toBe(0);
});

/** The PromQL of every panel of every dashboard of the output (ConfigMap files and grafana-operator dashboards). */
function dashboardExpressions(manifests: Manifest[]): Array<{ where: string; expr: string }> {
  // grafana-operator dashboards either hold their JSON or refer to a ConfigMap key of the output.
  const documents = manifests.flatMap((m) =>
    m.kind === 'GrafanaDashboard'
      ? m.spec.json
        ? [{ where: `${m.kind} ${m.metadata.name}`, json: String(m.spec.json) }]
        : []
      : m.kind === 'ConfigMap'
        ? Object.entries(dataOf(m))
            .filter(([key]) => key.endsWith('.json'))
            .map(([key, json]) => ({ where: `${m.kind} ${m.metadata.name}/${key}`, json }))
        : [],
  );
  return documents.flatMap(({ where, json }) => {
    const dashboard = JSON.parse(json);
    return (dashboard.panels ?? []).flatMap((p: any) =>
      (p.targets ?? []).filter((t: any) => t.expr).map((t: any) => ({ where: `${where}: ${p.title}`, expr: String(t.expr) })),
    );
  });
}
