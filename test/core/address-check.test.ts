import { App, Chart } from 'cdk8s';
import { ThanosCluster, Minio, Promtail, ValidationError, VmAgent, declareExternalService } from '../../lib';
import { k8s } from '../../lib/core/k8s';
import { setClusterDomain } from '../../lib/core/cluster-domain';
import { Manifest, synth, testChart } from '../support/synth';

/** The ValidationError a synth of `chart` throws, as problems; none when it synthesizes. */
function problemsOf(chart: Chart): Array<{ path: string; property: string; value: unknown; problem: string; fix: string }> {
  try {
    chart.toJson();
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map((p) => ({ ...p, value: p.value }));
    throw e;
  }
}

/** A problem of the address check: its property is where in a workload's configuration the address is. */
const isAddressProblem = (p: { property: string }) => /^(container|ConfigMap|Secret) /.test(p.property);

const PUSH = 'http://loki-gateway.obs.svc.cluster.local/loki/api/v1/push';

describe('a connection to nothing is refused at synth', () => {
  test('an address that names no Service of the app: the construct, where it is, the address and a fix to paste', () => {
    const chart = testChart();
    new Promtail(chart, 'promtail', { namespace: 'obs', loki: { pushUrl: PUSH } });
    expect(problemsOf(chart)).toEqual([
      {
        path: 'test/promtail',
        property: 'ConfigMap promtail-agent-config key promtail.yaml',
        value: 'loki-gateway.obs.svc.cluster.local',
        problem: 'names Service obs/loki-gateway, which is not in the output',
        fix: expect.stringContaining("declareExternalService(scope, 'loki-gateway.obs.svc.cluster.local', '<what it is for>')"),
      },
    ]);
  });

  test('declaring the Service as run by the user, with the fix the message gives, makes it synthesize', () => {
    const chart = testChart();
    declareExternalService(chart, PUSH, 'the Loki of another cluster app');
    new Promtail(chart, 'promtail', { namespace: 'obs', loki: { pushUrl: PUSH } });
    expect(problemsOf(chart)).toEqual([]);
  });

  test('a Service that exists, on a port it does not serve', () => {
    const chart = testChart();
    const thanos = new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: new Minio(chart, 'minio', { namespace: 'obs' }) });
    const wrongPort = thanos.remoteWriteTarget().url.replace(':19291', ':19292');
    new VmAgent(chart, 'agent', { namespace: 'obs', remoteWrite: [{ url: wrongPort }] });
    expect(problemsOf(chart).map((p) => [p.path, p.value, p.problem])).toEqual([
      ['test/agent', 'thanos-receive.obs.svc.cluster.local:19292', 'uses port 19292, which Service thanos-receive does not serve'],
    ]);
  });

  test('the same address written with the right port resolves, whichever was built first', () => {
    const chart = testChart();
    new VmAgent(chart, 'agent', { namespace: 'obs', remoteWrite: [{ url: 'http://thanos-receive.obs.svc.cluster.local:19291/api/v1/receive' }] });
    new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: new Minio(chart, 'minio', { namespace: 'obs' }) });
    // (The ruler's rules are refused for want of the Thanos jobs, which this agent does not scrape: another check.)
    expect(problemsOf(chart).filter(isAddressProblem)).toEqual([]);
    expect(problemsOf(chart).map((p) => p.property)).toEqual(['ruleGroups']);
  });

  test('a peer in another chart of the same app resolves: the check sees the whole app', () => {
    const app = new App({ outdir: '/nonexistent' });
    const storage = new Chart(app, 'storage', { disableResourceNameHashes: true });
    const agents = new Chart(app, 'agents', { disableResourceNameHashes: true });
    const thanos = new ThanosCluster(storage, 'thanos', { namespace: 'obs', storage: new Minio(storage, 'minio', { namespace: 'obs' }) });
    new VmAgent(agents, 'agent', { namespace: 'agents', remoteWrite: [thanos.remoteWriteTarget()], scrapeTargets: thanos.scrapeTargets });
    expect(problemsOf(agents)).toEqual([]);
  });

  test("the user's own objects are theirs: only the library's workloads are checked", () => {
    const chart = testChart();
    new k8s.KubeConfigMap(chart, 'mine', { metadata: { name: 'mine', namespace: 'obs' }, data: { url: 'http://nowhere.else.svc:80' } });
    new k8s.KubeDeployment(chart, 'app', {
      metadata: { name: 'app', namespace: 'obs' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x', args: ['--peer=nowhere.else.svc:80'] }] } },
      },
    });
    expect((synth(chart) as Manifest[]).length).toBe(2);
  });

  test('a Service the user makes in the same app counts too, with its own ports', () => {
    const chart = testChart();
    new k8s.KubeService(chart, 'pg', { metadata: { name: 'pg', namespace: 'db' }, spec: { ports: [{ port: 5432 }] } });
    new VmAgent(chart, 'agent', { namespace: 'obs', remoteWrite: [{ url: 'http://pg.db.svc:5432/write' }] });
    expect(problemsOf(chart)).toEqual([]);
    const wrong = testChart();
    new k8s.KubeService(wrong, 'pg', { metadata: { name: 'pg', namespace: 'db' }, spec: { ports: [{ port: 5432 }] } });
    new VmAgent(wrong, 'agent', { namespace: 'obs', remoteWrite: [{ url: 'http://pg.db.svc:5433/write' }] });
    expect(problemsOf(wrong).map((p) => p.problem)).toEqual(['uses port 5433, which Service pg does not serve']);
  });

  test('an address given in extraArgs is read too, beside workloads whose flags are computed at synth', () => {
    // The Thanos query lists its replica labels from writers made after it: flags produced at synth, read without a synth.
    const chart = testChart();
    const thanos = new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: new Minio(chart, 'minio', { namespace: 'obs' }) });
    new VmAgent(chart, 'agent', {
      namespace: 'obs',
      remoteWrite: [thanos.remoteWriteTarget()],
      scrapeTargets: thanos.scrapeTargets,
      extraArgs: ['-remoteWrite.url=http://gone.obs.svc:1/x'],
    });
    expect(problemsOf(chart).map((p) => [p.path, p.value])).toEqual([['test/agent', 'gone.obs.svc:1']]);
  });

  test('declareExternalService refuses text that names no in-cluster Service', () => {
    expect(() => declareExternalService(testChart(), 'https://loki.example.com', 'Loki')).toThrow(
      '[test] address = "https://loki.example.com": names no in-cluster Service',
    );
  });
});

describe('the address check under a cluster domain of its own', () => {
  test("an address under the chart's domain is read, whichever domain the component's identity has", () => {
    const app = new App({ outdir: '/nonexistent' });
    setClusterDomain(app, 'corp.example');
    const chart = new Chart(app, 'test', { disableResourceNameHashes: true });
    new Promtail(chart, 'promtail', { namespace: 'obs', loki: { pushUrl: 'http://loki-gateway.obs.svc.corp.example/loki/api/v1/push' } });
    expect(problemsOf(chart).map((p) => [p.value, p.problem])).toEqual([
      ['loki-gateway.obs.svc.corp.example', 'names Service obs/loki-gateway, which is not in the output'],
    ]);
  });
});
