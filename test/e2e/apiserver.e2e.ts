import { App, Chart } from 'cdk8s';
import { APPS } from '../../apps';
import { LokiCluster, Minio } from '../../lib';
import { Manifest, synthApp } from '../support/synth';
import { Problems, applyAll, baseline, deliberateWarnings, installCrds, podSecurityProblems, removeAll } from './support/apply';
import { LocalApiServer } from './support/kube-apiserver';
import { scenario } from './support/programs';
import { planUpgrade } from '../../lib/planning/upgrade';
import { upgradeFixtures } from '../support/upgrade-fixtures';

/**
 * Scenario f: every chart of every app applied to a real kube-apiserver (Kubernetes 1.36, etcd
 * behind it) as `kubectl apply --server-side` would: the CRDs first, strict field validation, Pod
 * Security admission enforcing each namespace's own labels on a pod of every workload. Then the
 * upgrade: the committed output of the release before (test/e2e/baseline) applied first and this
 * output on top, with no refusal, which is what an immutable field changed by mistake would cause.
 * Each chart is one cluster's worth (vm-multi-region's regions are separate clusters), so each is
 * applied on its own and removed before the next.
 */
const BASELINE_VERSION = 'v0.1.0';
const charts = Object.keys(APPS).flatMap((app) => synthApp(app).charts.map((c) => ({ app, chart: c.id, manifests: c.manifests })));
const before = baseline(BASELINE_VERSION);
const run = scenario('kube-apiserver', 'etcd');
/** The problems, less the Pod Security warnings the output asks for (host agents' namespaces warn at "restricted"). */
const unexpected = (manifests: Manifest[], problems: Problems) => {
  const deliberate = deliberateWarnings(manifests, problems);
  return problems.filter((p) => !deliberate.includes(p));
};

/**
 * A kube-apiserver for the enclosing block: started (then `prepare`d) before its tests and stopped
 * after them. Returns the accessor the tests call.
 */
function apiServer(prepare: (server: LocalApiServer) => Promise<void> = async () => undefined): () => LocalApiServer {
  let server: LocalApiServer | undefined;
  beforeAll(async () => {
    if (run === test.skip) return;
    server = await LocalApiServer.start();
    await prepare(server);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('kube-apiserver did not start');
    return server;
  };
}

/** The cluster every chart is applied to: the CRDs of the pinned operator releases installed. */
const api = apiServer(installCrds);

describe.each(charts)('$app: chart $chart', ({ app, chart, manifests }) => {
  run('applies with no refusal, no warning but those it asks for, and Pod Security admits a pod of every workload', async () => {
    const applied = await applyAll(api(), manifests);
    const podSecurity = await podSecurityProblems(api(), manifests);
    await removeAll(api(), manifests);
    expect(unexpected(manifests, [...applied, ...podSecurity])).toEqual([]);
  });

  run(`applies on top of the ${before.version} output with no refusal`, async () => {
    const old = before.apps[app]?.[chart] ?? [];
    const baselineProblems = await applyAll(api(), old);
    const upgradeProblems = await applyAll(api(), manifests);
    await removeAll(api(), [...old, ...manifests]);
    expect({ baselineProblems: unexpected(old, baselineProblems), upgradeProblems: unexpected(manifests, upgradeProblems) }).toEqual({
      baselineProblems: [],
      upgradeProblems: [],
    });
    // The upgrade planner agrees: nothing it calls refused, where the server refused nothing.
    expect(planUpgrade(old, manifests).changes.filter((c) => c.class === 'refused')).toEqual([]);
  });
});

/**
 * The upgrade planner's fixture pairs on the real server: each pair's old side applied, then its
 * new side on top. The server refuses exactly the objects the planner calls refused.
 */
describe("the upgrade planner's fixture pairs", () => {
  const namespace: Manifest = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'upgrade-fixtures' } };

  describe.each(upgradeFixtures())('$name', ({ before, after }) => {
    run('the server refuses exactly what the planner calls refused', async () => {
      const [old, now] = [before as Manifest[], after as Manifest[]];
      const setUp = await applyAll(api(), [namespace, ...old]);
      const problems = await applyAll(api(), now);
      await removeAll(api(), [...old, ...now]);
      const refusedByPlanner = [
        ...new Set(
          planUpgrade(old, now)
            .changes.filter((c) => c.class === 'refused')
            .map((c) => `${c.object.kind} ${c.object.namespace}/${c.object.name}`),
        ),
      ];
      const refusedByServer = [...new Set(problems.filter((p) => / refused \(\d+\)/.test(p)).map((p) => p.split(':')[0]))];
      expect({ setUp, refusedByServer: refusedByServer.sort() }).toEqual({ setUp: [], refusedByServer: refusedByPlanner.sort() });
    });
  });
});

