import { Construct } from 'constructs';
import { checkVolumeSize, checkWorkloadOptions } from '../core/check-options';
import { clusterDomainOf } from '../core/cluster-domain';
import { parseGoDuration } from '../core/duration';
import { Validator } from '../core/errors';
import { IMAGES, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { httpProbe } from '../core/pod';
import { dnsLabel, namespaceName } from '../core/rules';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { DashboardDefinition, DashboardProvider } from '../core/grafana-provisioning';
import { WebConfigFile, toolkitHttps } from '../core/serving-tls';

const PORT = 9091;
/** The image's working directory, owned by nobody: the persistence file goes on a volume there. */
const DATA_DIR = '/pushgateway';
const NOBODY = 65534;

/** Props of {@link Pushgateway}. */
export interface PushgatewayProps extends WorkloadOptions {
  readonly namespace: string;
  /** Name of its Services and StatefulSet. @default "pushgateway" */
  readonly name?: string;
  /** Size of the volume that keeps pushed metrics across restarts. @default "2Gi" */
  readonly storageSize?: string;
  /** @default the cluster default */
  readonly storageClass?: string;
  /**
   * How often pushed metrics are written to the volume (`--persistence.interval`); they are
   * written on shutdown too. A crash loses at most this much. @default "1m"
   */
  readonly persistenceInterval?: string;
  /** @default the chart's, else "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * The Prometheus Pushgateway, for batch and short-lived jobs that end before anyone scrapes them:
 * they push their last metrics, and the Pushgateway keeps them to be scraped.
 *
 * One pod on a volume: pushes through a Service spread over several pods would split each group
 * between them, and a scrape would see only one pod's share. Its scrape target keeps the pushed
 * `job` and `instance` labels (`honor_labels`); without them every pushed series would carry the
 * Pushgateway's own job and instance and lose the pusher's.
 */
export class Pushgateway extends Construct implements DashboardProvider {
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  /**
   * `http://<name>.<ns>.svc.<domain>:9091`: jobs push to `<pushUrl>/metrics/job/<job>`. With
   * serving TLS it is `https://`, and pushers trust the platform's CA.
   */
  readonly pushUrl: string;
  readonly scrapeTarget: ScrapeTarget;
  /** Seconds since each group's last push, and the Pushgateway's own load. */
  readonly dashboard: DashboardDefinition;

  constructor(scope: Construct, id: string, props: PushgatewayProps) {
    super(scope, id);
    const r = resolvePushgateway(this, props);
    const { name, interval } = r;
    validate(this, props, name, interval);
    this.identity = r.identity;
    const ports = [{ name: 'http', port: PORT }];
    createService(this, 'Service', { identity: this.identity, name, ports });
    createService(this, 'HeadlessService', { identity: this.identity, name: this.identity.headlessName, headless: true, ports });
    createServiceAccount(this, 'ServiceAccount', this.identity, name);
    const https = toolkitHttps(this, this.identity, { names: [name], headless: [this.identity.headlessName] });
    const scheme = https ? 'HTTPS' : 'HTTP';
    this.workload = new Workload(this, 'Workload', {
      kind: 'StatefulSet',
      identity: this.identity,
      replicas: 1,
      podIdentity: { runAsUser: NOBODY, runAsGroup: NOBODY, fsGroup: NOBODY },
      serviceAccountName: name,
      ...podOptions(props),
      volumeClaims: [{ name: 'data', size: r.storageSize, storageClass: props.storageClass }],
      volumes: https ? [...https.volumes] : undefined,
      configChecksums: https ? [https.webConfig.file.checksum] : undefined,
      // A lone pod: the rollout stops it first, and it writes its metrics to the volume on the way out.
      disruptionBudget: false,
      containers: [
        withOptions(props, {
          name: 'pushgateway',
          image: r.image,
          args: [
            `--web.listen-address=:${PORT}`,
            `--persistence.file=${DATA_DIR}/metrics.db`,
            `--persistence.interval=${interval}`,
            ...(https ? [`--web.config.file=${WebConfigFile.PATH}`] : []),
          ],
          ports: [{ name: 'http', containerPort: PORT }],
          volumeMounts: [{ name: 'data', mountPath: DATA_DIR }, ...(https?.mounts ?? [])],
          readinessProbe: httpProbe('/-/ready', 'http', { initialDelaySeconds: 5, scheme }),
          livenessProbe: httpProbe('/-/healthy', 'http', { initialDelaySeconds: 10, scheme }),
          defaultResources: r.defaultResources,
        }),
      ],
    });
    this.pushUrl = `${https ? 'https' : 'http'}://${this.identity.host()}:${PORT}`;
    this.scrapeTarget = srvScrapeTarget(name, 'http', this.identity.headlessHost, undefined, {
      honorLabels: true,
      https: https ? { certificateSecret: https.certificate.secretName } : undefined,
    });
    this.dashboard = pushgatewayDashboard(name);
  }

  dashboards(): DashboardDefinition[] {
    return [this.dashboard];
  }
}

/** Fills in every default, in one place. */
function resolvePushgateway(scope: Construct, props: PushgatewayProps) {
  const name = props.name ?? 'pushgateway';
  const image = props.image ?? IMAGES.pushgateway;
  return {
    name,
    image,
    identity: new ComponentIdentity({
      app: 'pushgateway',
      instance: name,
      component: 'gateway',
      namespace: props.namespace,
      version: imageVersion(image),
      clusterDomain: clusterDomainOf(scope, props.clusterDomain),
      namedByInstance: true,
    }),
    interval: props.persistenceInterval ?? '1m',
    storageSize: props.storageSize ?? '2Gi',
    defaultResources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  };
}

/** The Pushgateway's dashboard: how old each group's last push is, and what it receives. */
function pushgatewayDashboard(job: string): DashboardDefinition {
  return {
    uid: `${job}-overview`,
    title: 'Pushgateway',
    folder: 'platform',
    tags: ['pushgateway'],
    panels: [
      {
        title: 'Seconds since the last push, by group',
        description: 'A batch job that stopped pushing shows here as a line that keeps rising.',
        // push_time_seconds carries the pushers' labels (kept by honor_labels), not the gateway's job.
        queries: [{ expr: 'time() - max by (job, instance) (push_time_seconds)', legend: '{{job}} {{instance}}' }],
        unit: 's',
      },
      {
        title: 'Pushes per second, by method and code',
        queries: [{ expr: `sum by (method, code) (rate(pushgateway_http_requests_total{job="${job}", handler="push"}[5m]))`, legend: '{{method}} {{code}}' }],
        unit: 'reqps',
      },
    ],
  };
}

function validate(scope: Construct, props: PushgatewayProps, name: string, interval: string): void {
  const v = new Validator(scope);
  // `<name>-headless` must fit a DNS label.
  v.apply('name', name, dnsLabel(name, 63 - '-headless'.length));
  v.apply('namespace', props.namespace, namespaceName(props.namespace));
  checkVolumeSize(v, 'storageSize', props.storageSize);
  v.check(parseGoDuration(interval) !== undefined, 'persistenceInterval', interval, 'is not a Go duration', 'write it as "30s" or "1m"');
  checkWorkloadOptions(v, '', props, IMAGES.pushgateway);
  v.throwIfAny();
}
