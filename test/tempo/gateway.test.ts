import { Minio, Tempo } from '../../lib';
import { externalReferences } from '../../lib/core/external';
import { dataOf, get, synth, testChart } from '../support/synth';

describe("Tempo's read gateway", () => {
  const chart = testChart();
  const tempo = new Tempo(chart, 'tempo', {
    namespace: 'obs',
    storage: new Minio(chart, 'minio', { namespace: 'obs' }),
    multitenancy: true,
    gateway: { basicAuthSecret: 'tempo-readers' },
  });
  const manifests = synth(chart);
  const conf = dataOf(get(manifests, 'ConfigMap', 'tempo-gateway-config'))['nginx.conf'];

  test('a login is required, becomes the tenant, and only the read API of Tempo 3.0.3 passes', () => {
    expect(conf).toContain('auth_basic_user_file /etc/nginx/secrets/.htpasswd;');
    expect(conf).toContain('proxy_set_header X-Scope-OrgID $remote_user;');
    expect(conf).toContain('set $tempo http://tempo.obs.svc.cluster.local:3200;');
    const passed = [...conf.matchAll(/location ~ (\S+) \{ proxy_pass \$tempo\$request_uri; \}/g)].map((m) => new RegExp(m[1]));
    const passes = (path: string) => passed.some((re) => re.test(path));
    for (const path of [
      '/api/traces/abc',
      '/api/v2/traces/abc',
      '/api/search',
      '/api/v2/search/tags',
      '/api/search/tag/x/values',
      '/api/metrics/query_range',
    ]) {
      expect({ path, passes: passes(path) }).toEqual({ path, passes: true });
    }
    for (const path of ['/api/overrides', '/api/mcp', '/flush', '/shutdown', '/status', '/api/traces/abc/extra']) {
      expect({ path, passes: passes(path) }).toEqual({ path, passes: false });
    }
    expect(conf).toContain('location / { return 404; }');
  });

  test('it has a Service of its own, the htpasswd Secret is declared, and the URL is its own', () => {
    expect(tempo.gateway!.url).toBe('http://tempo-gateway.obs.svc.cluster.local');
    expect(get(manifests, 'Service', 'tempo-gateway').spec.ports[0]).toMatchObject({ port: 80, targetPort: 'http' });
    expect(externalReferences(chart).some((r) => r.kind === 'Secret' && r.name === 'tempo-readers')).toBe(true);
  });
});
