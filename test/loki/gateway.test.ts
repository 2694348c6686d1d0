import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testWith } from '../support/programs';
import { get, podSpecOf } from '../support/synth';
import { lokiChart, nginxConf } from './support';

/** The upstream variable the location for `path` (exact or prefix match) proxies to. */
function routeOf(conf: string, path: string): string | undefined {
  const locations = [...conf.matchAll(/location (=|\^~) (\S+) \{([^}]*)\}/g)].map((m) => ({ exact: m[1] === '=', path: m[2], body: m[3] }));
  const exact = locations.find((l) => l.exact && l.path === path);
  const prefix = locations.filter((l) => !l.exact && path.startsWith(l.path)).sort((a, b) => b.path.length - a.path.length)[0];
  const hit = exact ?? prefix;
  return hit && /proxy_pass \$(\w+)/.exec(hit.body)?.[1];
}

/** The Service (host) the gateway sends `path` to: the URL its upstream variable is set to. */
function serviceOf(conf: string, path: string): string | undefined {
  const variable = routeOf(conf, path);
  return variable && new RegExp(`set \\$${variable} https?://([a-z0-9-]+)\\.`).exec(conf)?.[1];
}

describe('Loki gateway', () => {
  const { manifests } = lokiChart();
  const conf = nginxConf(manifests);
  const paths = ['/loki/api/v1/push', '/api/prom/push', '/otlp/v1/logs', '/loki/api/v1/rules', '/loki/api/v1/rules/ns/group', '/prometheus/api/v1/alerts'];
  const queries = ['/loki/api/v1/query_range', '/loki/api/v1/labels', '/api/prom/query'];

  test.each([
    ['simple-scalable', {}, { push: 'loki-write', rules: 'loki-backend', delete: 'loki-backend', query: 'loki-read', tail: 'loki-read' }],
    ['ha-monolithic', { mode: 'ha-monolithic' }, { push: 'loki-all', rules: 'loki-all', delete: 'loki-compactor', query: 'loki-all', tail: 'loki-all' }],
    [
      'distributed',
      { mode: 'distributed' },
      { push: 'loki-distributor', rules: 'loki-ruler', delete: 'loki-compactor', query: 'loki-query-frontend', tail: 'loki-querier' },
    ],
  ] as const)('%s: each API path goes to the Service of the component that serves it', (_mode, props, services) => {
    const c = nginxConf(lokiChart(props).manifests);
    const expected = {
      ...Object.fromEntries(paths.slice(0, 3).map((path) => [path, services.push])),
      ...Object.fromEntries(paths.slice(3).map((path) => [path, services.rules])),
      '/loki/api/v1/delete': services.delete,
      ...Object.fromEntries(queries.map((path) => [path, services.query])),
      '/loki/api/v1/tail': services.tail,
      '/api/prom/tail': services.tail,
    };
    const actual = Object.fromEntries(Object.keys(expected).map((path) => [path, serviceOf(c, path)]));
    expect(actual).toEqual(expected);
  });

  test.each([
    '/ingester/shutdown',
    '/ingester/prepare_shutdown',
    '/flush',
    '/distributor/ring',
    '/compactor/ring',
    '/ruler/ring',
    '/scheduler/ring',
    '/indexgateway/ring',
    '/config',
    '/services',
    '/metrics',
  ])('the operator page %s is not proxied: the gateway answers 404 itself', (path) => {
    expect(routeOf(conf, path)).toBeUndefined();
    expect(conf).toContain('location / { return 404; }');
  });

  test("upstreams are the components' Services by full name, resolved per request", () => {
    expect(conf).toContain('set $push http://loki-write.obs.svc.cluster.local:3100;');
    expect(conf).toContain('set $query http://loki-read.obs.svc.cluster.local:3100;');
    expect(conf).toContain('set $deletes http://loki-backend.obs.svc.cluster.local:3100;');
    expect(conf).toContain('resolver kube-dns.kube-system.svc.cluster.local valid=10s;');
  });

  test('tail keeps the websocket upgrade', () => {
    expect(conf).toMatch(/location \^~ \/loki\/api\/v1\/tail \{[^}]*Upgrade \$http_upgrade[^}]*\}/);
  });

  test('without basic auth no auth is configured and clients pass their own tenant header', () => {
    expect(conf).not.toContain('auth_basic_user_file');
    expect(conf).not.toContain('X-Scope-OrgID');
  });

  test('with basic auth the user becomes the tenant, also on tail, and the htpasswd Secret is mounted', () => {
    const { manifests: m } = lokiChart({ gateway: { basicAuthSecret: 'loki-htpasswd' }, tenants: [{ id: 'team-a' }] });
    const c = nginxConf(m);
    expect(c).toContain('auth_basic_user_file /etc/nginx/secrets/.htpasswd;');
    expect(c).toContain('proxy_set_header X-Scope-OrgID $remote_user;');
    expect(c).toMatch(/location \^~ \/loki\/api\/v1\/tail \{[^}]*X-Scope-OrgID \$remote_user[^}]*\}/);
    const pod = podSpecOf(get(m, 'Deployment', 'loki-gateway'));
    expect(pod.volumes).toContainEqual({ name: 'htpasswd', secret: { secretName: 'loki-htpasswd' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'htpasswd', mountPath: '/etc/nginx/secrets', readOnly: true });
  });

  test('runs as the unprivileged nginx uid on 8080 with writable /tmp and an empty entrypoint dir', () => {
    const pod = podSpecOf(get(manifests, 'Deployment', 'loki-gateway'));
    expect(pod.securityContext.runAsUser).toBe(101);
    expect(pod.containers[0].ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(pod.containers[0].volumeMounts.map((v: any) => v.mountPath).sort()).toEqual(['/docker-entrypoint.d', '/etc/nginx', '/tmp']);
  });

  testWith('nginx').each([
    ['without auth', {}],
    ['with basic auth', { gateway: { basicAuthSecret: 'h', dnsResolver: '127.0.0.1' }, tenants: [{ id: 'a' }] }],
  ])('the real nginx accepts the config %s (nginx -t)', (_label, props) => {
    // The default resolver is the cluster DNS, which this machine cannot resolve; point it at loopback.
    const { manifests: m } = lokiChart({ ...props, gateway: { dnsResolver: '127.0.0.1', ...(props as any).gateway } });
    const dir = mkdtempSync(join(tmpdir(), 'loki-gw-'));
    writeFileSync(join(dir, 'nginx.conf'), nginxConf(m));
    // nginx opens /dev/stderr itself, which fails on the socket Node's pipes are made of: use a file.
    const errFile = join(dir, 'stderr.txt');
    const errFd = openSync(errFile, 'w');
    const result = spawnSync('nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', errFd] });
    closeSync(errFd);
    expect({ status: result.status, stderr: readFileSync(errFile, 'utf8') }).toEqual({ status: 0, stderr: expect.stringContaining('test is successful') });
  });
});
