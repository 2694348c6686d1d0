import { renderYaml } from './config-file';
import { parseDuration } from './duration';
import { Validator } from './errors';

/** A recording rule: `expr` evaluated and stored as the series `record`. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** An alerting rule: fires `alert` when `expr` returns series for `for`. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold. @default fire at once */
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A Prometheus rule group, the unit Prometheus, Thanos Ruler and vmalert evaluate. */
export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval of this group. @default the evaluator's global interval */
  readonly interval?: string;
  readonly rules: ReadonlyArray<RecordingRule | AlertingRule>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** The rules file format (`groups:`), as `promtool check rules` reads it. */
export function renderRuleFile(groups: readonly RuleGroup[]): string {
  return renderYaml({ groups });
}

/** Checks what can be checked without a PromQL parser; `promtool check rules` in the tests does the rest. */
export function checkRuleGroups(v: Validator, property: string, groups: readonly RuleGroup[]): void {
  const names = new Set<string>();
  groups.forEach((group, i) => {
    const at = `${property}[${i}]`;
    v.check(group.name.trim() !== '' && !names.has(group.name), `${at}.name`, group.name, 'is empty or names two groups', 'give every group its own name');
    names.add(group.name);
    if (group.interval !== undefined)
      v.check(parseDuration(group.interval) !== undefined, `${at}.interval`, group.interval, 'is not a duration', 'write it as "1m" or "30s"');
    v.check(group.rules.length > 0, `${at}.rules`, [], 'is empty', 'add a rule or remove the group');
    group.rules.forEach((rule, j) => {
      const ruleAt = `${at}.rules[${j}]`;
      const name = 'record' in rule ? rule.record : rule.alert;
      if ('record' in rule)
        v.check(
          METRIC_NAME.test(rule.record),
          `${ruleAt}.record`,
          rule.record,
          'is not a metric name',
          'use letters, digits, "_" and ":", e.g. "job:http_requests:rate5m"',
        );
      else v.check(name.trim() !== '', `${ruleAt}.alert`, name, 'is empty', 'name the alert');
      v.check(rule.expr.trim() !== '', `${ruleAt}.expr`, rule.expr, 'is empty', 'give a PromQL expression');
      if ('alert' in rule && rule.for !== undefined)
        v.check(parseDuration(rule.for) !== undefined, `${ruleAt}.for`, rule.for, 'is not a duration', 'write it as "5m"');
    });
  });
}
