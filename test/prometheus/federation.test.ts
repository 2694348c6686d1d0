import { parse } from 'yaml';
import { failure } from '../support/failure';
import { PrometheusFederation, PrometheusServer, setServingTls } from '../../lib';
import { warningsOf } from '../../lib/core/warnings';
import { dataOf, get, synth, synthApp, testChart } from '../support/synth';

/** A global server federating the given sources, and an edge pair to federate from; the global config. */
function federating(federate: (edge: PrometheusServer) => PrometheusFederation[], tls = false, ...peers: string[]) {
  const chart = testChart(...peers);
  if (tls) setServingTls(chart, { issuer: { name: 'platform-ca' } });
  const edge = new PrometheusServer(chart, 'edge', { namespace: 'obs', name: 'edge', replicas: 2 });
  new PrometheusServer(chart, 'global', { namespace: 'obs', name: 'global', replicas: 1, federate: federate(edge) });
  const manifests = synth(chart);
  const config = parse(dataOf(get(manifests, 'ConfigMap', 'global-server-config'))['prometheus.yaml']);
  return { chart, manifests, config, job: (name: string) => config.scrape_configs.find((j: any) => j.job_name === name) };
}

describe('Prometheus federation', () => {
  const { job, manifests, chart } = federating((edge) => [
    { job: 'federate-edge', from: edge.federationEndpoint(), match: ['{__name__=~"job:.*"}', 'up{job="edge-server"}'] },
  ]);
  const federation = job('federate-edge');

  test("pulls /federate of one edge pod with the selectors as match[], keeping the series' own labels", () => {
    expect(federation).toMatchObject({
      honor_labels: true,
      metrics_path: '/federate',
      params: { 'match[]': ['{__name__=~"job:.*"}', 'up{job="edge-server"}'] },
      static_configs: [{ targets: ['edge-server-0.edge-server-headless.obs.svc.cluster.local:9090'] }],
    });
  });

  test('pulls once a minute by default, within a timeout Prometheus accepts', () => {
    expect(federation).toMatchObject({ scrape_interval: '1m', scrape_timeout: '50s' });
    const short = federating((edge) => [{ job: 'f', from: edge.federationEndpoint(), match: ['up'], scrapeInterval: '30s' }]).job('f');
    expect(short).toMatchObject({ scrape_interval: '30s', scrape_timeout: '30s' });
  });

  test('one pod of an HA edge pair, the one asked for: both would count every series twice', () => {
    const second = federating((edge) => [{ job: 'f', from: edge.federationEndpoint(1), match: ['up'] }]).job('f');
    expect(second.static_configs).toEqual([{ targets: ['edge-server-1.edge-server-headless.obs.svc.cluster.local:9090'] }]);
    expect(failure(() => federating((edge) => [{ job: 'f', from: edge.federationEndpoint(2), match: ['up'] }]))).toMatch(
      /federationEndpoint\(ordinal\) = 2.*0 to 1/s,
    );
  });

  test('the network policies let the global server reach the edge pods on the Prometheus port, and the synth warns of nothing', () => {
    const edgePolicy = get(manifests, 'NetworkPolicy', 'edge-server');
    const fromGlobal = edgePolicy.spec.ingress.filter((r: any) =>
      r.from?.some((p: any) => p.podSelector?.matchLabels?.['app.kubernetes.io/instance'] === 'global'),
    );
    expect(fromGlobal.flatMap((r: any) => r.ports)).toEqual([{ port: 9090, protocol: 'TCP' }]);
    expect(warningsOf(chart)).toEqual([]);
  });

  test('a Prometheus elsewhere is federated by its URL', () => {
    const remote = federating(() => [{ job: 'dc2', from: 'https://prometheus.dc2.example.com:443/federate', match: ['up'] }]).job('dc2');
    expect(remote).toMatchObject({ scheme: 'https', static_configs: [{ targets: ['prometheus.dc2.example.com:443'] }] });
    expect(remote.tls_config).toBeUndefined();
  });

  test("under serving TLS, pulls over HTTPS trusting the platform's CA, with a name the edge's certificate carries", () => {
    const { job: tlsJob, manifests: tlsManifests } = federating((edge) => [{ job: 'f', from: edge.federationEndpoint(), match: ['up'] }], true);
    const f = tlsJob('f');
    expect(f).toMatchObject({ scheme: 'https', tls_config: { ca_file: '/etc/tls/serving/ca.crt' } });
    const host = f.static_configs[0].targets[0].split(':')[0];
    const names: string[] = get(tlsManifests, 'Certificate', 'edge-server-tls').spec.dnsNames;
    expect(names.some((n) => n === host || (n.startsWith('*.') && host.endsWith(n.slice(1)) && !host.slice(0, -n.length + 1).includes('.')))).toBe(true);
  });

  test.each([
    [{ from: 'http://edge:9090/metrics' }, /federate\[0\]\.from = "http:\/\/edge:9090\/metrics".*\/federate endpoint/s],
    [{ from: 'edge:9090' }, /federate\[0\]\.from/],
    [{ match: [] }, /federate\[0\]\.match.*is empty/s],
    [{ match: ['{job=~".*"}'] }, /federate\[0\]\.match\[0\] = "\{job=~\\".\*\\"\}".*empty label set/s],
    [{ match: ['{job=""}'] }, /federate\[0\]\.match\[0\].*empty label set/s],
    [{ match: ['{job=~"("}'] }, /regular expression does not parse/],
    [{ match: ['up{job=edge}'] }, /federate\[0\]\.match\[0\].*double-quoted/s],
    [{ match: ['rate(up[5m])'] }, /federate\[0\]\.match\[0\].*not a series selector/s],
    [{ scrapeInterval: '30s', scrapeTimeout: '1m' }, /federate\[0\]\.scrapeTimeout = "1m".*within the scrape interval/s],
  ])('refuses %j, naming the property, the value and the fix', (bad, message) => {
    const build = () => federating(() => [{ job: 'f', from: 'http://edge.example.com:9090/federate', match: ['up'], ...bad }]);
    expect(failure(build)).toMatch(message);
  });

  test('accepts the selectors Prometheus accepts', () => {
    for (const selector of ['up', 'job:up:sum', '{__name__=~"job:.*"}', 'up{job="a",instance!="b"}', '{job=~"a|b", env!~"dev"}', '{label="a,b"}']) {
      expect(() => federating(() => [{ job: 'f', from: 'http://edge.example.com:9090/federate', match: [selector] }])).not.toThrow();
    }
  });
});

describe('prometheus-federation app', () => {
  const { manifests } = synthApp('prometheus-federation');
  const config = parse(dataOf(get(manifests, 'ConfigMap', 'global-server-config'))['prometheus.yaml']);

  test('the global server federates each edge, whose recording rules make the aggregates it pulls', () => {
    const jobs = config.scrape_configs.filter((j: any) => j.metrics_path === '/federate');
    expect(jobs.map((j: any) => j.job_name)).toEqual(['federate-edge-eu-1-server', 'federate-edge-us-1-server']);
    for (const edge of ['edge-eu-1', 'edge-us-1']) {
      const rules = parse(dataOf(get(manifests, 'ConfigMap', `${edge}-server-config`))['rules.yaml']);
      const recorded = rules.groups.flatMap((g: any) => g.rules.map((r: any) => r.record));
      expect(recorded.length).toBeGreaterThan(0);
      expect(recorded.every((name: string) => /^job:/.test(name))).toBe(true);
    }
  });
});