describe('on a bare cluster, with no CRD installed', () => {
  const bareApi = apiServer();
  /** Objects of kinds that only a CRD (prometheus-operator, grafana-operator) makes the API server serve. */
  const needsCrd = (m: Manifest) => /(^|\.)(coreos\.com|integreatly\.org|cert-manager\.io)\//.test(m.apiVersion);
  const chartOf = (app: string) => charts.find((c) => c.app === app)!.manifests;

  run('the default platform applies with no refusal: nothing in it needs a CRD', async () => {
    const platform = chartOf('platform');
    expect(platform.filter(needsCrd).map((m) => `${m.kind} ${m.metadata.name}`)).toEqual([]);
    const problems = await applyAll(bareApi(), platform);
    await removeAll(bareApi(), platform);
    expect(unexpected(platform, problems)).toEqual([]);
  });

  run('an app that opts into operator resources applies everything else, and exactly those wait for their CRDs', async () => {
    const umbrella = chartOf('umbrella');
    const problems = await applyAll(bareApi(), umbrella);
    await removeAll(bareApi(), umbrella);
    expect(umbrella.filter(needsCrd).length).toBeGreaterThan(0);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      umbrella
        .filter(needsCrd)
        .map((m) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)
        .sort(),
    );
    // Refused because the server does not serve their API group yet, and for no other reason.
    expect(problems.filter((p) => !/: apply refused: the API server does not serve [\w.-]+\/v\w+ \(404\)$/.test(p))).toEqual([]);
  });
});

describe('the checks catch what they are for', () => {
  const platform = charts.find((c) => c.app === 'platform')!.manifests;
  const edited = (edit: (m: Manifest) => Manifest | undefined): Manifest[] => {
    let hits = 0;
    const out = platform.map((m) => {
      const changed = edit(structuredClone(m));
      if (!changed) return m;
      hits++;
      return changed;
    });
    if (hits !== 1) throw new Error(`the edit matched ${hits} objects, not one`);
    return out;
  };

  run('an upgrade that changes a StatefulSet volume claim template is refused', async () => {
    const [target] = platform.filter((m) => m.kind === 'StatefulSet' && (m.spec.volumeClaimTemplates ?? []).length > 0);
    const grown = edited((m) => {
      if (m.kind !== 'StatefulSet' || m.metadata.name !== target.metadata.name) return undefined;
      m.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '999Gi';
      return m;
    });
    expect(await applyAll(api(), platform)).toEqual([]);
    const problems = await applyAll(api(), grown);
    await removeAll(api(), platform);
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^StatefulSet observability/${target.metadata.name}: apply refused \\(422\\): .*Forbidden: updates to statefulset spec for fields other than`,
        ),
      ),
    ]);
  });

  run('a changed Deployment selector is refused as immutable', async () => {
    const [target] = platform.filter((m) => m.kind === 'Deployment');
    const moved = edited((m) => {
      if (m.kind !== 'Deployment' || m.metadata.name !== target.metadata.name) return undefined;
      m.spec.selector.matchLabels = { ...m.spec.selector.matchLabels, 'e2e/extra': 'x' };
      m.spec.template.metadata.labels = { ...m.spec.template.metadata.labels, 'e2e/extra': 'x' };
      return m;
    });
    expect(await applyAll(api(), platform)).toEqual([]);
    const problems = await applyAll(api(), moved);
    await removeAll(api(), platform);
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^Deployment observability/${target.metadata.name}: apply refused \\(422\\): .*field is immutable`)),
    ]);
  });

  run('Pod Security refuses a pod that runs as root in a restricted namespace; strict validation refuses an unknown field', async () => {
    const [target] = platform.filter((m) => m.kind === 'Deployment');
    const only = (all: Manifest[]) => all.filter((m) => m.kind === 'Deployment' && m.metadata.name === target.metadata.name);
    const rooted = edited((m) => {
      if (m.kind !== 'Deployment' || m.metadata.name !== target.metadata.name) return undefined;
      m.spec.template.spec.securityContext = { ...m.spec.template.spec.securityContext, runAsNonRoot: false, runAsUser: 0 };
      return m;
    });
    const misspelt = edited((m) => {
      if (m.kind !== 'Deployment' || m.metadata.name !== target.metadata.name) return undefined;
      m.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
      return m;
    });
    expect(
      await applyAll(
        api(),
        platform.filter((m) => m.kind === 'Namespace'),
      ),
    ).toEqual([]);
    expect(await podSecurityProblems(api(), only(platform))).toEqual([]);
    expect(await podSecurityProblems(api(), only(rooted))).toEqual([
      expect.stringMatching(/a pod of its template refused \(403\): .*violates PodSecurity "restricted:latest": .*runAsNonRoot != true/),
    ]);
    expect(await applyAll(api(), only(misspelt))).toEqual([
      expect.stringMatching(/apply refused \(\d{3}\): .*\.imagePullPolicyy: field not declared in schema/),
    ]);
  });
});

