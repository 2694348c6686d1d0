/**
 * What the upgrade planner says about one change between two outputs of the same cluster, and
 * the plan it gives for all of them.
 */

/**
 * How a change lands when the new output is applied on top of the old one, worst first:
 * - `refused`: the API server rejects the apply (an immutable field changed);
 * - `data-at-risk`: it applies, and stored data can be lost or stop being served;
 * - `disruptive`: it applies, and pods restart or traffic moves;
 * - `safe`: it applies with nothing restarted and nothing stored touched.
 */
export type ChangeClass = 'refused' | 'data-at-risk' | 'disruptive' | 'safe';

/** The classes worst first: the order of a report, and what `worstClass` compares by. */
export const CHANGE_CLASSES: readonly ChangeClass[] = ['refused', 'data-at-risk', 'disruptive', 'safe'];

/** The object a change is about. */
export interface ObjectRef {
  readonly kind: string;
  readonly name: string;
  /** @default cluster-scoped */
  readonly namespace?: string;
}

/** One classified change. */
export interface PlannedChange {
  readonly class: ChangeClass;
  readonly object: ObjectRef;
  /** What changed, e.g. `spec.replicas 3 → 2` or `created`. */
  readonly change: string;
  /** Why it lands in its class: what the API server or the program does with it. */
  readonly why: string;
  /** For a change that is not safe: the commands or actions that make it safe, in order. @default none */
  readonly steps?: readonly string[];
}

/** A step of the rollout order: the workloads to let finish before the next step starts. */
export interface RolloutStep {
  readonly workloads: readonly ObjectRef[];
  /** The label selectors that pick exactly these workloads out of the output, for a staged `kubectl apply -l`. */
  readonly selectors: readonly string[];
  /** Why this step comes where it does. */
  readonly reason: string;
}

/** Every change between two outputs of one cluster, and how to roll out the disruptive ones. */
export interface UpgradePlan {
  readonly changes: readonly PlannedChange[];
  /** The workloads that restart, grouped in the order to roll them out. Empty when none restarts. */
  readonly rollout: readonly RolloutStep[];
}

/** `Kind namespace/name`, the way a report names an object. */
export function describeObject(o: ObjectRef): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** The worst class among `changes`, or undefined for none. */
export function worstClass(changes: readonly PlannedChange[]): ChangeClass | undefined {
  return CHANGE_CLASSES.find((c) => changes.some((x) => x.class === c));
}

/** Whether the plan must stop a pipeline: something the API server refuses or that puts data at risk. */
export function blocksApply(plan: UpgradePlan): boolean {
  return plan.changes.some((c) => c.class === 'refused' || c.class === 'data-at-risk');
}
