import { parse } from 'yaml';
import { AlloyGateway, AlloyGatewayProps, AlloyLogAgent, AlloyLogAgentProps, expr, renderAlloy } from '../../lib/collectors';
import { OtelCollectorGateway, OtelCollectorGatewayProps } from '../../lib/collectors/otel-collector';
import { Promtail, PromtailProps } from '../../lib/collectors/promtail';
import { HOST_ACCESS_ANNOTATION } from '../../lib/core/pod';
import { crossReferenceProblems } from '../support/cross-refs';
import { podSecurityViolations } from '../support/pod-security';
import { schemaProblems } from '../support/schema';
import { Manifest, argsOf, containersOf, dataOf, get, podSpecOf, synth, testChart } from '../support/synth';

const LOKI_PUSH = 'http://loki-gateway.obs.svc.cluster.local/loki/api/v1/push';
const TEMPO_GRPC = 'tempo-distributor.obs.svc.cluster.local:4317';
const REMOTE_WRITE = { url: 'http://thanos-receive.obs.svc.cluster.local:19291/api/v1/receive', headers: { 'THANOS-TENANT': 'otlp' } };
const LOKI_OTLP = 'http://loki-gateway.obs.svc.cluster.local/otlp';

/** Where the agents under test send, which the tests do not build. */
const PEERS = ['loki-gateway.obs.svc.cluster.local', 'tempo-distributor.obs.svc.cluster.local', 'thanos-receive.obs.svc.cluster.local'];

function logAgent(props: Partial<AlloyLogAgentProps> = {}) {
  const chart = testChart(...PEERS);
  const construct = new AlloyLogAgent(chart, 'alloy', { namespace: 'obs', loki: { pushUrl: LOKI_PUSH, tenant: 'platform' }, ...props });
  return { construct, manifests: synth(chart) };
}
function alloyGateway(props: Partial<AlloyGatewayProps> = {}) {
  const chart = testChart(...PEERS);
  const construct = new AlloyGateway(chart, 'gw', {
    namespace: 'obs',
    traces: { otlpGrpcEndpoint: TEMPO_GRPC },
    metrics: REMOTE_WRITE,
    logs: { pushUrl: LOKI_PUSH, tenant: 'apps' },
    ...props,
  });
  return { construct, manifests: synth(chart) };
}
function otelGateway(props: Partial<OtelCollectorGatewayProps> = {}) {
  const chart = testChart(...PEERS);
  const construct = new OtelCollectorGateway(chart, 'otel', {
    namespace: 'obs',
    traces: { otlpGrpcEndpoint: TEMPO_GRPC },
    metrics: REMOTE_WRITE,
    logs: { otlpUrl: LOKI_OTLP, tenant: 'apps' },
    ...props,
  });
  return { construct, manifests: synth(chart) };
}
function promtail(props: Partial<PromtailProps> = {}) {
  const chart = testChart(...PEERS);
  const construct = new Promtail(chart, 'promtail', { namespace: 'logging-host', loki: { pushUrl: LOKI_PUSH, tenant: 'platform' }, ...props });
  return { construct, manifests: synth(chart) };
}

const container = (m: Manifest) => containersOf(podSpecOf(m))[0];
const volumeAt = (m: Manifest, mountPath: string) => {
  const mount = container(m).volumeMounts.find((x: any) => x.mountPath === mountPath);
  if (!mount) throw new Error(`${m.metadata.name}: nothing mounted at ${mountPath}`);
  return { mount, volume: podSpecOf(m).volumes.find((v: any) => v.name === mount.name) };
};

/** Text of Alloy source with string literals blanked, so structure can be checked without their content. */
const withoutStrings = (text: string) => text.replace(/"(?:[^"\\]|\\.)*"/g, '""');

