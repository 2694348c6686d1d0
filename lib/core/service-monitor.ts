import { Construct } from 'constructs';
import {
  ServiceMonitor,
  ServiceMonitorSpecEndpointsRelabelingsAction,
  ServiceMonitorSpecEndpointsScheme,
} from '../../imports/servicemonitor-monitoring.coreos.com';
import { Validator } from './errors';
import { LABELS, MANAGED_BY } from './names';
import { ScrapeTarget } from './scrape-target';
import { SERVICE_NAME_LABEL } from './service';

/**
 * One prometheus-operator ServiceMonitor per scrape target, selecting exactly the target's
 * headless Service by its name label. The `job` label is set to the target's job, so series
 * carry the same job whether the platform's own pipeline or a prometheus-operator scrapes them,
 * and the same dashboards work for both.
 */
export function emitServiceMonitors(
  scope: Construct,
  targets: readonly ScrapeTarget[],
  interval: string,
  labels: Readonly<Record<string, string>> = {},
): ServiceMonitor[] {
  const v = new Validator(scope);
  for (const t of targets.filter((x) => x.basicAuth && !x.basicAuth.usernameKey)) {
    v.check(
      false,
      'serviceMonitors',
      t.job,
      `requires a login on its metrics, and a ServiceMonitor takes the user name only from a Secret, which the credential of ${t.basicAuth!.username} does not name`,
      `put the user name into Secret "${t.basicAuth!.passwordSecret.name}" too and name its key as the credential's usernameKey (for Alertmanager: webAuth.sender.usernameKey)`,
    );
  }
  v.throwIfAny();
  return targets
    .filter((t) => t.service !== undefined)
    .map(
      (t) =>
        new ServiceMonitor(scope, `ServiceMonitor-${t.job}`, {
          metadata: {
            name: t.job,
            namespace: t.service!.namespace,
            labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.partOf]: 'observability-platform', ...labels },
          },
          spec: {
            selector: { matchLabels: { [SERVICE_NAME_LABEL]: t.service!.name } },
            namespaceSelector: { matchNames: [t.service!.namespace] },
            endpoints: [
              {
                port: t.service!.port,
                path: t.metricsPath ?? '/metrics',
                interval,
                ...(t.honorLabels ? { honorLabels: true } : {}),
                // The operator scrapes pod addresses, which no certificate names: check the Service's name instead.
                ...(t.https
                  ? {
                      scheme: ServiceMonitorSpecEndpointsScheme.HTTPS,
                      tlsConfig: {
                        ca: { secret: { name: t.https.certificateSecret, key: 'ca.crt' } },
                        serverName: `${t.service!.name}.${t.service!.namespace}.svc`,
                      },
                    }
                  : {}),
                ...(t.basicAuth
                  ? {
                      basicAuth: {
                        username: { name: t.basicAuth.passwordSecret.name, key: t.basicAuth.usernameKey! },
                        password: { name: t.basicAuth.passwordSecret.name, key: t.basicAuth.passwordSecret.key },
                      },
                    }
                  : {}),
                relabelings: [{ action: ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE, targetLabel: 'job', replacement: t.job }],
              },
            ],
          },
        }),
    );
}
