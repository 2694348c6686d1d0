import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App } from 'cdk8s';
import { compareSync, hashSync } from 'bcryptjs';
import { parse } from 'yaml';
import { Alertmanager, AlertmanagerWebAuth, ObservabilityPlatform, PrometheusServer, setServingTls } from '../../lib';
import { externalReferences } from '../../lib/core/external';
import { testWith } from '../support/programs';
import { Manifest, argsOf, containersOf, dataOf, get, ofKind, podSpecOf, synth, testChart } from '../support/synth';

/** Logins on Alertmanager (`webAuth`): the web config written at pod start, and every sender sending the login. */
const WEB_AUTH: AlertmanagerWebAuth = {
  htpasswdSecret: 'alertmanager-logins',
  sender: { username: 'senders', passwordSecret: { name: 'alertmanager-sender', key: 'password' } },
};

function alertmanager(options: { tls?: boolean; webAuth?: AlertmanagerWebAuth } = {}) {
  const chart = testChart();
  if (options.tls) setServingTls(chart, { issuer: { name: 'ca', kind: 'ClusterIssuer' } });
  const am = new Alertmanager(chart, 'am', { namespace: 'obs', webAuth: options.webAuth ?? WEB_AUTH });
  return { am, chart, manifests: synth(chart) };
}
const statefulSet = (manifests: Manifest[]) => get(manifests, 'StatefulSet', 'alertmanager');
const initContainer = (manifests: Manifest[]) => podSpecOf(statefulSet(manifests)).initContainers[0];