/** The text of the top-level block whose head is `head` (e.g. `loki.write "default"`), braces included. */
function alloyBlock(config: string, head: string): string {
  const start = config.indexOf(`${head} {`);
  if (start !== 0 && config[start - 1] !== '\n') throw new Error(`no top-level block ${head}`);
  const end = config.indexOf('\n}', start);
  return config.slice(start, end + 2);
}

/**
 * Structural checks Alloy's parser would make: braces and brackets balance, every line holds at
 * most one attribute (Alloy has no `;`), and every component export referenced is of a block defined.
 */
function alloyProblems(config: string): string[] {
  const out: string[] = [];
  const bare = withoutStrings(config);
  let depth = 0;
  for (const ch of bare) {
    if (ch === '{' || ch === '[') depth++;
    if (ch === '}' || ch === ']') depth--;
    if (depth < 0) out.push('unbalanced closing brace');
  }
  if (depth !== 0) out.push(`unbalanced braces: depth ${depth} at the end`);
  for (const line of bare.split('\n')) {
    if ((line.match(/ = /g) ?? []).length > 1) out.push(`two attributes on one line: ${line.trim()}`);
  }
  const defined = new Set([...config.matchAll(/^([a-z_.]+) "([^"]+)" \{/gm)].map((m) => `${m[1]}.${m[2]}`));
  for (const [, ref] of bare.matchAll(/\b((?:[a-z_]+\.)+[a-z_]+)\.(?:targets|output|receiver|input)\b/g)) {
    if (!defined.has(ref)) out.push(`reference to ${ref}, which is not a block of the file`);
  }
  return out;
}

describe('Alloy syntax', () => {
  const text = renderAlloy([
    {
      name: 'outer.block',
      label: 'main',
      attributes: {
        s: 'say "hi"\n\\',
        n: 3,
        b: true,
        e: expr('sys.env("X")'),
        list: ['a', expr('b.c'), 1],
        map: { 'X-Org': 'tenant', k: expr('x.y') },
        empty: {},
        objs: [{ a: 1 }],
      },
      blocks: [{ name: 'inner', attributes: { x: 1 }, blocks: [{ name: 'deep' }] }],
    },
    { name: 'second', label: 'two' },
  ]);

  test('renders nested blocks, quoted labels, JSON-escaped strings, bare expressions, maps and lists', () => {
    expect(text).toBe(
      [
        'outer.block "main" {',
        '  s = "say \\"hi\\"\\n\\\\"',
        '  n = 3',
        '  b = true',
        '  e = sys.env("X")',
        '  list = ["a", b.c, 1]',
        '  map = {',
        '    "X-Org" = "tenant",',
        '    "k" = x.y,',
        '  }',
        '  empty = {}',
        '  objs = [{',
        '    "a" = 1,',
        '  }]',
        '  inner {',
        '    x = 1',
        '    deep {}',
        '  }',
        '}',
        '',
        'second "two" {}',
        '',
      ].join('\n'),
    );
  });

  test('a string round-trips through its JSON escape', () => {
    const line = text.split('\n').find((l) => l.startsWith('  s = '))!;
    expect(JSON.parse(line.slice('  s = '.length))).toBe('say "hi"\n\\');
  });

  test('the structure checker finds two attributes on a line, dangling references and unbalanced braces', () => {
    expect(alloyProblems(text)).toEqual([]);
    expect(alloyProblems('a "x" {\n  p = 1 q = 2\n  r = missing.thing.output\n')).toEqual([
      'unbalanced braces: depth 1 at the end',
      'two attributes on one line: p = 1 q = 2',
      'reference to missing.thing, which is not a block of the file',
    ]);
  });
});

describe('AlloyLogAgent', () => {
  const { manifests, construct } = logAgent();
  const ds = get(manifests, 'StatefulSet', 'alloy-logs');
  const spec = podSpecOf(ds);
  const config = dataOf(get(manifests, 'ConfigMap', 'alloy-logs-config'))['config.alloy'];

  test('valid objects, resolvable references, a restricted pod with no host path', () => {
    expect(manifests.flatMap(schemaProblems)).toEqual([]);
    expect(crossReferenceProblems(manifests, [])).toEqual([]);
    expect(manifests.flatMap(podSecurityViolations)).toEqual([]);
    expect(spec.volumes.filter((v: any) => v.hostPath)).toEqual([]);
    expect(spec.hostNetwork).toBeUndefined();
  });

  test("a StatefulSet of 2 shards of the pinned image, running as the image's alloy user 473 with the API token mounted", () => {
    expect(construct.workload.apiObject.kind).toBe('StatefulSet');
    expect(ds.spec.replicas).toBe(2);
    expect(container(ds).image).toBe('docker.io/grafana/alloy:v1.18.1');
    expect(spec.securityContext).toMatchObject({ runAsUser: 473, runAsGroup: 473, fsGroup: 473, runAsNonRoot: true });
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(container(ds).env).toEqual([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
  });

  test('keeps its read positions on a volume of its own that outlives a restart, a rollout and a scale-down', () => {
    const args = argsOf(ds, 'alloy');
    expect(args.slice(0, 2)).toEqual(['run', '/etc/alloy/config.alloy']);
    expect(args).toContain('--server.http.listen-addr=0.0.0.0:12345');
    const storage = args.filter((a) => a.startsWith('--storage.path='));
    expect(storage.length).toBe(1);
    const mount = container(ds).volumeMounts.find((m: any) => m.mountPath === storage[0].slice('--storage.path='.length));
    expect(mount.readOnly).toBeUndefined();
    expect(spec.volumes.map((v: any) => v.name)).not.toContain(mount.name);
    expect(ds.spec.volumeClaimTemplates.map((c: any) => [c.metadata.name, c.spec.resources.requests.storage])).toEqual([[mount.name, '1Gi']]);
    expect(ds.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(container(ds).ports).toEqual([{ name: 'http-metrics', containerPort: 12345, protocol: 'TCP' }]);
    expect(container(ds).readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'http-metrics' });
    const { volume: configVolume } = volumeAt(ds, '/etc/alloy');
    expect(configVolume.configMap.name).toBe('alloy-logs-config');
  });

  test('may read exactly pods, pods/log and namespaces, granted to its own ServiceAccount', () => {
    const role = get(manifests, 'ClusterRole', 'obs-alloy-logs');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods', 'pods/log', 'namespaces'], verbs: ['get', 'list', 'watch'] }]);
    const binding = get(manifests, 'ClusterRoleBinding', 'obs-alloy-logs');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: spec.serviceAccountName, namespace: 'obs' }]);
    get(manifests, 'ServiceAccount', spec.serviceAccountName);
  });

  test('each shard keeps the pods whose uid hashes to its ordinal, on every node, and writes to the Loki push URL as the tenant', () => {
    expect(alloyProblems(config)).toEqual([]);
    const discovery = alloyBlock(config, 'discovery.kubernetes "pods"');
    expect(discovery).toContain('  role = "pod"\n');
    // No node filter: tainted nodes' pods are tailed too, by whichever shard owns them.
    expect(discovery).not.toContain('selectors');
    const relabel = alloyBlock(config, 'discovery.relabel "pods"');
    expect(relabel).toContain('    source_labels = ["__meta_kubernetes_pod_uid"]\n    target_label = "__tmp_shard"\n    action = "hashmod"\n    modulus = 2\n');
    // The ordinal is the pod name after the StatefulSet's name and a dash: "alloy-logs-1" -> "1".
    expect(relabel).toContain(`    regex = string.trim_prefix(sys.env("POD_NAME"), "${ds.metadata.name}-")\n    action = "keep"\n`);
    // The variable the config reads is one the container sets.
    const envNames = container(ds).env.map((e: any) => e.name);
    for (const [, name] of config.matchAll(/sys\.env\("([^"]+)"\)/g)) expect(envNames).toContain(name);
    const write = alloyBlock(config, 'loki.write "default"');
    expect(write).toContain(`    url = "${LOKI_PUSH}"\n`);
    expect(write).toContain('    tenant_id = "platform"\n');
    expect(alloyBlock(config, 'loki.source.kubernetes "pods"')).toContain('forward_to = [loki.write.default.receiver]');
  });

  test('external labels go on loki.write; without a tenant no tenant_id is written', () => {
    const { manifests: other } = logAgent({ loki: { pushUrl: LOKI_PUSH }, externalLabels: { cluster: 'prod-eu' } });
    const text = dataOf(get(other, 'ConfigMap', 'alloy-logs-config'))['config.alloy'];
    const write = alloyBlock(text, 'loki.write "default"');
    expect(write).toContain('  external_labels = {\n    "cluster" = "prod-eu",\n  }\n');
    expect(write).not.toContain('tenant_id');
    expect(alloyProblems(text)).toEqual([]);
  });
});

describe('AlloyGateway', () => {
  const { manifests, construct } = alloyGateway();
  const deployment = get(manifests, 'Deployment', 'alloy-gateway');
  const config = dataOf(get(manifests, 'ConfigMap', 'alloy-gateway-config'))['config.alloy'];

  test('valid objects, resolvable references, restricted pods without the API token', () => {
    expect(manifests.flatMap(schemaProblems)).toEqual([]);
    expect(crossReferenceProblems(manifests, [])).toEqual([]);
    expect(manifests.flatMap(podSecurityViolations)).toEqual([]);
    expect(podSpecOf(deployment).automountServiceAccountToken).toBe(false);
    expect(deployment.spec.replicas).toBe(2);
    expect(alloyProblems(config)).toEqual([]);
  });

  test('OTLP receivers listen on all interfaces, on ports the container and the Service expose', () => {
    const receiver = alloyBlock(config, 'otelcol.receiver.otlp "default"');
    expect(receiver).toContain('  grpc {\n    endpoint = "0.0.0.0:4317"\n  }');
    expect(receiver).toContain('  http {\n    endpoint = "0.0.0.0:4318"\n  }');
    const containerPorts = container(deployment).ports;
    const svc = get(manifests, 'Service', 'alloy-gateway');
    expect(svc.spec.ports.map((p: any) => ({ name: p.name, port: p.port, targetPort: p.targetPort }))).toEqual([
      { name: 'otlp-grpc', port: 4317, targetPort: 'otlp-grpc' },
      { name: 'otlp-http', port: 4318, targetPort: 'otlp-http' },
    ]);
    for (const p of svc.spec.ports) expect(containerPorts).toContainEqual({ name: p.targetPort, containerPort: p.port, protocol: 'TCP' });
    expect(construct.otlpGrpcEndpoint).toBe('alloy-gateway.obs.svc.cluster.local:4317');
    expect(construct.otlpHttpUrl).toBe('http://alloy-gateway.obs.svc.cluster.local:4318');
  });

  test('traces go to Tempo over plaintext gRPC, metrics by remote write with headers, logs to Loki', () => {
    expect(alloyBlock(config, 'otelcol.exporter.otlp "traces"')).toBe(
      ['otelcol.exporter.otlp "traces" {', '  client {', `    endpoint = "${TEMPO_GRPC}"`, '    tls {', '      insecure = true', '    }', '  }', '}'].join(
        '\n',
      ),
    );
    expect(alloyBlock(config, 'prometheus.remote_write "metrics"')).toBe(
      [
        'prometheus.remote_write "metrics" {',
        '  endpoint {',
        `    url = "${REMOTE_WRITE.url}"`,
        '    headers = {',
        '      "THANOS-TENANT" = "otlp",',
        '    }',
        '  }',
        '}',
      ].join('\n'),
    );
    const write = alloyBlock(config, 'loki.write "default"');
    expect(write).toContain(`    url = "${LOKI_PUSH}"\n`);
    expect(write).toContain('    tenant_id = "apps"\n');
    // Each signal reaches its exporter through the batch processor.
    const batch = alloyBlock(config, 'otelcol.processor.batch "default"');
    expect(batch).toContain('traces = [otelcol.exporter.otlp.traces.input]');
    expect(batch).toContain('metrics = [otelcol.exporter.prometheus.metrics.input]');
    expect(batch).toContain('logs = [otelcol.exporter.loki.logs.input]');
  });
});

describe('OtelCollectorGateway', () => {
  const { manifests, construct } = otelGateway();
  const deployment = get(manifests, 'Deployment', 'otel-gateway');
  const c = container(deployment);
  const config = parse(dataOf(get(manifests, 'ConfigMap', 'otel-gateway-config'))['config.yaml']);
  const portOf = (name: string) => c.ports.find((p: any) => p.name === name)?.containerPort;

  test('valid objects, resolvable references, restricted pods, the config file the args name', () => {
    expect(manifests.flatMap(schemaProblems)).toEqual([]);
    expect(crossReferenceProblems(manifests, [])).toEqual([]);
    expect(manifests.flatMap(podSecurityViolations)).toEqual([]);
    expect(argsOf(deployment, 'otel-collector')).toEqual(['--config=/conf/config.yaml']);
    expect(volumeAt(deployment, '/conf').volume.configMap.name).toBe('otel-gateway-config');
    expect(c.image).toBe('docker.io/otel/opentelemetry-collector-contrib:0.158.0');
  });

  test('receivers listen on all interfaces, on ports the container and the Service expose', () => {
    const { grpc, http } = config.receivers.otlp.protocols;
    expect([grpc.endpoint, http.endpoint]).toEqual(['0.0.0.0:4317', '0.0.0.0:4318']);
    const servicePorts = get(manifests, 'Service', 'otel-gateway').spec.ports;
    for (const [name, endpoint] of [
      ['otlp-grpc', grpc.endpoint],
      ['otlp-http', http.endpoint],
    ]) {
      const port = Number(endpoint.split(':')[1]);
      expect(portOf(name)).toBe(port);
      expect(servicePorts).toContainEqual({ name, port, protocol: 'TCP', targetPort: name });
    }
  });

  test('exporters of the 0.158 names, with their endpoints and tenant headers', () => {
    expect(config.exporters).toEqual({
      'otlp_grpc/tempo': { endpoint: TEMPO_GRPC, tls: { insecure: true } },
      'prometheusremotewrite/metrics': { endpoint: REMOTE_WRITE.url, headers: { 'THANOS-TENANT': 'otlp' } },
      'otlp_http/loki': { endpoint: LOKI_OTLP, headers: { 'X-Scope-OrgID': 'apps' } },
    });
  });

  test('pipelines use only defined components, memory_limiter first; nothing removed upstream is configured', () => {
    const pipelines = config.service.pipelines;
    expect(Object.keys(pipelines)).toEqual(['traces', 'metrics', 'logs']);
    for (const p of Object.values(pipelines) as any[]) {
      for (const r of p.receivers) expect(Object.keys(config.receivers)).toContain(r);
      for (const x of p.processors) expect(Object.keys(config.processors)).toContain(x);
      for (const e of p.exporters) expect(Object.keys(config.exporters)).toContain(e);
      expect(p.processors[0]).toBe('memory_limiter');
    }
    expect(config.processors.memory_limiter.check_interval).toBe('5s');
    expect(config.processors.memory_limiter.limit_percentage).toBeGreaterThan(config.processors.memory_limiter.spike_limit_percentage);
    for (const e of config.service.extensions) expect(Object.keys(config.extensions)).toContain(e);
    const types = Object.keys(config.exporters).map((k) => k.split('/')[0]);
    expect(types.filter((t) => ['loki', 'logging', 'otlp', 'otlphttp'].includes(t))).toEqual([]);
    expect(config.service.telemetry.metrics.address).toBeUndefined();
  });

  test('health_check on 0.0.0.0:13133 is what the probes read', () => {
    expect(config.extensions.health_check).toEqual({ endpoint: '0.0.0.0:13133', path: '/' });
    for (const probe of [c.readinessProbe, c.livenessProbe]) {
      expect(probe.httpGet.path).toBe(config.extensions.health_check.path);
      expect(portOf(probe.httpGet.port)).toBe(13133);
    }
  });

  test('self-metrics are served on 0.0.0.0:8888, the port the scrape target names', () => {
    expect(config.service.telemetry.metrics.readers).toEqual([{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: 8888 } } } }]);
    expect(construct.scrapeTarget.srvRecord).toBe('_metrics._tcp.otel-gateway-headless.obs.svc.cluster.local');
    expect(construct.scrapeTarget.service).toEqual({ name: 'otel-gateway-headless', namespace: 'obs', port: 'metrics' });
    expect(portOf('metrics')).toBe(8888);
    const headless = get(manifests, 'Service', 'otel-gateway-headless');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.ports).toEqual([{ name: 'metrics', port: 8888, protocol: 'TCP', targetPort: 'metrics' }]);
  });

  test('without metrics and logs destinations only the traces pipeline exists', () => {
    const chart = testChart(...PEERS);
    new OtelCollectorGateway(chart, 'otel', { namespace: 'obs', traces: { otlpGrpcEndpoint: TEMPO_GRPC } });
    const only = parse(dataOf(get(synth(chart), 'ConfigMap', 'otel-gateway-config'))['config.yaml']);
    expect(Object.keys(only.service.pipelines)).toEqual(['traces']);
    expect(Object.keys(only.exporters)).toEqual(['otlp_grpc/tempo']);
  });

  test('configOverrides merge into the generated config; lists replace', () => {
    const { manifests: other } = otelGateway({ configOverrides: { processors: { batch: { timeout: '2s' } }, service: { extensions: ['health_check'] } } });
    const merged = parse(dataOf(get(other, 'ConfigMap', 'otel-gateway-config'))['config.yaml']);
    expect(merged.processors).toEqual({ memory_limiter: config.processors.memory_limiter, batch: { timeout: '2s' } });
    expect(merged.service.pipelines).toEqual(config.service.pipelines);
  });
});

