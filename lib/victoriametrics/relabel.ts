import { Validator } from '../core/errors';

/** One relabeling rule in Prometheus' format, which vmagent reads (with its own extra actions). */
export type RelabelConfig = Readonly<Record<string, unknown>>;

/** The actions vmagent v1.151 accepts (docs/victoriametrics/relabeling.md). */
const ACTIONS = [
  'replace',
  'replace_all',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'keep_if_equal',
  'drop_if_equal',
  'keep_if_contains',
  'drop_if_contains',
  'keep_metrics',
  'drop_metrics',
  'hashmod',
  'labelmap',
  'labelmap_all',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
  'graphite',
];

/** Checks what can be checked before vmagent reads the rules: each is an object with a known action. */
export function checkRelabelConfigs(v: Validator, property: string, configs: readonly RelabelConfig[]): void {
  configs.forEach((rule, i) => {
    if (
      !v.check(
        typeof rule === 'object' && rule !== null && !Array.isArray(rule),
        `${property}[${i}]`,
        rule,
        'is not a relabeling rule object',
        'write it as { action: "drop", source_labels: [...], regex: "..." }',
      )
    )
      return;
    const action = rule.action ?? 'replace';
    v.check(
      typeof action === 'string' && ACTIONS.includes(action),
      `${property}[${i}].action`,
      action,
      'is not a relabeling action vmagent knows',
      `use one of ${ACTIONS.join(', ')}`,
    );
  });
}
