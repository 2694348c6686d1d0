import { PlatformLoad } from '../../lib';

/** No load at all: every figure at its rule's floor. */
export const TINY: PlatformLoad = {
  logs: { gbPerDay: 0, linesPerSecond: 0 },
  metrics: { activeSeries: 0, samplesPerSecond: 0 },
  traces: { spansPerSecond: 0 },
  queriesPerSecond: 0,
  retentionDays: { logs: 1, metrics: 2, traces: 1 },
};

/** Far past any rule's ceiling: every bounded figure at its ceiling. */
export const HUGE: PlatformLoad = {
  logs: { gbPerDay: 1_000_000, linesPerSecond: 1e8 },
  metrics: { activeSeries: 1e10, samplesPerSecond: 1e9 },
  traces: { spansPerSecond: 1e8 },
  queriesPerSecond: 1e5,
  retentionDays: { logs: 365, metrics: 365, traces: 365 },
};

/** A middling load the monotonicity grid varies one dimension of at a time. */
export const MIDDLE: PlatformLoad = {
  logs: { gbPerDay: 200, linesPerSecond: 10_000 },
  metrics: { activeSeries: 1_000_000, samplesPerSecond: 35_000 },
  traces: { spansPerSecond: 5_000, averageSpanBytes: 500 },
  queriesPerSecond: { logs: 2, metrics: 5, traces: 1 },
  retentionDays: { logs: 30, metrics: 90, traces: 14 },
};