describe('Alertmanager with webAuth', () => {
  test('an init container writes the web config into a memory volume the server reads; the kubelet probes the port only', () => {
    const { manifests } = alertmanager();
    const pod = podSpecOf(statefulSet(manifests));
    const init = initContainer(manifests);
    expect(init.image).toMatch(/^docker\.io\/library\/busybox:/);
    expect(init.volumeMounts).toEqual([
      { name: 'web-logins', mountPath: '/etc/web-logins', readOnly: true },
      { name: 'web-config', mountPath: '/etc/web-config' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pod.volumes).toContainEqual({ name: 'web-logins', secret: { secretName: 'alertmanager-logins', items: [{ key: '.htpasswd', path: 'htpasswd' }] } });
    expect(pod.volumes).toContainEqual({ name: 'web-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    const server = pod.containers[0];
    expect(argsOf(statefulSet(manifests), 'alertmanager')).toContain('--web.config.file=/etc/web-config/web-config.yaml');
    expect(server.volumeMounts).toContainEqual({ name: 'web-config', mountPath: '/etc/web-config', readOnly: true });
    // The server does not read the Secret itself.
    expect(server.volumeMounts.map((m: any) => m.name)).not.toContain('web-logins');
    expect(server.readinessProbe).toMatchObject({ tcpSocket: { port: 'http' } });
    expect(server.livenessProbe).toMatchObject({ tcpSocket: { port: 'http' } });
    // Without a login nothing changes: HTTP probes, no init container.
    const open = podSpecOf(statefulSet(synth(withoutAuth())));
    expect(open.initContainers).toBeUndefined();
    expect(open.containers[0].readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'http' });
  });

  test("the user's two Secrets are listed as external references, and no login is in the output", () => {
    const { chart, manifests } = alertmanager();
    expect(
      externalReferences(chart)
        .filter((r) => r.kind === 'Secret')
        .map((r) => r.name),
    ).toEqual(['alertmanager-logins', 'alertmanager-sender']);
    expect(ofKind(manifests, 'Secret')).toEqual([]);
    for (const cm of ofKind(manifests, 'ConfigMap')) expect(Object.values(dataOf(cm)).join('\n')).not.toContain('basic_auth_users');
  });

  test('the endpoint and the scrape target carry the login by reference, in the namespace of the Secret', () => {
    const { am } = alertmanager();
    const credential = { username: 'senders', passwordSecret: { name: 'alertmanager-sender', key: 'password' }, namespace: 'obs' };
    expect(am.endpoint.basicAuth).toEqual(credential);
    expect(am.scrapeTarget.basicAuth).toEqual(credential);
  });
});

/** Runs the init container's script under busybox with this htpasswd file; paths moved into a scratch directory. */
function runInit(manifests: Manifest[], htpasswd: string): { status: number | null; stderr: string; webConfig?: any } {
  const dir = mkdtempSync(join(tmpdir(), 'am-web-config-'));
  try {
    const at = (path: string) => join(dir, path);
    mkdirSync(at('etc/web-logins'), { recursive: true });
    mkdirSync(at('etc/web-config'), { recursive: true });
    writeFileSync(at('etc/web-logins/htpasswd'), htpasswd);
    const tlsPart = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'alertmanager-web-config');
    if (tlsPart) {
      mkdirSync(at('etc/web-config-tls'), { recursive: true });
      writeFileSync(at('etc/web-config-tls/web-config.yaml'), dataOf(tlsPart)['web-config.yaml']);
    }
    const script = (initContainer(manifests).command[2] as string).replace(/\/etc\/web-/g, `${dir}/etc/web-`);
    const done = spawnSync('busybox', ['sh', '-c', script], { encoding: 'utf8', env: { PATH: dirname(process.execPath) + ':/usr/bin:/bin' } });
    const file = at('etc/web-config/web-config.yaml');
    let webConfig: any;
    try {
      webConfig = parse(readFileSync(file, 'utf8'));
    } catch {
      webConfig = undefined;
    }
    return { status: done.status, stderr: done.stderr, webConfig };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the web config the init container writes (busybox)', () => {
  const run = testWith('busybox');
  const alice = hashSync('alice-password', 5);
  const quoted = hashSync('quoted-password', 5);

  run('every bcrypt login, behind the TLS part; comments, blank lines and CRLF endings tolerated', () => {
    const { manifests } = alertmanager({ tls: true });
    const htpasswd = `# people\r\nalice:${alice}\r\n\r\no'brien:${quoted}`;
    const got = runInit(manifests, htpasswd);
    expect({ status: got.status, stderr: got.stderr }).toEqual({ status: 0, stderr: '' });
    expect(got.webConfig.tls_server_config).toEqual(parse(dataOf(get(manifests, 'ConfigMap', 'alertmanager-web-config'))['web-config.yaml']).tls_server_config);
    expect(Object.keys(got.webConfig.basic_auth_users)).toEqual(['alice', "o'brien"]);
    expect(compareSync('alice-password', got.webConfig.basic_auth_users.alice)).toBe(true);
    expect(compareSync('quoted-password', got.webConfig.basic_auth_users["o'brien"])).toBe(true);
  });

  run('without TLS the file holds the users only', () => {
    const got = runInit(alertmanager().manifests, `alice:${alice}\n`);
    expect(got.status).toBe(0);
    expect(got.webConfig).toEqual({ basic_auth_users: { alice } });
  });

  run('a Secret without a login, or with a hash that is not bcrypt, stops the pod with the Secret named; nothing is written', () => {
    const { manifests } = alertmanager();
    for (const [htpasswd, why] of [
      ['', 'holds no login'],
      ['# nobody yet\n', 'holds no login'],
      [`alice:${alice}\nbob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n`, 'no bcrypt hash'],
    ]) {
      const got = runInit(manifests, htpasswd);
      expect(got.status).not.toBe(0);
      expect(got.stderr).toContain('Secret alertmanager-logins, key .htpasswd');
      expect(got.stderr).toContain(why);
      expect(got.webConfig).toBeUndefined();
    }
  });
});

function withoutAuth(): ReturnType<typeof testChart> {
  const chart = testChart();
  new Alertmanager(chart, 'am', { namespace: 'obs' });
  return chart;
}

/** The password file a `basic_auth` block names, and whether the pod mounts exactly that key there. */
function mountsPasswordFile(pod: any, container: string, file: string, secret: string, key: string): boolean {
  const c = [...(pod.containers ?? [])].find((x: any) => x.name === container);
  const mount = c?.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
  const volume = pod.volumes.find((v: any) => v.name === mount?.name);
  return volume?.secret?.secretName === secret && volume.secret.items.some((i: any) => i.key === key && `${mount.mountPath}/${i.path}` === file);
}

describe("Alertmanager's senders and scrapers send the login", () => {
  const login = { username: 'senders', password_file: '/etc/basic-auth/alertmanager-sender/password' };

  test('the platform on Thanos: the ruler by --alertmanagers.config, the agents in the scrape job, Loki from the environment of its backend pods', () => {
    const manifests = synth(new ObservabilityPlatform(new App(), 'p', { alertmanager: { webAuth: WEB_AUTH } }));

    const ruler = get(manifests, 'StatefulSet', 'thanos-ruler');
    const flag = argsOf(ruler, 'thanos').find((a) => a.startsWith('--alertmanagers.config='))!;
    expect(argsOf(ruler, 'thanos').filter((a) => a.startsWith('--alertmanagers.url='))).toEqual([]);
    const [entry] = parse(flag.slice('--alertmanagers.config='.length)).alertmanagers;
    expect(entry).toMatchObject({ scheme: 'http', static_configs: ['dnssrv+_http._tcp.alertmanager-headless.observability.svc.cluster.local'] });
    expect(entry.http_config.basic_auth).toEqual(login);
    expect(mountsPasswordFile(podSpecOf(ruler), 'thanos', login.password_file, 'alertmanager-sender', 'password')).toBe(true);

    const agent = get(manifests, 'StatefulSet', 'prometheus-agent');
    const job = parse(dataOf(get(manifests, 'ConfigMap', 'prometheus-agent-config'))['prometheus.yaml']).scrape_configs.find(
      (j: any) => j.job_name === 'alertmanager',
    );
    expect(job.basic_auth).toEqual(login);
    expect(mountsPasswordFile(podSpecOf(agent), 'prometheus', login.password_file, 'alertmanager-sender', 'password')).toBe(true);
    // Only the job that needs it sends a login.
    const others = parse(dataOf(get(manifests, 'ConfigMap', 'prometheus-agent-config'))['prometheus.yaml']).scrape_configs.filter(
      (j: any) => j.basic_auth && j.job_name !== 'alertmanager',
    );
    expect(others).toEqual([]);

    const loki = parse(dataOf(get(manifests, 'ConfigMap', 'loki-config'))['config.yaml']);
    expect(loki.ruler.alertmanager_client).toEqual({ basic_auth_username: 'senders', basic_auth_password: '${ALERTMANAGER_PASSWORD}' });
    const passwordEnv = (role: string) =>
      containersOf(podSpecOf(manifests.find((m) => ['StatefulSet', 'Deployment'].includes(m.kind) && m.metadata.name === `loki-${role}`)!))[0].env.filter(
        (e: any) => e.name === 'ALERTMANAGER_PASSWORD',
      );
    expect(passwordEnv('backend')).toEqual([{ name: 'ALERTMANAGER_PASSWORD', valueFrom: { secretKeyRef: { name: 'alertmanager-sender', key: 'password' } } }]);
    expect(passwordEnv('read')).toEqual([]);
    expect(passwordEnv('write')).toEqual([]);
  });

  test('vmagent scrapes with the login; Prometheus sends alerts with it', () => {
    const platform = new ObservabilityPlatform(new App(), 'p', { metricsBackend: 'victoriametrics', alertmanager: { webAuth: WEB_AUTH } });
    new PrometheusServer(platform, 'server', {
      namespace: 'observability',
      alertmanagers: [platform.alertmanager!.endpoint],
      ruleGroups: [{ name: 'g', rules: [{ alert: 'A', expr: 'vector(1)' }] }],
    });
    const manifests = synth(platform);
    const vmagent = get(manifests, 'StatefulSet', 'self-monitoring-vmagent');
    const job = parse(dataOf(get(manifests, 'ConfigMap', 'self-monitoring-vmagent-config'))['scrape.yaml']).scrape_configs.find(
      (j: any) => j.job_name === 'alertmanager',
    );
    expect(job.basic_auth).toEqual(login);
    expect(mountsPasswordFile(podSpecOf(vmagent), 'vmagent', login.password_file, 'alertmanager-sender', 'password')).toBe(true);

    const server = get(manifests, 'StatefulSet', 'prometheus-server');
    const alerting = parse(dataOf(get(manifests, 'ConfigMap', 'prometheus-server-config'))['prometheus.yaml']).alerting;
    expect(alerting.alertmanagers[0].basic_auth).toEqual(login);
    expect(mountsPasswordFile(podSpecOf(server), 'prometheus', login.password_file, 'alertmanager-sender', 'password')).toBe(true);
  });

  test('a sender in another namespace, which could not read the password, is refused with the property named', () => {
    const chart = testChart();
    const { endpoint } = new Alertmanager(chart, 'am', { namespace: 'alerting', webAuth: WEB_AUTH });
    expect(() => new PrometheusServer(chart, 'server', { namespace: 'obs', alertmanagers: [endpoint] })).toThrow(
      /alertmanagers\[0\]\.basicAuth.*Secret "alertmanager-sender" in namespace "alerting", which pods in "obs" cannot read/s,
    );
  });

  test('ServiceMonitors take the user name from the Secret too: refused without usernameKey, both keys with it', () => {
    expect(() => new ObservabilityPlatform(new App(), 'p', { serviceMonitors: true, alertmanager: { webAuth: WEB_AUTH } })).toThrow(
      /serviceMonitors.*alertmanager.*usernameKey/s,
    );
    const ok = new ObservabilityPlatform(new App(), 'p', {
      serviceMonitors: true,
      alertmanager: { webAuth: { ...WEB_AUTH, sender: { ...WEB_AUTH.sender, usernameKey: 'username' } } },
    });
    const monitor = synth(ok).find((m) => m.kind === 'ServiceMonitor' && m.metadata.name === 'alertmanager')!;
    expect(monitor.spec.endpoints[0].basicAuth).toEqual({
      username: { name: 'alertmanager-sender', key: 'username' },
      password: { name: 'alertmanager-sender', key: 'password' },
    });
  });
});
