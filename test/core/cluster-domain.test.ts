import { App, Chart } from 'cdk8s';
import { APPS } from '../../apps';
import { Minio, ObservabilityPlatform, ThanosCluster } from '../../lib';
import { CLUSTER_DOMAIN_CONTEXT, clusterDomainOf, setClusterDomain } from '../../lib/core/cluster-domain';
import { externalReferences } from '../../lib/core/external';
import { dnsProblems } from '../support/cross-refs';
import { Manifest } from '../support/synth';

const DOMAIN = 'corp.example';

describe('the cluster domain, set once for a whole app', () => {
  test.each(Object.keys(APPS))('%s: every address ends in it, and each still names a Service of the output', (name) => {
    const app = new App({ outdir: '/nonexistent' });
    setClusterDomain(app, DOMAIN);
    APPS[name](app);
    const manifests = app.charts.flatMap((c) => c.toJson()) as Manifest[];
    const text = JSON.stringify(manifests);
    expect(text.match(/[\w.-]*cluster\.local[\w:.-]*/g) ?? []).toEqual([]);
    expect(text).toContain(`.svc.${DOMAIN}`);
    expect(dnsProblems(manifests, externalReferences(app), DOMAIN)).toEqual([]);
  });

  test('the platform spec sets it for the platform chart', () => {
    const platform = new ObservabilityPlatform(new App(), 'platform', { clusterDomain: DOMAIN });
    const text = JSON.stringify(platform.toJson());
    expect(text.match(/[\w.-]*cluster\.local[\w:.-]*/g) ?? []).toEqual([]);
    expect(platform.loki.pushUrl).toBe(`http://loki-gateway.observability.svc.${DOMAIN}/loki/api/v1/push`);
  });

  test("a component's own clusterDomain wins over its chart's", () => {
    const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
    setClusterDomain(chart, DOMAIN);
    const minio = new Minio(chart, 'minio', { namespace: 'obs' });
    const thanos = new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: minio, clusterDomain: 'edge.internal' });
    expect(minio.endpoint).toBe(`minio.obs.svc.${DOMAIN}:9000`);
    expect(thanos.queryUrl).toBe('http://thanos-query-frontend.obs.svc.edge.internal:10902');
    expect(clusterDomainOf(new Chart(new App(), 'other'))).toBe('cluster.local');
  });

  test('is refused when it is no DNS domain, or set after constructs were added', () => {
    expect(() => setClusterDomain(new App(), 'Corp_Example')).toThrow(
      'clusterDomain = "Corp_Example": is not a DNS domain. Fix: use the cluster\'s DNS domain, e.g. "cluster.local"',
    );
    const chart = new Chart(new App(), 'late');
    new Minio(chart, 'minio', { namespace: 'obs' });
    expect(() => chart.node.setContext(CLUSTER_DOMAIN_CONTEXT, DOMAIN)).toThrow();
  });
});
