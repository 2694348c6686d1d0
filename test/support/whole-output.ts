import { unknownKeys } from './config-keys';
import { credentialsIn } from './credentials';
import { crossReferenceProblems, dnsProblems, programStrings, serviceReferences } from './cross-refs';
import { outputPodSecurityViolations } from './pod-security';
import { schemaProblems } from './schema';
import { SynthesizedApp, containersOf, podSpecOf, workloads } from './synth';
import { flagProblems, hashringProblems, thanosConfigDocuments } from './thanos';
import { storageNodeProblems, vmFlagProblems } from './victoriametrics';

/** One check of a whole synthesized output: its name (the test's) and what it finds wrong, empty when nothing. */
export interface WholeOutputCheck {
  readonly name: string;
  readonly problems: (app: SynthesizedApp) => unknown[];
}

/** Every string in an object (config files, args, annotations), decoded where it is base64 data. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)]);
  return [];
}

/** Each chart's problems, named by the chart: a chart is one output file, applied to one cluster. */
function perChart(app: SynthesizedApp, check: (manifests: SynthesizedApp['manifests']) => unknown[]): unknown[] {
  return app.charts.flatMap((chart) => check(chart.manifests).map((problem) => ({ chart: chart.id, problem })));
}

/**
 * The checks every output of the library passes, whoever made it: each app in `apps/`, each
 * planned spec. One list, so that a new check reaches them all.
 */
export const WHOLE_OUTPUT_CHECKS: readonly WholeOutputCheck[] = [
  { name: 'synthesizes with no warning it does not acknowledge on purpose', problems: (app) => app.warnings },
  {
    name: 'synthesizes objects, all in explicit namespaces',
    problems: (app) => {
      const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'APIService'];
      return [
        ...(app.manifests.length > 10 ? [] : [`only ${app.manifests.length} objects`]),
        ...app.manifests
          .filter((m) => !clusterScoped.includes(m.kind) && typeof m.metadata.namespace !== 'string')
          .map((m) => `${m.kind}/${m.metadata.name} has no namespace`),
      ];
    },
  },
  { name: 'every object is valid against the Kubernetes schema and name rules', problems: (app) => app.manifests.flatMap(schemaProblems) },
  {
    name: 'no two objects of one chart share kind, namespace and name',
    problems: (app) =>
      perChart(app, (manifests) => {
        const keys = manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`);
        return keys.filter((k, i) => keys.indexOf(k) !== i);
      }),
  },
  {
    name: 'every reference resolves within its chart: selectors, ports, mounts, ConfigMaps, Secrets, ServiceAccounts',
    problems: (app) => perChart(app, (manifests) => crossReferenceProblems(manifests, app.external)),
  },
  {
    name: 'every in-cluster DNS name in args and config files is a Service of its chart',
    problems: (app) => {
      // The components are wired by DNS: a check that found no names would prove nothing.
      const names = programStrings(app.manifests).flatMap((s) => serviceReferences(s.text)).length;
      return [...(names >= 5 ? [] : [`only ${names} in-cluster DNS names`]), ...perChart(app, (manifests) => dnsProblems(manifests, app.external))];
    },
  },
  {
    name: 'every pod meets Pod Security "restricted" and has a read-only root filesystem (node agents: only their declared host access)',
    problems: (app) => outputPodSecurityViolations(app.manifests),
  },
  {
    name: 'every image is pinned and every container has resources and, if long-running and serving a port, a readiness probe',
    problems: (app) =>
      workloads(app.manifests).flatMap((w) =>
        containersOf(podSpecOf(w)).flatMap((c) => {
          const where = `${w.metadata.name}/${c.name}`;
          // Init containers run to completion (the API refuses probes on them), except native sidecars.
          const runsToCompletion = w.kind === 'Job' || (podSpecOf(w).initContainers ?? []).some((i: any) => i === c && i.restartPolicy !== 'Always');
          return [
            ...(/^[^:]+(:\d+)?\/.+:(?!latest$)[\w.-]+$/.test(c.image) ? [] : [`${where}: image ${c.image} is not pinned`]),
            ...(c.resources?.requests && typeof c.resources.requests === 'object' ? [] : [`${where}: no resource requests`]),
            // Readiness gates traffic to a container's ports: a sidecar that serves none (vmbackup's
            // schedule, memcached's certificate refresh) has nothing to be ready for, and a probe of
            // its work would stall rollouts and node drains on a failing backup.
            ...(!runsToCompletion && (c.ports ?? []).length > 0 && !c.readinessProbe ? [`${where}: serves a port without a readiness probe`] : []),
          ];
        }),
      ),
  },
  {
    name: 'no credential is written: no Secret, and no credential-looking key with a value in any object',
    problems: (app) => [
      ...app.manifests.filter((m) => m.kind === 'Secret').map((m) => `Secret ${m.metadata.name}`),
      ...app.manifests.flatMap((m) =>
        stringsOf(m)
          .flatMap(credentialsIn)
          .map((credential) => `${m.kind}/${m.metadata.name}: ${credential}`),
      ),
      ...workloads(app.manifests).flatMap((w) =>
        containersOf(podSpecOf(w)).flatMap((c) =>
          (c.env ?? [])
            .filter((e: any) => /KEY|SECRET|PASSWORD|TOKEN/.test(e.name) && e.value !== undefined)
            .map((e: any) => `${w.metadata.name}/${c.name}: env ${e.name} has a literal value`),
        ),
      ),
    ],
  },
  { name: 'every Thanos and Prometheus flag exists for its sub-command or mode in the pinned release', problems: (app) => flagProblems(app.manifests) },
  { name: 'every VictoriaMetrics flag exists for its program in v1.151.0', problems: (app) => vmFlagProblems(app.manifests) },
  {
    name: 'vminsert and vmselect list exactly the vmstorage pods, on the right ports, with one replication factor',
    problems: (app) => storageNodeProblems(app.manifests).problems,
  },
  { name: 'every receive hashrings file parses and lists exactly the pods of its rings', problems: (app) => hashringProblems(app.manifests).problems },
  {
    name: 'every Thanos config (object store, caches, endpoint discovery) uses only keys v0.42.4 knows',
    problems: (app) => thanosConfigDocuments(app.manifests).flatMap(({ where, doc, tree }) => unknownKeys(doc, tree).map((key) => `${where}: ${key}`)),
  },
];
