import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { Minio, ObservabilityPlatform, PlatformSpec, PrometheusAgent, ThanosCluster, setServingTls } from '../../lib';

import { allWarnings } from '../../lib/core/warnings';
import { externalReferences } from '../../lib/core/external';
import { Manifest, argsOf, containersOf, dataOf, get, ofKind, podSpecOf, synthApp, workloads } from '../support/synth';
import { SERVING_DIR, httpsHosts, tlsProblems } from '../support/tls';

const ISSUER = { name: 'platform-ca', kind: 'ClusterIssuer' as const };

function platform(spec: PlatformSpec = {}): { app: App; manifests: Manifest[] } {
  const app = new App({ outdir: '/nonexistent' });
  new ObservabilityPlatform(app, 'p', spec);
  return { app, manifests: app.charts.flatMap((c) => c.toJson()) as Manifest[] };
}

const flagValue = (args: string[], flag: string) => args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);

describe('TLS inside the platform', () => {
  const { manifests } = synthApp('platform-tls');

  test('every HTTPS address reaches pods that serve a certificate valid for it, and whoever trusts the CA mounts it', () => {
    // The check has something to check: the metrics path and Alertmanager are addressed over HTTPS.
    expect(httpsHosts(manifests)).toEqual(
      expect.arrayContaining([
        'thanos-receive.observability.svc.cluster.local',
        'thanos-query.observability.svc.cluster.local',
        'thanos-query-frontend.observability.svc.cluster.local',
        '_http._tcp.alertmanager-headless.observability.svc.cluster.local',
      ]),
    );
    expect(tlsProblems(manifests)).toEqual([]);
  });

  test('every server name a client checks instead of the address it dials is in the certificate of the pods it reaches', () => {
    // In the YAML of args and config files: `server_name:` (Thanos, Prometheus) and `tls_server_name:` (Loki).
    const names = [...JSON.stringify(manifests).matchAll(/server_name: ([a-z0-9.-]+)/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(0);
    const certificates = ofKind(manifests, 'Certificate').flatMap((c) => c.spec.dnsNames as string[]);
    expect(names.filter((n) => !certificates.includes(n))).toEqual([]);
  });

  test('the check fails when a certificate leaves out a name its clients dial, or a client loses its CA', () => {
    const narrowed = manifests.map((m) =>
      m.kind === 'Certificate' && m.metadata.name === 'thanos-query-tls'
        ? { ...m, spec: { ...m.spec, dnsNames: m.spec.dnsNames.filter((n: string) => !n.endsWith('.svc.cluster.local')) } }
        : m,
    );
    expect(tlsProblems(narrowed)).toEqual([expect.stringContaining('does not cover thanos-query.observability.svc.cluster.local')]);
    const noMount = manifests.map((m) => {
      if (m.metadata.name !== 'thanos-query-frontend' || m.kind !== 'Deployment') return m;
      const copy = JSON.parse(JSON.stringify(m));
      for (const c of containersOf(podSpecOf(copy))) c.volumeMounts = c.volumeMounts.filter((v: any) => v.mountPath !== SERVING_DIR);
      return copy;
    });
    expect(tlsProblems(noMount)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('thanos-query-frontend mounts no certificate'),
        expect.stringContaining('names /etc/tls/serving/ca.crt'),
      ]),
    );
  });

  test('each HTTPS server has its own certificate from the issuer, for server and client auth, with a fresh key at each renewal', () => {
    const certificates = ofKind(manifests, 'Certificate');
    const names = certificates.map((c) => c.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of certificates) {
      expect(c.spec.issuerRef).toEqual({ name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
      expect(c.spec.usages).toEqual(['server auth', 'client auth']);
      if (c.metadata.name !== 'thanos-grpc-tls') expect(c.spec.privateKey).toEqual({ algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' });
    }
    // Receive's certificate covers the write Service every writer dials and each ingestor by its pod name.
    const receive = certificates.find((c) => c.metadata.name === 'thanos-receive-tls')!.spec.dnsNames;
    expect(receive).toEqual(
      expect.arrayContaining(['thanos-receive.observability.svc.cluster.local', '*.thanos-receive-headless.observability.svc.cluster.local']),
    );
  });

  test('the Thanos components serve HTTPS on every HTTP listener, probed over HTTPS, and mutual TLS on gRPC', () => {
    const thanos = workloads(manifests).filter((w) => w.metadata.name.startsWith('thanos-'));
    expect(thanos.map((w) => w.metadata.name).sort()).toEqual([
      'thanos-compactor',
      'thanos-query',
      'thanos-query-frontend',
      'thanos-receive',
      'thanos-ruler',
      'thanos-store',
    ]);
    for (const w of thanos) {
      const args = argsOf(w, 'thanos');
      const webConfig = get(manifests, 'ConfigMap', `${w.metadata.name}-web-config`);
      expect(flagValue(args, 'http.config')).toBe('/etc/web-config/web-config.yaml');
      expect(parse(dataOf(webConfig)['web-config.yaml']).tls_server_config).toEqual({
        cert_file: `${SERVING_DIR}/tls.crt`,
        key_file: `${SERVING_DIR}/tls.key`,
        min_version: 'TLS12',
      });
      const container = containersOf(podSpecOf(w))[0];
      expect(container.readinessProbe.httpGet.scheme).toBe('HTTPS');
      expect(container.livenessProbe.httpGet.scheme).toBe('HTTPS');
      if (w.metadata.name !== 'thanos-compactor' && w.metadata.name !== 'thanos-query-frontend') {
        expect(flagValue(args, 'grpc-server-tls-client-ca')).toBe('/etc/thanos/grpc-tls/ca.crt');
      }
    }
    const receive = argsOf(get(manifests, 'StatefulSet', 'thanos-receive'), 'thanos');
    expect(flagValue(receive, 'remote-write.server-tls-cert')).toBe(`${SERVING_DIR}/tls.crt`);
    expect(flagValue(receive, 'remote-write.server-tls-key')).toBe(`${SERVING_DIR}/tls.key`);
  });

  test('clients inside Thanos trust the CA: query-frontend downstream, the ruler to query and to Alertmanager', () => {
    const frontend = argsOf(get(manifests, 'Deployment', 'thanos-query-frontend'), 'thanos');
    expect(flagValue(frontend, 'query-frontend.downstream-url')).toBe('https://thanos-query.observability.svc.cluster.local:10902');
    expect(parse(flagValue(frontend, 'query-frontend.downstream-tripper-config')!)).toEqual({ tls_config: { ca_file: `${SERVING_DIR}/ca.crt` } });

    const ruler = argsOf(get(manifests, 'StatefulSet', 'thanos-ruler'), 'thanos');
    // The plain flags take no CA, and Thanos refuses them beside the config forms.
    expect(ruler.filter((a) => a.startsWith('--query=') || a.startsWith('--alertmanagers.url='))).toEqual([]);
    expect(parse(flagValue(ruler, 'query.config')!)).toEqual([
      {
        scheme: 'https',
        static_configs: ['dnssrv+_http._tcp.thanos-query.observability.svc.cluster.local'],
        // dnssrv+ resolves to pod IPs: the name checked is the Service's, which the certificate holds.
        http_config: { tls_config: { ca_file: `${SERVING_DIR}/ca.crt`, server_name: 'thanos-query.observability.svc.cluster.local' } },
      },
    ]);
    expect(parse(flagValue(ruler, 'alertmanagers.config')!).alertmanagers).toEqual([
      {
        scheme: 'https',
        static_configs: ['dnssrv+_http._tcp.alertmanager-headless.observability.svc.cluster.local'],
        http_config: {
          tls_config: { ca_file: `${SERVING_DIR}/ca.crt`, server_name: 'alertmanager-headless.observability.svc.cluster.local' },
          // The app puts logins on Alertmanager too: the ruler's comes with the same client settings.
          basic_auth: { username: 'platform', password_file: '/etc/basic-auth/alertmanager-sender/password' },
        },
        api_version: 'v2',
      },
    ]);
  });

  test('the self-monitoring agents serve HTTPS, scrape the HTTPS components with the CA, and write to receive over HTTPS', () => {
    const agent = get(manifests, 'StatefulSet', 'prometheus-agent');
    expect(flagValue(argsOf(agent, 'prometheus'), 'web.config.file')).toBe('/etc/web-config/web-config.yaml');
    const config = parse(dataOf(get(manifests, 'ConfigMap', 'prometheus-agent-config'))['prometheus.yaml']);
    expect(config.remote_write[0]).toMatchObject({
      url: 'https://thanos-receive.observability.svc.cluster.local:19291/api/v1/receive',
      tls_config: { ca_file: `${SERVING_DIR}/ca.crt` },
    });
    const jobs = new Map<string, any>(config.scrape_configs.map((j: any) => [j.job_name, j]));
    for (const job of ['thanos-receive', 'thanos-query', 'alertmanager', 'grafana', 'prometheus-agent']) {
      expect(jobs.get(job)).toMatchObject({ scheme: 'https', tls_config: { ca_file: `${SERVING_DIR}/ca.crt` } });
    }
    // What still serves plain HTTP is scraped over HTTP.
    // The collector's own telemetry port has no TLS setting: it stays plain HTTP.
    expect(jobs.get('otel-gateway').scheme).toBeUndefined();
    // Each HTTPS job's SRV answers name pods whose certificate covers them.
    const certificates = ofKind(manifests, 'Certificate');
    for (const [job, j] of jobs) {
      if (j.scheme !== 'https') continue;
      const headless = j.dns_sd_configs[0].names[0].split('.').slice(2).join('.');
      expect([job, certificates.some((c) => c.spec.dnsNames.includes(`*.${headless}`))]).toEqual([job, true]);
    }
  });

  test('the other writers and the Loki ruler trust the CA of the HTTPS endpoints they call', () => {
    const otel = parse(dataOf(get(manifests, 'ConfigMap', 'otel-gateway-config'))['config.yaml']);
    expect(otel.exporters['prometheusremotewrite/metrics'].tls).toEqual({ ca_file: `${SERVING_DIR}/ca.crt` });
    const tempo = parse(dataOf(get(manifests, 'ConfigMap', 'tempo-config'))['tempo.yaml']);
    expect(tempo.metrics_generator.storage.remote_write[0].tls_config).toEqual({ ca_file: `${SERVING_DIR}/ca.crt` });
    const loki = parse(dataOf(get(manifests, 'ConfigMap', 'loki-config'))['config.yaml']);
    expect(loki.ruler.alertmanager_url).toBe('https://_http._tcp.alertmanager-headless.observability.svc.cluster.local');
    expect(loki.ruler.alertmanager_client).toEqual({
      tls_ca_path: `${SERVING_DIR}/ca.crt`,
      tls_server_name: 'alertmanager-headless.observability.svc.cluster.local',
      basic_auth_username: 'platform',
      basic_auth_password: '${ALERTMANAGER_PASSWORD}',
    });
  });

  test('the Alertmanager pair gossips with mutual TLS, checking the headless Service name since peers dial pod IPs', () => {
    const args = argsOf(get(manifests, 'StatefulSet', 'alertmanager'), 'alertmanager');
    expect(flagValue(args, 'cluster.tls-config')).toBe('/etc/alertmanager/gossip-tls/cluster-tls.yaml');
    const tls = parse(dataOf(get(manifests, 'ConfigMap', 'alertmanager-gossip-tls'))['cluster-tls.yaml']);
    expect(tls.tls_server_config).toMatchObject({ client_auth_type: 'RequireAndVerifyClientCert', client_ca_file: `${SERVING_DIR}/ca.crt` });
    expect(tls.tls_client_config).toMatchObject({ cert_file: `${SERVING_DIR}/tls.crt`, server_name: 'alertmanager-headless.observability.svc.cluster.local' });
  });

  test('Grafana serves HTTPS on 443 and its metrics datasource trusts the CA', () => {
    const ini = dataOf(get(manifests, 'ConfigMap', 'grafana-config'))['grafana.ini'];
    expect(ini).toMatch(/\[server\][^[]*protocol = https/);
    expect(ini).toContain(`cert_file = ${SERVING_DIR}/tls.crt`);
    expect(get(manifests, 'Service', 'grafana').spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'grafana' }]);
    const datasources = parse(dataOf(get(manifests, 'ConfigMap', 'grafana-provisioning'))['datasources.yaml']).datasources;
    const metrics = datasources.find((d: any) => d.uid === 'metrics');
    expect(metrics.url).toBe('https://thanos-query-frontend.observability.svc.cluster.local:10902');
    expect(metrics.jsonData.tlsAuthWithCACert).toBe(true);
    expect(metrics.secureJsonData.tlsCACert).toBe(`$__file{${SERVING_DIR}/ca.crt}`);
    // Loki is reached through its gateway, which serves HTTPS too.
    const loki = datasources.find((d: any) => d.uid === 'loki');
    expect([loki.url, loki.jsonData.tlsAuthWithCACert]).toEqual(['https://loki-gateway.observability.svc.cluster.local', true]);
  });

  test("Loki's gateway is the HTTPS entry of logs: every shipper and Grafana trust its certificate", () => {
    const conf = dataOf(get(manifests, 'ConfigMap', 'loki-gateway'))['nginx.conf'];
    expect(conf).toContain('listen 8080 ssl;');
    expect(conf).toContain('ssl_certificate $serving_tls/tls.crt;');
    expect(get(manifests, 'Service', 'loki-gateway').spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'http' }]);
    expect(httpsHosts(manifests)).toContain('loki-gateway.observability.svc.cluster.local');
    const alloy = dataOf(get(manifests, 'ConfigMap', 'alloy-logs-config'))['config.alloy'];
    expect(alloy).toMatch(/url\s*=\s*"https:\/\/loki-gateway\.observability\.svc\.cluster\.local\/loki\/api\/v1\/push"/);
    expect(alloy).toMatch(/tls_config \{\s*ca_file\s*=\s*"\/etc\/tls\/serving\/ca\.crt"/);
    const otel = parse(dataOf(get(manifests, 'ConfigMap', 'otel-gateway-config'))['config.yaml']);
    expect(otel.exporters['otlp_http/loki']).toMatchObject({
      endpoint: 'https://loki-gateway.observability.svc.cluster.local/otlp',
      tls: { ca_file: `${SERVING_DIR}/ca.crt` },
    });
  });

  test('node-exporter, kube-state-metrics and the Pushgateway serve HTTPS from the web config, probed over HTTPS, scraped with the CA', () => {
    const { manifests: out } = platform({ tls: { issuer: ISSUER }, pushgateway: {} });
    const servers = [
      { kind: 'DaemonSet', name: 'node-exporter', flag: 'web.config.file' },
      { kind: 'Deployment', name: 'kube-state-metrics', flag: 'tls-config' },
      { kind: 'StatefulSet', name: 'pushgateway', flag: 'web.config.file' },
    ];
    for (const { kind, name, flag } of servers) {
      const w = get(out, kind, name);
      const [c] = podSpecOf(w).containers;
      expect({ name, flag: flagValue(c.args, flag) }).toEqual({ name, flag: '/etc/web-config/web-config.yaml' });
      expect({ name, mounts: c.volumeMounts.map((m: any) => m.mountPath) }).toEqual({
        name,
        mounts: expect.arrayContaining(['/etc/web-config', SERVING_DIR]),
      });
      expect({ name, probes: [c.readinessProbe.httpGet.scheme, c.livenessProbe.httpGet.scheme] }).toEqual({ name, probes: ['HTTPS', 'HTTPS'] });
      // Its own certificate, whose Secret the pod mounts.
      const secret = podSpecOf(w).volumes.find((v: any) => v.name === c.volumeMounts.find((m: any) => m.mountPath === SERVING_DIR).name).secret.secretName;
      expect(ofKind(out, 'Certificate').map((x) => x.spec.secretName)).toContain(secret);
    }
    const jobs = parse(dataOf(get(out, 'ConfigMap', 'prometheus-agent-config'))['prometheus.yaml']).scrape_configs;
    for (const job of ['node-exporter', 'kube-state-metrics', 'kube-state-metrics-self', 'pushgateway'])
      expect(jobs.find((j: any) => j.job_name === job)).toMatchObject({ scheme: 'https', tls_config: { ca_file: `${SERVING_DIR}/ca.crt` } });
    expect(tlsProblems(out)).toEqual([]);
  });

  test('VictoriaMetrics: vminsert, vmselect and vmstorage serve HTTPS on their HTTP ports; vmagent, vmauth and Grafana trust the CA', () => {
    const auth = { credentialsSecret: 'vm-logins', users: [{ username: 'team', passwordKey: 'team', tenant: 1 }] };
    const { manifests: out } = platform({ tls: { issuer: ISSUER }, metricsBackend: 'victoriametrics', victoriaMetrics: { auth } });
    for (const [kind, name] of [
      ['Deployment', 'vm-vminsert'],
      ['Deployment', 'vm-vmselect'],
      ['StatefulSet', 'vm-vmstorage'],
    ]) {
      const c = podSpecOf(get(out, kind, name)).containers[0];
      expect({ name, args: c.args }).toEqual({
        name,
        args: expect.arrayContaining(['-tls', `-tlsCertFile=${SERVING_DIR}/tls.crt`, `-tlsKeyFile=${SERVING_DIR}/tls.key`]),
      });
      expect({ name, scheme: c.readinessProbe.httpGet.scheme }).toEqual({ name, scheme: 'HTTPS' });
    }
    // The RPC between them stays as it is: vminsert and vmselect dial the storage ports by name, without a scheme.
    expect(argsOf(get(out, 'Deployment', 'vm-vminsert'), 'vminsert')).toContain(
      '-storageNode=vm-vmstorage-0.vm-vmstorage-headless.observability.svc.cluster.local:8400,vm-vmstorage-1.vm-vmstorage-headless.observability.svc.cluster.local:8400,vm-vmstorage-2.vm-vmstorage-headless.observability.svc.cluster.local:8400',
    );
    const agent = argsOf(get(out, 'StatefulSet', 'self-monitoring-vmagent'), 'vmagent');
    expect(agent.filter((a) => a.startsWith('-remoteWrite.url='))).toEqual([
      '-remoteWrite.url=https://vm-vminsert.observability.svc.cluster.local:8480/insert/0/prometheus/api/v1/write',
    ]);
    expect(agent).toContain(`-remoteWrite.tlsCAFile=${SERVING_DIR}/ca.crt`);
    const vmauth = argsOf(get(out, 'Deployment', 'vm-vmauth'), 'vmauth');
    expect(vmauth).toContain(`-backend.TLSCAFile=${SERVING_DIR}/ca.crt`);
    const prefixes = parse(dataOf(get(out, 'ConfigMap', 'vm-vmauth-config'))['auth.yml']).users[0].url_map.map((r: any) => r.url_prefix);
    expect(prefixes.every((u: string) => u.startsWith('https://'))).toBe(true);
    const datasources = parse(dataOf(get(out, 'ConfigMap', 'grafana-provisioning'))['datasources.yaml']).datasources;
    expect(datasources.find((d: any) => d.uid === 'metrics')).toMatchObject({
      url: 'https://vm-vmselect.observability.svc.cluster.local:8481/select/0/prometheus',
      jsonData: { tlsAuthWithCACert: true },
    });
    expect(tlsProblems(out)).toEqual([]);
  });

  test('vminsert behind a TCP load balancer is refused with serving TLS: its certificate names no outside host', () => {
    expect(() =>
      platform({
        tls: { issuer: ISSUER },
        metricsBackend: 'victoriametrics',
        victoriaMetrics: {
          vminsert: { exposure: { externalUrl: 'http://vm.example.com:8480', loadBalancerAnnotations: { internal: 'true' }, allowedSources: ['10.0.0.0/8'] } },
        },
      }),
    ).toThrow(/vminsert\.exposure\.loadBalancerAnnotations.*in-cluster names only/s);
  });

  /** What every client of the embedded store is given: its endpoint over TLS, checked against the CA. */
  function expectClientsTrustTheStore(out: Manifest[], endpoint: string): void {
    const objstore = parse(dataOf(get(out, 'ConfigMap', 'thanos-objstore'))['objstore.yaml']);
    expect(objstore.config).toMatchObject({ endpoint, insecure: false, http_config: { tls_config: { ca_file: `${SERVING_DIR}/ca.crt` } } });
    const loki = parse(dataOf(get(out, 'ConfigMap', 'loki-config'))['config.yaml']);
    expect(loki.storage_config.object_store.s3).toMatchObject({ insecure: false, http: { tls_ca_path: `${SERVING_DIR}/ca.crt` } });
    expect(loki.ruler_storage.s3).toMatchObject({ insecure: false, http: { tls_ca_path: `${SERVING_DIR}/ca.crt` } });
    const tempo = parse(dataOf(get(out, 'ConfigMap', 'tempo-config'))['tempo.yaml']);
    expect(tempo.storage.trace.s3).toMatchObject({ insecure: false, tls_ca_path: `${SERVING_DIR}/ca.crt` });
    expect(tlsProblems(out)).toEqual([]);
  }

  test('SeaweedFS serves S3 over HTTPS from its certificate; Thanos, Loki, Tempo and the bucket Job trust the CA', () => {
    const store = get(manifests, 'StatefulSet', 'seaweedfs-server');
    const pod = podSpecOf(store);
    expect(argsOf(store, 'seaweedfs')).toEqual(expect.arrayContaining(['-s3.cert.file=/etc/seaweedfs-tls/tls.crt', '-s3.key.file=/etc/seaweedfs-tls/tls.key']));
    expect(pod.volumes.find((v: any) => v.name === 'tls').secret).toEqual({ secretName: 'seaweedfs-server-tls' });
    expect(pod.containers[0].readinessProbe.httpGet.scheme).toBe('HTTPS');
    expectClientsTrustTheStore(manifests, 'seaweedfs.observability.svc.cluster.local:8333');
    // The bucket Job checks the store's certificate against the CA with curl.
    const job = ofKind(manifests, 'Job').find((j) => j.metadata.name.startsWith('seaweedfs-buckets'))!;
    const script = podSpecOf(job).containers[0].args[0];
    expect(script).toContain('curl --silent --show-error --fail-with-body --cacert /etc/seaweedfs-ca/ca.crt');
    expect(script).toContain('https://seaweedfs.observability.svc.cluster.local:8333/thanos-blocks');
  });

  test('MinIO, when chosen, serves HTTPS from its certs dir; its clients and bucket Job trust the CA', () => {
    const { manifests: out } = platform({ tls: { issuer: ISSUER }, embeddedStore: 'minio' });
    const minio = get(out, 'StatefulSet', 'minio-server');
    const pod = podSpecOf(minio);
    expect(argsOf(minio, 'minio')).toContain('--certs-dir=/etc/minio/certs');
    expect(pod.volumes.find((v: any) => v.name === 'certs').secret).toEqual({
      secretName: 'minio-server-tls',
      items: [
        { key: 'tls.crt', path: 'public.crt' },
        { key: 'tls.key', path: 'private.key' },
        { key: 'ca.crt', path: 'CAs/ca.crt' },
      ],
    });
    expect(pod.containers[0].readinessProbe.httpGet.scheme).toBe('HTTPS');
    expectClientsTrustTheStore(out, 'minio.observability.svc.cluster.local:9000');
    // The bucket Job trusts the CA through mc's config dir.
    const job = ofKind(out, 'Job').find((j) => j.metadata.name.startsWith('minio-make-buckets'))!;
    const mc = podSpecOf(job).containers[0];
    expect(mc.args[0]).toContain('cp /etc/minio-ca/ca.crt /tmp/.mc/certs/CAs/platform-ca.crt');
    expect(mc.args[0]).toContain('https://minio.observability.svc.cluster.local:9000');
  });

  test('a bucket client that cannot trust an HTTPS MinIO is refused at synth', () => {
    const app = new App({ outdir: '/nonexistent' });
    const tlsChart = new Chart(app, 'store', { disableResourceNameHashes: true });
    setServingTls(tlsChart, { issuer: ISSUER });
    const storage = new Minio(tlsChart, 'minio', { namespace: 'obs' });
    const plain = new Chart(app, 'thanos', { disableResourceNameHashes: true });
    expect(() => new ThanosCluster(plain, 'thanos', { namespace: 'obs', storage })).toThrow(/bucket = "minio".*platform's CA/s);
  });

  test("Loki's read, write and backend serve their HTTP ports over HTTPS, each from its own certificate; the gateway checks them by the CA", () => {
    const loki = parse(dataOf(get(manifests, 'ConfigMap', 'loki-config'))['config.yaml']);
    expect(loki.server.http_tls_config).toEqual({ cert_file: `${SERVING_DIR}/tls.crt`, key_file: `${SERVING_DIR}/tls.key` });
    // Their gRPC takes mutual TLS (grpc-mtls.test.ts).
    const secrets = ['write', 'read', 'backend'].map((role) => {
      const w = workloads(manifests).find((m) => m.metadata.name === `loki-${role}`)!;
      const c = podSpecOf(w).containers[0];
      expect({ role, probes: [c.readinessProbe.httpGet.scheme, c.livenessProbe.httpGet.scheme] }).toEqual({ role, probes: ['HTTPS', 'HTTPS'] });
      const mount = c.volumeMounts.find((m: any) => m.mountPath === SERVING_DIR);
      return podSpecOf(w).volumes.find((v: any) => v.name === mount.name).secret.secretName;
    });
    expect(secrets).toEqual(['loki-write-tls', 'loki-read-tls', 'loki-backend-tls']);
    const nginx = dataOf(get(manifests, 'ConfigMap', 'loki-gateway'))['nginx.conf'];
    for (const [route, role] of [
      ['push', 'write'],
      ['query', 'read'],
      ['rules', 'backend'],
    ])
      expect(nginx).toContain(`set $${route} https://loki-${role}.observability.svc.cluster.local:3100;`);
    expect(nginx).toContain('proxy_ssl_verify on;');
    expect(tlsProblems(manifests)).toEqual([]);
  });

  test('Tempo serves its HTTP port over HTTPS, each component from its own certificate; its gateway and Grafana trust the CA', () => {
    const tempo = parse(dataOf(get(manifests, 'ConfigMap', 'tempo-config'))['tempo.yaml']);
    expect(tempo.server.http_tls_config).toEqual({ cert_file: `${SERVING_DIR}/tls.crt`, key_file: `${SERVING_DIR}/tls.key` });
    // Its span receivers serve the same certificate; the OTLP gateway checks it against the CA.
    const tls = { cert_file: `${SERVING_DIR}/tls.crt`, key_file: `${SERVING_DIR}/tls.key`, reload_interval: '1h' };
    expect(tempo.distributor.receivers.otlp.protocols).toEqual({ grpc: { endpoint: '0.0.0.0:4317', tls }, http: { endpoint: '0.0.0.0:4318', tls } });
    const otel = parse(dataOf(get(manifests, 'ConfigMap', 'otel-gateway-config'))['config.yaml']);
    expect(otel.exporters['otlp_grpc/tempo'].tls).toEqual({ ca_file: `${SERVING_DIR}/ca.crt` });
    const pod = podSpecOf(get(manifests, 'StatefulSet', 'tempo-monolithic'));
    const c = pod.containers[0];
    expect([c.readinessProbe, c.startupProbe, c.livenessProbe].map((p: any) => p.httpGet.scheme)).toEqual(['HTTPS', 'HTTPS', 'HTTPS']);
    const mount = c.volumeMounts.find((m: any) => m.mountPath === SERVING_DIR);
    expect(pod.volumes.find((v: any) => v.name === mount.name).secret.secretName).toBe('tempo-monolithic-tls');
    const datasources = parse(dataOf(get(manifests, 'ConfigMap', 'grafana-provisioning'))['datasources.yaml']).datasources;
    expect(datasources.find((d: any) => d.type === 'tempo')).toMatchObject({
      url: 'https://tempo.observability.svc.cluster.local:3200',
      jsonData: { tlsAuthWithCACert: true },
    });
    // Distributed: one certificate per component, each valid for its own Services.
    const { manifests: distributed } = platform({
      tls: { issuer: ISSUER },
      tempo: { mode: 'distributed', kafka: { address: 'kafka.example.com:9092' } },
    });
    const secrets = ofKind(distributed, 'Certificate')
      .map((x) => x.spec.secretName as string)
      .filter((n) => n.startsWith('tempo-'));
    expect(secrets).toEqual(expect.arrayContaining(['tempo-distributor-tls', 'tempo-query-frontend-tls', 'tempo-querier-tls', 'tempo-live-store-tls']));
    expect(tlsProblems(distributed)).toEqual([]);
  });

  test("Alloy's HTTP server serves HTTPS from its own certificate (the http block), probed and scraped over HTTPS", () => {
    const config = dataOf(get(manifests, 'ConfigMap', 'alloy-logs-config'))['config.alloy'];
    expect(config.startsWith('http {\n  tls {')).toBe(true);
    expect(config).toContain(`cert_file = "${SERVING_DIR}/tls.crt"`);
    const pod = podSpecOf(get(manifests, 'StatefulSet', 'alloy-logs'));
    expect(pod.containers[0].readinessProbe.httpGet.scheme).toBe('HTTPS');
    const mount = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === SERVING_DIR);
    expect(pod.volumes.find((v: any) => v.name === mount.name).secret.secretName).toBe('alloy-logs-tls');
    expect(ofKind(manifests, 'Certificate').find((c) => c.spec.secretName === 'alloy-logs-tls')!.spec.dnsNames).toContain(
      '*.alloy-logs-headless.observability.svc.cluster.local',
    );
  });

  test("the Alloy OTLP gateway's receivers serve TLS from its own certificate, and it checks Tempo's", () => {
    const { manifests: out } = platform({ tls: { issuer: ISSUER }, collectors: { otlp: { implementation: 'alloy' } } });
    const config = Object.values(
      dataOf(
        ofKind(out, 'ConfigMap').find(
          (c) => c.metadata.name.endsWith('-config') && 'config.alloy' in (c.data ?? {}) && c.data['config.alloy'].includes('otelcol.receiver.otlp'),
        )!,
      ),
    ).join('');
    const receiver = config.slice(config.indexOf('otelcol.receiver.otlp'), config.indexOf('output'));
    expect(receiver.match(/tls \{/g)).toHaveLength(2);
    expect(receiver).toContain(`cert_file = "${SERVING_DIR}/tls.crt"`);
    expect(receiver).toContain('reload_interval = "1h"');
    expect(config).toContain(`ca_file = "${SERVING_DIR}/ca.crt"`);
    expect(tlsProblems(out)).toEqual([]);
  });

  test('the synth names what still serves plain HTTP, and none of what serves HTTPS', () => {
    const { app } = platform({ tls: { issuer: ISSUER } });
    const warning = allWarnings(app).find((w) => w.id === 'plain-http-inside')!;
    expect(warning.value).toEqual(['otel-gateway']);
    expect(warning.problem).toContain('otel-gateway');
    expect(allWarnings(platform().app).find((w) => w.id === 'plain-http-inside')).toBeUndefined();
  });

  test('without an issuer, no Certificate is emitted and every certificate Secret is declared for the user to make', () => {
    const { app, manifests: out } = platform({ tls: {} });
    expect(ofKind(out, 'Certificate')).toEqual([]);
    const secrets = externalReferences(app)
      .filter((r) => r.kind === 'Secret' && r.name.endsWith('-tls'))
      .map((r) => r.name);
    expect(secrets).toEqual(
      expect.arrayContaining(['thanos-grpc-tls', 'thanos-receive-tls', 'alertmanager-tls', 'grafana-server-tls', 'prometheus-agent-tls']),
    );
    // Mounted Secrets are exactly the declared ones.
    const mounted = new Set(
      workloads(out).flatMap((w) =>
        (podSpecOf(w).volumes ?? []).filter((v: any) => v.secret?.secretName.endsWith('-tls')).map((v: any) => v.secret.secretName),
      ),
    );
    expect([...mounted].filter((s) => !secrets.includes(s))).toEqual([]);
  });

  test('without tls the output has no certificate, no HTTPS address and no web config', () => {
    const { manifests: out } = platform();
    expect(ofKind(out, 'Certificate')).toEqual([]);
    expect(httpsHosts(out)).toEqual([]);
    expect(JSON.stringify(out)).not.toContain('web-config');
  });

  test('a writer that cannot trust an HTTPS store is refused at synth, naming the property and the fix', () => {
    const chart = new Chart(new App({ outdir: '/nonexistent' }), 'c', { disableResourceNameHashes: true });
    const tlsScope = new Chart(chart, 'secure');
    setServingTls(tlsScope, { issuer: ISSUER });
    const thanos = new ThanosCluster(tlsScope, 'thanos', { namespace: 'obs', storage: new Minio(tlsScope, 'minio', { namespace: 'obs' }), ruler: false });
    expect(() => new PrometheusAgent(chart, 'agent', { namespace: 'obs', remoteWrite: [thanos.remoteWriteTarget()] })).toThrow(
      /agent.*remoteWrite\[0\]\.url.*platform's CA.*Fix: make it below the scope that turns serving TLS on/s,
    );
  });
});
