import type { PlatformSpec } from '../../platform/spec';
import { PlanDecision, PlannedFigure } from './figure';
import { SizedWorkload } from './workload';

/** Figures of a component that are not pod sizes (cache sizes, limits, partitions). */
export interface ComponentFigures {
  /** The workload they belong to, e.g. `loki-chunks-cache`. */
  readonly component: string;
  readonly figures: readonly PlannedFigure[];
}

/** What one signal's planner gives: its sized workloads, other figures, choices, and its part of the spec. */
export interface SignalPlan {
  readonly workloads: readonly SizedWorkload[];
  readonly figures: readonly ComponentFigures[];
  readonly decisions: readonly PlanDecision[];
  readonly spec: PlatformSpec;
}

/** Every warning of a signal's sized workloads. */
export function warningsOf(plan: SignalPlan): string[] {
  return plan.workloads.flatMap((w) => w.warnings);
}
