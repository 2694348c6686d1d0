import { DashboardDefinition, PLATFORM_FOLDER as FOLDER, rateBy as rate } from '../../core/grafana-provisioning';
import { jobMatcher } from '../../core/promql-jobs';

/**
 * The dashboards the library ships are written here and in each component's folder (its own
 * dashboard, next to the metrics it knows), never copied from upstream mixins, which need their
 * own recording rules and label scheme. Each takes the scrape jobs of what it shows, so its
 * queries select exactly the series the platform's pipeline collects.
 */

/** Health of every scraped job: targets up, scrape time, memory and CPU per job. */
export function overviewDashboard(jobs: readonly string[]): DashboardDefinition {
  return {
    uid: 'platform-overview',
    title: 'Platform / Overview',
    folder: FOLDER,
    tags: ['platform'],
    panels: [
      { title: 'Targets up', unit: 'short', queries: [{ expr: `sum by (job) (up{${jobMatcher(jobs)}})`, legend: '{{job}}' }] },
      { title: 'Targets down', unit: 'short', queries: [{ expr: `count by (job) (up{${jobMatcher(jobs)}} == 0)`, legend: '{{job}}' }] },
      { title: 'Scrape duration', unit: 's', queries: [{ expr: `max by (job) (scrape_duration_seconds{${jobMatcher(jobs)}})`, legend: '{{job}}' }] },
      { title: 'Resident memory', unit: 'bytes', queries: [{ expr: `sum by (job) (process_resident_memory_bytes{${jobMatcher(jobs)}})`, legend: '{{job}}' }] },
      { title: 'CPU', unit: 'short', queries: [{ expr: rate('process_cpu_seconds_total', jobs, 'job'), legend: '{{job}}' }] },
    ],
  };
}
