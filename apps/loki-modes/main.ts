import { App, Chart } from 'cdk8s';
import { LokiCluster, LokiClusterProps, LokiMode, Minio, RestrictedNamespace, acknowledgeWarning } from '../../lib';

/** The Loki of one mode on its own MinIO, as a logging team runs it: the same tenants, storage and endpoints in every mode. */
export function lokiOfMode(app: App, id: string, props: Partial<LokiClusterProps>): LokiCluster {
  const chart = new Chart(app, id, { disableResourceNameHashes: true });
  const namespace = 'logging';
  new RestrictedNamespace(chart, 'namespace', namespace);
  const minio = new Minio(chart, 'minio', { namespace });
  const loki = new LokiCluster(chart, 'loki', {
    namespace,
    storage: minio,
    tenants: [
      {
        id: 'team-a',
        limits: { ingestionRateMb: 10 },
        // Rules as code: recorded per app from the pods' logs, read by the ruler from a ConfigMap.
        ruleGroups: [{ name: 'errors', rules: [{ record: 'app:log_error_lines:rate5m', expr: 'sum by (app) (rate({namespace="shop"} |= "error" [5m]))' }] }],
      },
      { id: 'team-b' },
    ],
    ...props,
  });
  acknowledgeWarning(loki, 'alerts-go-nowhere', 'the logging team reads its logs in Grafana and alerts elsewhere: no Alertmanager in this scenario');
  return loki;
}

/**
 * Loki's deployment modes beyond Simple Scalable, one chart each: HA monolithic (three
 * `-target=all` pods, one of them the main compactor) and distributed (every component apart).
 */
export function lokiModes(app: App): void {
  const modes: LokiMode[] = ['ha-monolithic', 'distributed'];
  for (const mode of modes) lokiOfMode(app, `loki-${mode}`, { mode });
}

if (require.main === module) {
  const app = new App();
  lokiModes(app);
  app.synth();
}
