import { App } from 'cdk8s';
import { parse } from 'yaml';
import { ObservabilityPlatform, PlatformSpec } from '../../lib';
import { externalReferences } from '../../lib/core/external';
import { Manifest, dataOf, get, podSpecOf } from '../support/synth';

const ENTRY_AUTH = { htpasswdSecret: 'tenant-logins', passwordsSecret: 'tenant-passwords' };
const TENANTS = [
  { id: 'team-a', metricsAccount: 1 },
  { id: 'team-b', metricsAccount: 2 },
];

function platform(spec: PlatformSpec): { app: App; manifests: Manifest[] } {
  const app = new App({ outdir: '/nonexistent' });
  new ObservabilityPlatform(app, 'p', spec);
  return { app, manifests: app.charts.flatMap((c) => c.toJson()) as Manifest[] };
}

const secretVolumes = (manifests: Manifest[], kind: string, name: string): string[] =>
  (podSpecOf(get(manifests, kind, name)).volumes ?? []).filter((v: any) => v.secret).map((v: any) => v.secret.secretName);

describe('one tenants spec, the same logins at every entry point', () => {
  test("on Thanos: the Loki gateway, the Thanos tenant gateway, the OTLP gateway and Tempo's read gateway all check the one htpasswd Secret", () => {
    const { app, manifests } = platform({ tenants: TENANTS, entryAuth: ENTRY_AUTH });
    expect(dataOf(get(manifests, 'ConfigMap', 'loki-gateway'))['nginx.conf']).toContain('auth_basic_user_file /etc/nginx/secrets/.htpasswd;');
    expect(secretVolumes(manifests, 'Deployment', 'loki-gateway')).toContain('tenant-logins');
    expect(dataOf(get(manifests, 'ConfigMap', 'thanos-gateway-config'))['nginx.conf']).toContain('proxy_set_header THANOS-TENANT $remote_user;');
    expect(secretVolumes(manifests, 'Deployment', 'thanos-gateway')).toContain('tenant-logins');
    const otel = parse(dataOf(get(manifests, 'ConfigMap', 'otel-gateway-config'))['config.yaml']);
    expect(otel.receivers.otlp.protocols.http.auth).toEqual({ authenticator: 'basicauth/senders' });
    expect(secretVolumes(manifests, 'Deployment', 'otel-gateway')).toContain('tenant-logins');
    expect(secretVolumes(manifests, 'Deployment', 'tempo-gateway')).toContain('tenant-logins');
    // The platform's own log shippers log in with their tenant's password, from the other Secret.
    expect(JSON.stringify(podSpecOf(get(manifests, 'StatefulSet', 'alloy-logs')))).toContain('"secretKeyRef":{"key":"team-a","name":"tenant-passwords"}');
    const declared = externalReferences(app)
      .filter((r) => r.kind === 'Secret')
      .map((r) => r.name);
    expect(declared).toEqual(expect.arrayContaining(['tenant-logins', 'tenant-passwords']));
  });

  test('on VictoriaMetrics: vmauth takes one login per tenant, bound to its account, with the passwords Secret', () => {
    const { manifests } = platform({ metricsBackend: 'victoriametrics', tenants: TENANTS, entryAuth: ENTRY_AUTH });
    const config = parse(dataOf(get(manifests, 'ConfigMap', 'vm-vmauth-config'))['auth.yml']);
    expect(config.users.map((u: any) => u.username)).toEqual(['team-a', 'team-b']);
    expect(JSON.stringify(config.users[0])).toContain('/insert/1/');
    expect(JSON.stringify(config.users[1])).toContain('/select/2/');
    expect(JSON.stringify(podSpecOf(get(manifests, 'Deployment', 'vm-vmauth')))).toContain('"name":"tenant-passwords"');
  });

  test("a component's own auth settings in the spec win over entryAuth", () => {
    const { manifests } = platform({
      tenants: TENANTS,
      entryAuth: ENTRY_AUTH,
      thanos: { tenantGateway: { basicAuthSecret: 'metrics-only' } },
      collectors: { otlp: { auth: { basicAuthSecret: 'otlp-only' } } },
    });
    expect(secretVolumes(manifests, 'Deployment', 'thanos-gateway')).toContain('metrics-only');
    expect(secretVolumes(manifests, 'Deployment', 'otel-gateway')).toContain('otlp-only');
    expect(secretVolumes(manifests, 'Deployment', 'loki-gateway')).toContain('tenant-logins');
  });

  test('refused at synth: tenants without a metrics account on VictoriaMetrics, two tenants on one account, an Alloy OTLP entry, one Secret for both', () => {
    expect(() => platform({ metricsBackend: 'victoriametrics', tenants: [{ id: 'team-a' }], entryAuth: ENTRY_AUTH })).toThrow(
      /tenants\[0\]\.metricsAccount.*VictoriaMetrics keeps tenants by number.*Fix: map the tenant to an account, e.g. \{ id: "team-a", metricsAccount: 1 \}/s,
    );
    expect(() =>
      platform({
        metricsBackend: 'victoriametrics',
        tenants: [
          { id: 'a', metricsAccount: 3 },
          { id: 'b', metricsAccount: 3 },
        ],
        entryAuth: ENTRY_AUTH,
      }),
    ).toThrow(/tenants = \["3"\].*same metrics account/s);
    expect(() => platform({ tenants: TENANTS, entryAuth: ENTRY_AUTH, collectors: { otlp: { implementation: 'alloy' } } })).toThrow(
      /collectors\.otlp\.implementation = "alloy".*OTLP entry would stay open/s,
    );
    expect(() => platform({ tenants: TENANTS, entryAuth: { htpasswdSecret: 'x', passwordsSecret: 'x' } })).toThrow(/entryAuth\.passwordsSecret = "x"/);
  });

  test('without entryAuth nothing changes: no tenant gateway, no OTLP login', () => {
    const { manifests } = platform({ tenants: TENANTS });
    expect(manifests.filter((m) => m.metadata.name === 'thanos-gateway')).toEqual([]);
    expect(parse(dataOf(get(manifests, 'ConfigMap', 'otel-gateway-config'))['config.yaml']).extensions['basicauth/senders']).toBeUndefined();
  });
});
