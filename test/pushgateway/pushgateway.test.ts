import { App } from 'cdk8s';
import { parse } from 'yaml';
import { ObservabilityPlatform, PrometheusAgent, Pushgateway } from '../../lib';
import { Manifest, argsOf, dataOf, get, ofKind, synth, testChart } from '../support/synth';

describe('Pushgateway', () => {
  const chart = testChart('r.obs.svc.cluster.local');
  const gateway = new Pushgateway(chart, 'pg', { namespace: 'obs' });
  new PrometheusAgent(chart, 'agent', {
    namespace: 'obs',
    remoteWrite: [{ url: 'http://r.obs.svc.cluster.local:19291/api/v1/receive' }],
    scrapeTargets: [gateway.scrapeTarget],
  });
  const manifests = synth(chart);

  test('one pod that keeps pushed metrics on its volume, written every minute and on shutdown', () => {
    const sts = get(manifests, 'StatefulSet', 'pushgateway');
    expect(sts.spec.replicas).toBe(1);
    expect(argsOf(sts, 'pushgateway')).toEqual(['--web.listen-address=:9091', '--persistence.file=/pushgateway/metrics.db', '--persistence.interval=1m']);
    expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/pushgateway' });
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    // The image's user, so the volume (group-writable through fsGroup) takes the file.
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 65534, fsGroup: 65534, runAsNonRoot: true });
    expect(ofKind(manifests, 'PodDisruptionBudget').map((p) => p.metadata.name)).not.toContain('pushgateway');
  });

  test("jobs push to its Service; scrapers keep the pushers' job and instance labels", () => {
    expect(gateway.pushUrl).toBe('http://pushgateway.obs.svc.cluster.local:9091');
    expect(get(manifests, 'Service', 'pushgateway').spec.ports).toEqual([{ name: 'http', port: 9091, protocol: 'TCP', targetPort: 'http' }]);
    const config = parse(dataOf(get(manifests, 'ConfigMap', 'prometheus-agent-config'))['prometheus.yaml']);
    expect(config.scrape_configs.find((c: any) => c.job_name === 'pushgateway')).toEqual({
      job_name: 'pushgateway',
      honor_labels: true,
      dns_sd_configs: [{ names: ['_http._tcp.pushgateway-headless.obs.svc.cluster.local'], type: 'SRV' }],
    });
  });

  test.each([
    [{ persistenceInterval: '1d' }, 'persistenceInterval = "1d": is not a Go duration. Fix: write it as "30s" or "1m".'],
    [{ name: 'Push_Gateway' }, 'name = "Push_Gateway"'],
    [{ storageSize: '2 GB' }, 'storageSize = "2 GB"'],
  ])('%j is refused', (props, message) => {
    expect(() => new Pushgateway(testChart(), 'pg', { namespace: 'obs', ...props })).toThrow(message);
  });
});

describe('Pushgateway in the platform', () => {
  const platform = (spec = {}) => {
    const chart = new ObservabilityPlatform(new App(), 'platform', spec);
    return { chart, manifests: chart.toJson() as Manifest[] };
  };

  test("off by default; on, scraped by the platform's own agents with honor_labels and shown on a dashboard", () => {
    expect(platform().manifests.filter((m) => m.metadata.name.startsWith('pushgateway'))).toEqual([]);
    const { chart, manifests } = platform({ pushgateway: {} });
    expect(chart.scrapeTargets.find((t) => t.job === 'pushgateway')?.honorLabels).toBe(true);
    const agent = parse(dataOf(get(manifests, 'ConfigMap', 'prometheus-agent-config'))['prometheus.yaml']);
    expect(agent.scrape_configs.find((c: any) => c.job_name === 'pushgateway')?.honor_labels).toBe(true);
    const dashboards = Object.values(dataOf(get(manifests, 'ConfigMap', 'grafana-dashboards-platform'))).map((d) => JSON.parse(d as string));
    const pushgateway = dashboards.find((d) => d.uid === 'pushgateway-overview');
    expect(pushgateway.panels.map((p: any) => p.targets[0].expr)).toContain('time() - max by (job, instance) (push_time_seconds)');
  });

  test('the dev profile gives it a small volume, and never turns it on', () => {
    expect(
      get(platform({ profile: 'dev', pushgateway: {} }).manifests, 'StatefulSet', 'pushgateway').spec.volumeClaimTemplates[0].spec.resources.requests.storage,
    ).toBe('1Gi');
    expect(platform({ profile: 'dev' }).manifests.filter((m) => m.metadata.name.startsWith('pushgateway'))).toEqual([]);
  });
});
