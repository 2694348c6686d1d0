import { App } from 'cdk8s';
import { ObservabilityPlatform, planPlatform } from '@obs-platform/constructs';

// How big must the platform be for this load, and what will it cost? Every figure of the plan
// names the upstream sizing rule it comes from; the cost is read from the spec as synthesized.
const plan = planPlatform(
  {
    logs: { gbPerDay: 500, linesPerSecond: 50_000 },
    metrics: { activeSeries: 2_000_000, samplesPerSecond: 70_000 },
    traces: { spansPerSecond: 10_000 },
    queriesPerSecond: 5,
    retentionDays: { logs: 30, metrics: 90, traces: 14 },
    zones: 3,
  },
  {
    // What is not about size comes from a spec of yours: here, where alerts go.
    base: {
      alertmanager: {
        secretFiles: { secretName: 'alertmanager-receivers' },
        config: {
          route: { receiver: 'on-call' },
          receivers: [{ name: 'on-call', webhook_configs: [{ url_file: '/etc/alertmanager/secrets/on-call-url' }] }],
        },
      },
    },
  },
);
// capacityReportMarkdown(plan) and capacityChartSvg(plan) give the report and its chart.
console.error(`${plan.totals.pods} pods, ${Math.round(plan.totals.cost.total)} USD a month`);

// The planned spec is a whole platform spec: synthesize it as it is.
const app = new App();
new ObservabilityPlatform(app, 'platform', plan.spec);
app.synth();
