import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPS } from '../../apps';
import { dataOf, synthApp } from '../support/synth';
import { ruleFiles } from '../support/thanos';
import { program, scenario } from './support/programs';

/**
 * The configs of every app through the checkers of the pinned releases, not Debian's older ones:
 * `promtool check config` (Prometheus 3.14) on every prometheus.yml, `promtool check rules` and
 * `thanos tools rules-check` (v0.42.4) on every rule file, `amtool check-config` (0.34) on every
 * Alertmanager config.
 */
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });
const write = (name: string, text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'obs-e2e-check-')), name);
  writeFileSync(file, text);
  return file;
};

describe.each(Object.keys(APPS))('app %s', (name) => {
  const { manifests } = synthApp(name);
  const files = (file: string) => manifests.flatMap((m) => Object.entries(dataOf(m)).filter(([key]) => key === file).map(([, text]) => ({ where: `${m.kind} ${m.metadata.name}`, text })));
  const prometheusConfigs = files('prometheus.yaml');
  const alertmanagerConfigs = files('alertmanager.yml');
  const rules = ruleFiles(manifests);

  if (prometheusConfigs.length > 0) {
    scenario('promtool')('every Prometheus config passes `promtool check config` of Prometheus 3.14 (syntax only: the rule files are checked on their own)', () => {
      for (const { where, text } of prometheusConfigs) {
        const r = run(program('promtool'), ['check', 'config', '--syntax-only', write('prometheus.yaml', text)]);
        expect({ where, status: r.status, out: r.status === 0 ? '' : r.stdout + r.stderr }).toEqual({ where, status: 0, out: '' });
      }
    });
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
});

scenario('promtool', 'amtool')('the pinned checkers refuse what they claim to', () => {
  expect(run(program('promtool'), ['check', 'config', '--syntax-only', write('p.yaml', 'scrape_configs:\n  - job_name: a\n    scrape_interval: nonsense\n')]).status).not.toBe(0);
  expect(run(program('promtool'), ['check', 'rules', write('r.yaml', 'groups:\n  - name: g\n    rules:\n      - record: x\n        expr: sum(\n')]).status).not.toBe(0);
  expect(run(program('amtool'), ['check-config', write('a.yml', 'route:\n  receiver: missing\nreceivers:\n  - name: default\n')]).status).not.toBe(0);
});
