import { APPS } from '../../apps';
import { crossReferenceProblems, dnsProblems, programStrings, serviceReferences } from '../support/cross-refs';
import { outputPodSecurityViolations } from '../support/pod-security';
import { schemaProblems } from '../support/schema';
import { containersOf, podSpecOf, synthApp, workloads } from '../support/synth';
import { credentialsIn } from '../support/credentials';
import { unknownKeys } from '../support/config-keys';
import { flagProblems, hashringProblems, thanosConfigDocuments } from '../support/thanos';
import { storageNodeProblems, vmFlagProblems } from '../support/victoriametrics';

/** Every string in an object (config files, args, annotations), decoded where it is base64 data. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)]);
  return [];
}

describe.each(Object.keys(APPS))('app %s', (name) => {
  const { manifests, charts, external, warnings } = synthApp(name);

  test('synthesizes with no warning it does not acknowledge on purpose', () => {
    expect(warnings).toEqual([]);
  });

  test('synthesizes objects, all in explicit namespaces', () => {
    expect(manifests.length).toBeGreaterThan(10);
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'APIService'];
    for (const m of manifests.filter((x) => !clusterScoped.includes(x.kind)))
      expect({ obj: `${m.kind}/${m.metadata.name}`, ns: m.metadata.namespace }).toEqual({ obj: `${m.kind}/${m.metadata.name}`, ns: expect.any(String) });
  });

  test('every object is valid against the Kubernetes schema and name rules', () => {
    expect(manifests.flatMap(schemaProblems)).toEqual([]);
  });

  // Each chart is one output file, applied to one cluster (a multi-cluster scenario has several),
  // so names are unique and references resolve within each chart on its own.
  test('no two objects of one chart share kind, namespace and name', () => {
    for (const chart of charts) {
      const keys = chart.manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`);
      expect({ chart: chart.id, duplicates: keys.filter((k, i) => keys.indexOf(k) !== i) }).toEqual({ chart: chart.id, duplicates: [] });
    }
  });

  test('every reference resolves within its chart: selectors, ports, mounts, ConfigMaps, Secrets, ServiceAccounts', () => {
    for (const chart of charts)
      expect({ chart: chart.id, problems: crossReferenceProblems(chart.manifests, external) }).toEqual({ chart: chart.id, problems: [] });
  });

  test('every in-cluster DNS name in args and config files is a Service of its chart', () => {
    // The components are wired by DNS: a check that found no names would prove nothing.
    expect(programStrings(manifests).flatMap((s) => serviceReferences(s.text)).length).toBeGreaterThanOrEqual(5);
    for (const chart of charts) expect({ chart: chart.id, problems: dnsProblems(chart.manifests, external) }).toEqual({ chart: chart.id, problems: [] });
  });

  test('every pod meets Pod Security "restricted" and has a read-only root filesystem (node agents: only their declared host access)', () => {
    expect(outputPodSecurityViolations(manifests)).toEqual([]);
  });

  test('every image is pinned and every container has resources and, if long-running and serving a port, a readiness probe', () => {
    for (const w of workloads(manifests)) {
      for (const c of containersOf(podSpecOf(w))) {
        expect(c.image).toMatch(/^[^:]+(:\d+)?\/.+:(?!latest$)[\w.-]+$/);
        expect({ c: `${w.metadata.name}/${c.name}`, requests: c.resources?.requests }).toEqual({
          c: `${w.metadata.name}/${c.name}`,
          requests: expect.any(Object),
        });
        // Init containers run to completion (the API refuses probes on them), except native sidecars.
        const runsToCompletion = w.kind === 'Job' || (podSpecOf(w).initContainers ?? []).some((i: any) => i === c && i.restartPolicy !== 'Always');
        // Readiness gates traffic to a container's ports: a sidecar that serves none (vmbackup's
        // schedule, memcached's certificate refresh) has nothing to be ready for, and a probe of
        // its work would stall rollouts and node drains on a failing backup.
        if (!runsToCompletion && (c.ports ?? []).length > 0)
          expect({ c: `${w.metadata.name}/${c.name}`, probe: c.readinessProbe }).toEqual({ c: `${w.metadata.name}/${c.name}`, probe: expect.any(Object) });
      }
    }
  });

  test('no credential is written: no Secret, and no credential-looking key with a value in any object', () => {
    expect(manifests.filter((m) => m.kind === 'Secret').map((m) => m.metadata.name)).toEqual([]);
    for (const m of manifests) {
      expect({ object: `${m.kind}/${m.metadata.name}`, credentials: stringsOf(m).flatMap(credentialsIn) }).toEqual({
        object: `${m.kind}/${m.metadata.name}`,
        credentials: [],
      });
    }
    for (const w of workloads(manifests)) {
      for (const c of containersOf(podSpecOf(w))) {
        for (const e of c.env ?? [])
          expect({ env: e.name, literal: /KEY|SECRET|PASSWORD|TOKEN/.test(e.name) ? e.value : undefined }).toEqual({ env: e.name, literal: undefined });
      }
    }
  });

  test('every Thanos and Prometheus flag exists for its sub-command or mode in the pinned release', () => {
    expect(flagProblems(manifests)).toEqual([]);
  });

  test('every VictoriaMetrics flag exists for its program in v1.151.0', () => {
    expect(vmFlagProblems(manifests)).toEqual([]);
  });

  test('vminsert and vmselect list exactly the vmstorage pods, on the right ports, with one replication factor', () => {
    expect(storageNodeProblems(manifests).problems).toEqual([]);
  });

  test('every receive hashrings file parses and lists exactly the pods of its rings', () => {
    expect(hashringProblems(manifests).problems).toEqual([]);
  });

  test('every Thanos config (object store, caches, endpoint discovery) uses only keys v0.42.4 knows', () => {
    for (const { where, doc, tree } of thanosConfigDocuments(manifests)) expect({ where, unknown: unknownKeys(doc, tree) }).toEqual({ where, unknown: [] });
  });

  test('matches the snapshot (a guard against unintended change, not the proof)', () => {
    expect(manifests).toMatchSnapshot();
  });
});

describe('apps', () => {
  test('the default platform is SeaweedFS, Loki, Thanos, Tempo, Grafana and the collectors, in a namespace that enforces "restricted"', () => {
    const { manifests } = synthApp('platform');
    const ns = manifests.filter((m) => m.kind === 'Namespace');
    expect(ns.map((n) => [n.metadata.name, n.metadata.labels?.['pod-security.kubernetes.io/enforce']])).toEqual([['observability', 'restricted']]);
    const names = workloads(manifests)
      .map((w) => `${w.kind}/${w.metadata.name}`)
      .sort();
    expect(names.filter((n) => !n.startsWith('Job/'))).toEqual([
      'DaemonSet/node-exporter',
      'Deployment/grafana-server',
      'Deployment/kube-state-metrics',
      'Deployment/loki-gateway',
      'Deployment/loki-read',
      'Deployment/otel-gateway',
      'Deployment/thanos-query',
      'Deployment/thanos-query-frontend',
      'StatefulSet/alertmanager',
      'StatefulSet/alloy-logs',
      'StatefulSet/loki-backend',
      'StatefulSet/loki-write',
      'StatefulSet/prometheus-agent',
      'StatefulSet/seaweedfs-server',
      'StatefulSet/tempo-monolithic',
      'StatefulSet/thanos-compactor',
      'StatefulSet/thanos-receive',
      'StatefulSet/thanos-ruler',
      'StatefulSet/thanos-store',
    ]);
  });

  test("the multi-tenant scenario declares the htpasswd Secret and the clients' passwords Secret the user provides", () => {
    expect(synthApp('loki-multitenant').external).toEqual([
      expect.objectContaining({ kind: 'Secret', namespace: 'logs', name: 'logs-gateway-htpasswd' }),
      expect.objectContaining({ kind: 'Secret', namespace: 'logs', name: 'logs-gateway-passwords' }),
    ]);
  });

  test('the AWS scenario has no MinIO and no Secret; the key-less Thanos object-store config is a ConfigMap', () => {
    const { manifests } = synthApp('loki-aws');
    expect(manifests.filter((m) => m.metadata.name.startsWith('minio'))).toEqual([]);
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    expect(manifests.filter((m) => m.kind === 'ConfigMap' && m.metadata.name === 'thanos-objstore')).toHaveLength(1);
  });
});
