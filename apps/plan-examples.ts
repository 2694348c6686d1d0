import { join } from 'node:path';
import { PlatformLoad, PlatformSpec, planPlatform } from '../lib';
import { writePlanFiles } from './plan-command';

/**
 * The three loads whose plans are committed under `examples/plans/`, and the spec they start from:
 * objects in S3 with a role per component (replace the account, the OIDC provider and the prefix
 * with yours). `npm run --silent plan:examples` writes them again; a test fails when they differ.
 */
export const PLAN_EXAMPLES: Readonly<Record<'small' | 'medium' | 'large', PlatformLoad>> = {
  // A team's cluster: tens of nodes.
  small: {
    logs: { gbPerDay: 10, linesPerSecond: 500 },
    metrics: { activeSeries: 100_000 },
    traces: { spansPerSecond: 200 },
    queriesPerSecond: 1,
    retentionDays: { logs: 14, metrics: 30, traces: 7 },
    zones: 3,
  },
  // A company's production: a few hundred nodes.
  medium: {
    logs: { gbPerDay: 200, linesPerSecond: 10_000 },
    metrics: { activeSeries: 2_000_000, samplesPerSecond: 70_000 },
    traces: { spansPerSecond: 5_000 },
    queriesPerSecond: { logs: 2, metrics: 5, traces: 1 },
    retentionDays: { logs: 30, metrics: 90, traces: 14 },
    zones: 3,
  },
  // Many clusters into one platform. VictoriaMetrics: Thanos receive would need about 800 GiB of
  // TSDB head for 20M series × 3 copies, and over 3 zones it may run only 3 pods.
  large: {
    logs: { gbPerDay: 2_000, linesPerSecond: 100_000 },
    metrics: { activeSeries: 20_000_000 },
    traces: { spansPerSecond: 50_000, averageSpanBytes: 800 },
    queriesPerSecond: { logs: 10, metrics: 20, traces: 5 },
    retentionDays: { logs: 30, metrics: 90, traces: 14 },
    zones: 3,
    metricsBackend: 'victoriametrics',
  },
};

/** What every example plan starts from: S3 through IRSA roles, in the price table's region. */
export const PLAN_EXAMPLE_BASE: PlatformSpec = {
  aws: {
    accountId: '111122223333',
    region: 'us-east-1',
    namePrefix: 'acme-obs',
    identity: { type: 'irsa', oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE' },
  },
};

/** Where the example plans are committed, from the repository root. */
export const PLAN_EXAMPLES_DIR = join('examples', 'plans');

if (require.main === module) {
  // Compiled to build/apps: the repository root is two folders up.
  const root = join(__dirname, '..', '..');
  for (const [name, load] of Object.entries(PLAN_EXAMPLES))
    writePlanFiles(join(root, PLAN_EXAMPLES_DIR, name), planPlatform(load, { base: PLAN_EXAMPLE_BASE }));
}
