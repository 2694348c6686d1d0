import { capacityRule } from './rules';

/** The units a planned figure is counted in. */
export type FigureUnit = 'cores' | 'bytes' | 'pods' | 'count' | 'MiB' | 'MB' | 'MB/s' | 'requests/month';

/** One number of a plan, with the rule it came from and how. */
export interface PlannedFigure {
  /** What it is, e.g. "CPU per pod". */
  readonly name: string;
  /** The number, in `unit`, already rounded to what the spec asks for and clamped to the rule's bounds. */
  readonly value: number;
  readonly unit: FigureUnit;
  /** Id of the rule in `CAPACITY_RULES` it was worked out with. */
  readonly rule: string;
  /** The arithmetic, in words, e.g. "2.4 TB/day × 4 cores per TB/day". */
  readonly basis: string;
  /** What the load asked for when the rule's ceiling cut it down: the plan falls short of it. @default not cut */
  readonly uncapped?: number;
}

/** A choice the plan made by a rule (a deployment mode), with why. */
export interface PlanDecision {
  /** What was chosen, e.g. "Loki runs distributed". */
  readonly what: string;
  /** Id of the rule whose threshold decided it. */
  readonly rule: string;
  /** Why, e.g. "2 TB/day is above 1 TB/day". */
  readonly because: string;
}

/**
 * A figure worked out through `ruleId`: `compute` gets the rule's value and returns the raw
 * number, which is rounded (to what a spec can say) and clamped to the rule's bounds. The one way
 * a plan makes a number, so that every number has a rule and stays inside its bounds.
 */
export function figure(
  ruleId: string,
  name: string,
  unit: FigureUnit,
  compute: (value: number) => number,
  basis: (value: number) => string,
  round: (n: number) => number = (n) => n,
): PlannedFigure {
  const rule = capacityRule(ruleId);
  const raw = compute(rule.value);
  if (!Number.isFinite(raw)) throw new Error(`rule "${ruleId}" gave ${raw} for ${name}`);
  const rounded = round(raw);
  const value = Math.min(rule.max ?? Infinity, Math.max(rule.min ?? -Infinity, rounded));
  const bound = rounded < value ? ", raised to the rule's floor" : rounded > value ? ", cut to the rule's ceiling" : '';
  return { name, value, unit, rule: ruleId, basis: `${basis(rule.value)}${bound}`, ...(rounded > value ? { uncapped: rounded } : {}) };
}
