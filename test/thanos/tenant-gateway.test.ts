import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Minio, ThanosCluster } from '../../lib';
import { externalReferences } from '../../lib/core/external';
import { testWith } from '../support/programs';
import { argsOf, dataOf, get, podSpecOf, synth, testChart } from '../support/synth';

function tenantThanos(dnsResolver?: string) {
  const chart = testChart();
  const minio = new Minio(chart, 'minio', { namespace: 'obs' });
  const thanos = new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: minio, tenantGateway: { basicAuthSecret: 'thanos-tenants', dnsResolver } });
  return { chart, thanos, manifests: synth(chart) };
}

describe('the Thanos tenant gateway', () => {
  const { chart, thanos, manifests } = tenantThanos();
  const conf = dataOf(get(manifests, 'ConfigMap', 'thanos-gateway-config'))['nginx.conf'];

  test('the login becomes the tenant of every write and read; nothing else passes', () => {
    expect(conf).toContain('auth_basic_user_file /etc/nginx/secrets/.htpasswd;');
    expect(conf).toContain('proxy_set_header THANOS-TENANT $remote_user;');
    expect(conf).toContain('set $receive http://thanos-receive.obs.svc.cluster.local:19291;');
    expect(conf).toContain('set $query http://thanos-query-tenants.obs.svc.cluster.local:10902;');
    expect(conf).toContain('location = /api/v1/receive { proxy_pass $receive$request_uri; }');
    expect(conf).toMatch(/location ~ \^\/api\/v1\/\(query\|query_range\|[^)]*\)\$ \{ proxy_pass \$query\$request_uri; \}/);
    expect(conf).toContain('location / { return 404; }');
    expect(thanos.tenantGateway!.remoteWriteUrl).toBe('http://thanos-gateway.obs.svc.cluster.local/api/v1/receive');
    expect(externalReferences(chart).some((e) => e.kind === 'Secret' && e.name === 'thanos-tenants')).toBe(true);
  });

  test('reads go to a query of their own that enforces tenancy; the shared query still answers across tenants', () => {
    expect(argsOf(get(manifests, 'Deployment', 'thanos-query-tenants'), 'thanos')).toContain('--query.enforce-tenancy');
    expect(argsOf(get(manifests, 'Deployment', 'thanos-query'), 'thanos')).not.toContain('--query.enforce-tenancy');
    expect(thanos.tenantQuery!.endpoints).toEqual(thanos.query.endpoints);
    expect(thanos.scrapeTargets.map((t) => t.job)).toContain('thanos-query-tenants');
  });

  test('runs as the unprivileged nginx with the htpasswd Secret mounted read-only', () => {
    const pod = podSpecOf(get(manifests, 'Deployment', 'thanos-gateway'));
    expect(pod.securityContext.runAsUser).toBe(101);
    expect(pod.volumes).toContainEqual({ name: 'htpasswd', secret: { secretName: 'thanos-tenants' } });
  });

  testWith('nginx')('the real nginx accepts the config (nginx -t)', () => {
    const { manifests: m } = tenantThanos('127.0.0.1');
    const dir = mkdtempSync(join(tmpdir(), 'thanos-gw-'));
    writeFileSync(join(dir, 'nginx.conf'), dataOf(get(m, 'ConfigMap', 'thanos-gateway-config'))['nginx.conf']);
    const errFile = join(dir, 'stderr.txt');
    const errFd = openSync(errFile, 'w');
    const result = spawnSync('nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', errFd] });
    closeSync(errFd);
    expect({ status: result.status, stderr: readFileSync(errFile, 'utf8') }).toEqual({ status: 0, stderr: expect.stringContaining('test is successful') });
  });

  test('with TLS it serves HTTPS on 443 from its own certificate, reloaded at each handshake, and checks its upstreams against the CA', () => {
    const chart = testChart();
    const minio = new Minio(chart, 'minio', { namespace: 'obs' });
    const tls = { issuer: { name: 'ca', kind: 'ClusterIssuer' as const } };
    const secure = new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: minio, tls, tenantGateway: { basicAuthSecret: 'thanos-tenants' } });
    const out = synth(chart);
    const tlsConf = dataOf(get(out, 'ConfigMap', 'thanos-gateway-config'))['nginx.conf'];
    expect(tlsConf).toContain('listen 8080 ssl;');
    // A variable in the path makes nginx read the files at each handshake: a renewed certificate needs no restart.
    expect(tlsConf).toContain('map $ssl_server_name $serving_tls { default /etc/tls/serving; }');
    expect(tlsConf).toContain('ssl_certificate $serving_tls/tls.crt;');
    expect(tlsConf).toContain('set $receive https://thanos-receive.obs.svc.cluster.local:19291;');
    expect(tlsConf).toContain('proxy_ssl_trusted_certificate /etc/tls/serving/ca.crt;');
    expect(tlsConf).toContain('proxy_ssl_verify on;');
    expect(get(out, 'Service', 'thanos-gateway').spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'http' }]);
    const pod = podSpecOf(get(out, 'Deployment', 'thanos-gateway'));
    expect(pod.containers[0].readinessProbe.httpGet.scheme).toBe('HTTPS');
    expect(pod.volumes).toContainEqual({ name: 'serving-tls', secret: { secretName: 'thanos-gateway-tls' } });
    expect(get(out, 'Certificate', 'thanos-gateway-tls').spec.dnsNames).toContain('thanos-gateway.obs.svc.cluster.local');
    expect(secure.tenantGateway!.remoteWriteUrl).toBe('https://thanos-gateway.obs.svc.cluster.local/api/v1/receive');
  });
});