describe('zone-aware Loki on the real API server', () => {
  /**
   * Loki's ingesters learn their zone from a label the API server itself puts on the pod: the
   * PodTopologyLabels admission (beta, on by default in 1.36) copies the node's zone label to the
   * pod when it is bound. Here a pod of the emitted write StatefulSet is made and bound to a node
   * of a zone, as the scheduler binds it, and the label the pod's env reads is read back.
   */
  run("a pod of the zone-aware write StatefulSet is created as emitted and, once bound to a node, carries that node's zone", async () => {
    const app = new App({ outdir: '/nonexistent' });
    const chart = new Chart(app, 'zones', { disableResourceNameHashes: true });
    const loki = new LokiCluster(chart, 'loki', {
      namespace: 'e2e-zones',
      storage: new Minio(chart, 'minio', { namespace: 'e2e-zones' }),
      zones: ['zone-a', 'zone-b', 'zone-c'],
    });
    const write = chart.toJson().find((m: Manifest) => m.kind === 'StatefulSet' && m.metadata.name === loki.workloads.write.identity.name) as Manifest;
    const zoneEnv = write.spec.template.spec.containers[0].env.find((e: any) => e.name === 'ZONE');
    const server = api();
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'e2e-node-b', labels: { 'topology.kubernetes.io/zone': 'zone-b' } } };
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'e2e-zones' } };
    // The StatefulSet's pod as its controller makes it: the template, a name, the claim as a volume.
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'loki-write-0', namespace: 'e2e-zones', labels: write.spec.template.metadata.labels },
      spec: { ...write.spec.template.spec, volumes: [...write.spec.template.spec.volumes, { name: 'data', emptyDir: {} }] },
    };
    const created = [
      await server.request('POST', '/api/v1/nodes', node),
      await server.request('POST', '/api/v1/namespaces', namespace),
      await server.request('POST', '/api/v1/namespaces/e2e-zones/pods', pod),
    ].map((r) => r.status);
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'loki-write-0' }, target: { apiVersion: 'v1', kind: 'Node', name: 'e2e-node-b' } };
    const bound = await server.request('POST', '/api/v1/namespaces/e2e-zones/pods/loki-write-0/binding', binding);
    const read = await server.request('GET', '/api/v1/namespaces/e2e-zones/pods/loki-write-0');
    await server.request('DELETE', '/api/v1/namespaces/e2e-zones');
    await server.request('DELETE', '/api/v1/nodes/e2e-node-b');
    expect({ created, bound: bound.status }).toEqual({ created: [201, 201, 201], bound: 201 });
    expect(zoneEnv.valueFrom.fieldRef.fieldPath).toBe("metadata.labels['topology.kubernetes.io/zone']");
    expect({ node: read.body.spec.nodeName, zone: read.body.metadata.labels['topology.kubernetes.io/zone'] }).toEqual({ node: 'e2e-node-b', zone: 'zone-b' });
  });
});
