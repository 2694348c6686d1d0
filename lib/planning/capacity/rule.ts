/** Where a sizing figure comes from: a page a reader can open. */
export interface RuleSource {
  /** The page's title, or what it is. */
  readonly title: string;
  /** Its address. */
  readonly url: string;
}

/**
 * One sizing rule: a figure of upstream's (or, where upstream gives none, of ours) and the bounds
 * of what is computed with it. Every figure of a plan is worked out through one rule and clamped
 * to that rule's bounds, so a plan can always say where each number came from.
 */
export interface CapacityRule {
  /** Stable id, e.g. `thanos.receive.memory`; figures name their rule by it. */
  readonly id: string;
  /** The component it sizes, e.g. `thanos-receive`. */
  readonly component: string;
  /** What the value is, in words, e.g. "memory per 300,000 series in memory". */
  readonly what: string;
  /** The figure itself, in `unit`. */
  readonly value: number;
  /** The unit of `value`, e.g. "GB per 300,000 series". */
  readonly unit: string;
  /** The least a figure computed with the rule may be, in the figure's own unit. @default no lower bound */
  readonly min?: number;
  /** The most a figure computed with the rule may be, in the figure's own unit. @default no upper bound */
  readonly max?: number;
  /** Where the figure comes from. */
  readonly source: RuleSource;
  /** Why it applies, how it is used, and what upstream's text does or does not say. */
  readonly note: string;
  /** The figure is our engineering judgment (a headroom factor, a value upstream does not publish), not upstream's. */
  readonly judgment: boolean;
}
