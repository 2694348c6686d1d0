import { CapacityRule } from './rule';
import { LOKI_RULES } from './rules-logs';
import { METRICS_RULES } from './rules-metrics';
import { PLATFORM_RULES } from './rules-platform';
import { TRACES_RULES } from './rules-traces';

/**
 * Every rule the capacity planner sizes with, each with its source. The plan's figures name their
 * rule by id; a figure no rule explains does not exist.
 */
export const CAPACITY_RULES: readonly CapacityRule[] = [...LOKI_RULES, ...METRICS_RULES, ...TRACES_RULES, ...PLATFORM_RULES];

const BY_ID = new Map(CAPACITY_RULES.map((r) => [r.id, r]));

/** The rule with `id`; throws for an id the table does not have (a bug of the planner, not of the input). */
export function capacityRule(id: string): CapacityRule {
  const rule = BY_ID.get(id);
  if (!rule) throw new Error(`the capacity planner has no rule "${id}"`);
  return rule;
}
