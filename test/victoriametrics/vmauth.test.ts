import { App } from 'cdk8s';
import { parse } from 'yaml';
import { ObservabilityPlatform, ValidationError } from '../../lib';
import { externalReferences } from '../../lib/core/external';
import { Manifest, dataOf, get, ofKind, podSpecOf } from '../support/synth';
import { credentialsIn } from '../support/credentials';
import { vmChart } from './support';

const USERS = [
  { username: 'team-a', passwordKey: 'team-a', tenant: 1 },
  { username: 'team-b-reader', passwordKey: 'team-b-reader', tenant: '2:5', access: ['read' as const] },
  { username: 'admin-a', passwordKey: 'admin-a', tenant: 1, access: ['read' as const, 'delete' as const] },
];
const auth = { credentialsSecret: 'vmauth-passwords', users: USERS };

describe('vmauth in front of the cluster', () => {
  const { chart, vm, manifests } = vmChart({ auth });
  const config = parse(dataOf(get(manifests, 'ConfigMap', 'vm-vmauth-config'))['auth.yml']);
  const routes = (user: string) => config.users.find((u: any) => u.username === user).url_map.map((r: any) => [r.url_prefix, r.src_paths]);

  test('each login reaches its own tenant only, and only the paths of what it may do', () => {
    const insert = 'http://vm-vminsert.obs.svc.cluster.local:8480/insert';
    const select = 'http://vm-vmselect.obs.svc.cluster.local:8481';
    expect(routes('team-a').map(([prefix]: [string]) => prefix)).toEqual([`${insert}/1/prometheus`, `${insert}/1`, `${select}/select/1/prometheus`]);
    expect(routes('team-b-reader').map(([prefix]: [string]) => prefix)).toEqual([`${select}/select/2:5/prometheus`]);
    // The delete API only for the login that is given it, and only for its tenant.
    expect(routes('admin-a')).toContainEqual([`${select}/delete/1/prometheus`, ['/api/v1/admin/tsdb/delete_series']]);
    for (const user of ['team-a', 'team-b-reader']) expect(JSON.stringify(routes(user))).not.toContain('delete');
    // Every route is the tenant's own prefix: a client cannot name another tenant in its URL.
    for (const u of config.users)
      for (const r of u.url_map) expect(r.src_paths.every((p: string) => p.startsWith('/api/v1/') || p === '/opentelemetry/v1/metrics')).toBe(true);
  });

  test("passwords stay in the user's Secret: the config names environment variables that come from it", () => {
    expect(config.users.map((u: any) => u.password)).toEqual(['%{VMAUTH_PASSWORD_0}', '%{VMAUTH_PASSWORD_1}', '%{VMAUTH_PASSWORD_2}']);
    const container = podSpecOf(get(manifests, 'Deployment', 'vm-vmauth')).containers[0];
    expect(container.env).toEqual(
      USERS.map((u, i) => ({ name: `VMAUTH_PASSWORD_${i}`, valueFrom: { secretKeyRef: { name: 'vmauth-passwords', key: u.passwordKey } } })),
    );
    expect(container.args).toContain('-auth.config=/etc/vmauth/auth.yml');
    expect(ofKind(manifests, 'Secret')).toEqual([]);
    expect(credentialsIn(dataOf(get(manifests, 'ConfigMap', 'vm-vmauth-config'))['auth.yml'])).toEqual([]);
    expect(
      externalReferences(chart)
        .filter((e) => e.kind === 'Secret')
        .map((e) => e.name),
    ).toEqual(['vmauth-passwords']);
  });

  test('it is scraped with the rest of the cluster, and its NetworkPolicy lets it reach vminsert and vmselect', () => {
    expect(vm.scrapeTargets.map((t) => t.job)).toContain('vm-vmauth');
    const egress = get(manifests, 'NetworkPolicy', 'vm-vmauth').spec.egress.flatMap((r: any) =>
      r.to.flatMap((p: any) =>
        p.podSelector?.matchLabels['app.kubernetes.io/component']
          ? [`${p.podSelector.matchLabels['app.kubernetes.io/component']}:${r.ports.map((x: any) => x.port).join()}`]
          : [],
      ),
    );
    expect(egress.sort()).toEqual(['vminsert:8480', 'vmselect:8481']);
  });

  test("with the platform's TLS it serves HTTPS from its own certificate, probed and scraped over HTTPS", () => {
    const app = new App({ outdir: '/nonexistent' });
    new ObservabilityPlatform(app, 'p', {
      metricsBackend: 'victoriametrics',
      tls: { issuer: { name: 'ca', kind: 'ClusterIssuer' } },
      victoriaMetrics: { auth },
    });
    const out = app.charts.flatMap((c) => c.toJson()) as Manifest[];
    const pod = podSpecOf(get(out, 'Deployment', 'vm-vmauth'));
    expect(pod.containers[0].args).toEqual(expect.arrayContaining(['-tls', '-tlsCertFile=/etc/tls/serving/tls.crt', '-tlsKeyFile=/etc/tls/serving/tls.key']));
    expect(pod.containers[0].readinessProbe.httpGet.scheme).toBe('HTTPS');
    expect(pod.volumes).toContainEqual({ name: 'serving-tls', secret: { secretName: 'vm-vmauth-tls' } });
    const scrape = parse(dataOf(get(out, 'ConfigMap', 'self-monitoring-vmagent-config'))['scrape.yaml']).scrape_configs.find(
      (j: any) => j.job_name === 'vm-vmauth',
    );
    expect(scrape).toMatchObject({ scheme: 'https', tls_config: { ca_file: '/etc/tls/serving/ca.crt' } });
  });

  test('bad logins are refused at synth', () => {
    const refused = (users: any[]) => {
      try {
        vmChart({ auth: { credentialsSecret: 'p', users } });
        return [];
      } catch (e) {
        return (e as ValidationError).problems.map((p) => `${p.property}: ${p.problem}`);
      }
    };
    expect(refused([])).toEqual(['users: is empty: vmauth would refuse every request']);
    expect(
      refused([
        { username: 'a', passwordKey: 'a', tenant: 'x' },
        { username: 'a', passwordKey: 'a b', tenant: 1, access: ['admin'] },
      ]),
    ).toEqual([
      expect.stringMatching(/^users\[0\]\.tenant: is not a VictoriaMetrics tenant/),
      'users[1].username: is a login already given: vmauth would pick one of them',
      'users[1].passwordKey: is not a Secret key',
      'users[1].access: is not an access vmauth routes',
    ]);
  });
});

test('the platform admits outside writers and readers to vmauth, not to vminsert and vmselect', () => {
  const platform = new ObservabilityPlatform(new App({ outdir: '/nonexistent' }), 'p', {
    metricsBackend: 'victoriametrics',
    victoriaMetrics: { auth },
    network: { writers: [{ namespaces: ['apps'] }], readers: [{ namespaces: ['apps'] }] },
  });
  const manifests = platform.toJson() as Manifest[];
  const admitsApps = (name: string) =>
    JSON.stringify(get(manifests, 'NetworkPolicy', name).spec.ingress ?? []).includes('"kubernetes.io/metadata.name":"apps"');
  expect(admitsApps('vm-vmauth')).toBe(true);
  expect(admitsApps('vm-vminsert')).toBe(false);
  expect(admitsApps('vm-vmselect')).toBe(false);
});