describe('Promtail', () => {
  const { manifests } = promtail();
  const ds = get(manifests, 'DaemonSet', 'promtail-agent');
  const spec = podSpecOf(ds);
  const c = container(ds);
  const config = parse(dataOf(get(manifests, 'ConfigMap', 'promtail-agent-config'))['promtail.yaml']);

  test('valid objects and resolvable references', () => {
    expect(manifests.flatMap(schemaProblems)).toEqual([]);
    expect(crossReferenceProblems(manifests, [])).toEqual([]);
  });

  test('a DaemonSet reading /var/log/pods read-only and keeping positions in a writable /run/promtail on the node', () => {
    expect(ds.kind).toBe('DaemonSet');
    expect(c.image).toBe('docker.io/grafana/promtail:3.6.11');
    const logs = volumeAt(ds, '/var/log/pods');
    expect(logs.mount.readOnly).toBe(true);
    expect(logs.volume.hostPath).toEqual({ path: '/var/log/pods', type: 'Directory' });
    const positions = volumeAt(ds, '/run/promtail');
    expect(positions.mount.readOnly).toBeUndefined();
    expect(positions.volume.hostPath).toEqual({ path: '/run/promtail', type: 'DirectoryOrCreate' });
    expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  test('runs as root to read the logs, everything else as strict as "restricted", with the reason on the pod', () => {
    expect(spec.securityContext).toMatchObject({ runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(ds.spec.template.metadata.annotations[HOST_ACCESS_ANNOTATION]).toMatch(/\/var\/log\/pods/);
    const violations = podSecurityViolations(ds);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.filter((v) => !/runAsNonRoot is not true|runs as uid 0|volume (pods-logs|positions) has type hostPath/.test(v))).toEqual([]);
  });

  test('limits discovery to its node through HOSTNAME and reads pods only', () => {
    expect(c.env).toEqual([{ name: 'HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]);
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(get(manifests, 'ClusterRole', 'logging-host-promtail-agent').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(get(manifests, 'ClusterRoleBinding', 'logging-host-promtail-agent').subjects).toEqual([
      { kind: 'ServiceAccount', name: spec.serviceAccountName, namespace: 'logging-host' },
    ]);
  });

  test('config: positions on the writable mount, the client with its tenant, CRI parsing, pod log paths', () => {
    expect(argsOf(ds, 'promtail')).toEqual(['-config.file=/etc/promtail/promtail.yaml']);
    expect(volumeAt(ds, '/etc/promtail').volume.configMap.name).toBe('promtail-agent-config');
    expect(config.positions.filename).toBe('/run/promtail/positions.yaml');
    expect(config.clients).toEqual([{ url: LOKI_PUSH, tenant_id: 'platform' }]);
    const [job] = config.scrape_configs;
    expect(job.pipeline_stages).toEqual([{ cri: {} }]);
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    const path = job.relabel_configs.find((r: any) => r.target_label === '__path__');
    expect(path).toEqual({
      source_labels: ['__meta_kubernetes_pod_uid', '__meta_kubernetes_pod_container_name'],
      separator: '/',
      replacement: '/var/log/pods/*$1/*.log',
      target_label: '__path__',
    });
    // uid "u1" and container "app" join to "u1/app", and the glob then names that container's files.
    expect(path.replacement.replace('$1', ['u1', 'app'].join(path.separator))).toBe('/var/log/pods/*u1/app/*.log');
  });

  test('the HTTP port in the config is the container port the probes and the Service use', () => {
    expect(config.server).toEqual({ http_listen_port: 3101, grpc_listen_port: 0 });
    expect(c.ports).toEqual([{ name: 'http-metrics', containerPort: config.server.http_listen_port, protocol: 'TCP' }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http-metrics' });
    expect(get(manifests, 'Service', 'promtail-agent-headless').spec.ports).toEqual([
      { name: 'http-metrics', port: 3101, protocol: 'TCP', targetPort: 'http-metrics' },
    ]);
  });
});

describe('the labels the log agents attach', () => {
  // What LogQL rules are checked against (see lib/platform/rule-labels.ts): it must be what the configs do.
  test('Alloy: streamLabels are the relabel targets of its pods, then its external labels', () => {
    const { construct, manifests } = logAgent({ externalLabels: { cluster: 'eu-1' } });
    const config = dataOf(get(manifests, 'ConfigMap', 'alloy-logs-config'))['config.alloy'];
    const targets = [...config.matchAll(/target_label\s*=\s*"([^"]+)"/g)].map((m) => m[1]).filter((l) => !l.startsWith('__'));
    expect(construct.streamLabels).toEqual([...targets, 'cluster']);
    expect(config).toMatch(/external_labels\s*=\s*\{\s*"?cluster"?\s*=\s*"eu-1"/);
  });

  test('promtail: streamLabels are the relabel targets of its pods, then its external labels', () => {
    const { construct, manifests } = promtail({ externalLabels: { cluster: 'eu-1' } });
    const config = parse(dataOf(get(manifests, 'ConfigMap', 'promtail-agent-config'))['promtail.yaml']);
    const targets = config.scrape_configs[0].relabel_configs.map((r: any) => r.target_label).filter((l: string) => !l.startsWith('__'));
    expect(construct.streamLabels).toEqual([...targets, 'cluster']);
  });
});
