import { App, Chart } from 'cdk8s';
import { APPS } from '../../apps';
import { ExternalReference, declareExternalService, externalReferences } from '../../lib/core/external';
import { warningsOf } from '../../lib/core/warnings';

/** A synthesized Kubernetes object, loosely typed for assertions. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
};

/** An app synthesized in memory: its objects and the objects it expects the user to provide. */
export interface SynthesizedApp {
  /** Every object of every chart. */
  readonly manifests: Manifest[];
  /** The objects of each chart (each is one output file, applied to one cluster), by chart id. */
  readonly charts: ReadonlyArray<{ readonly id: string; readonly manifests: Manifest[] }>;
  readonly external: ExternalReference[];
  /** The warnings nobody acknowledged. */
  readonly warnings: string[];
}

/** Synthesizes one of the apps in apps/ without writing files. */
export function synthApp(name: string): SynthesizedApp {
  return synthWith(APPS[name]);
}

/** Synthesizes what `build` makes in a fresh app (a planned platform, say), as {@link synthApp} does an app. */
export function synthWith(build: (app: App) => void): SynthesizedApp {
  const app = new App({ outdir: '/nonexistent' });
  build(app);
  const charts = app.charts.map((c) => ({ id: c.node.id, manifests: c.toJson() as Manifest[] }));
  return { manifests: charts.flatMap((c) => c.manifests), charts, external: externalReferences(app), warnings: warningsOf(app) };
}

/** A fresh chart without name hashes, for unit tests of single constructs. */
export function testChart(...peers: string[]): Chart {
  const chart = new Chart(new App({ outdir: '/nonexistent' }), 'test', { disableResourceNameHashes: true });
  // Every address a component is configured with must reach something of the app or be declared.
  for (const address of peers) declareExternalService(chart, address, 'a peer the test does not build');
  return chart;
}

/** Synthesizes a chart. */
export function synth(chart: Chart): Manifest[] {
  return chart.toJson() as Manifest[];
}

/** The one object of `kind` named `name`; fails the test when there is not exactly one. */
export function get(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${kind} "${name}", found ${found.length} (have: ${manifests
        .filter((m) => m.kind === kind)
        .map((m) => m.metadata.name)
        .join(', ')})`,
    );
  }
  return found[0];
}

export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

/** The pod template spec of a workload object, or undefined for other kinds. */
export function podSpecOf(m: Manifest): any | undefined {
  switch (m.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return m.spec.template.spec;
    case 'CronJob':
      return m.spec.jobTemplate.spec.template.spec;
    case 'Pod':
      return m.spec;
    default:
      return undefined;
  }
}

/** Labels of the pods a workload object creates. */
export function podLabelsOf(m: Manifest): Record<string, string> {
  if (m.kind === 'Pod') return m.metadata.labels ?? {};
  if (m.kind === 'CronJob') return m.spec.jobTemplate.spec.template.metadata?.labels ?? {};
  return m.spec.template.metadata?.labels ?? {};
}

/** Every workload object (anything with a pod template). */
export function workloads(manifests: Manifest[]): Manifest[] {
  return manifests.filter((m) => podSpecOf(m) !== undefined);
}

/** All containers of a pod spec, init containers included. */
export function containersOf(podSpec: any): any[] {
  return [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? []), ...(podSpec.ephemeralContainers ?? [])];
}

/** Decoded data of a ConfigMap or Secret. */
export function dataOf(m: Manifest): Record<string, string> {
  if (m.kind === 'Secret') {
    const decoded = Object.fromEntries(Object.entries(m.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf8')]));
    return { ...decoded, ...(m.stringData ?? {}) };
  }
  return { ...(m.data ?? {}) };
}

/** The args of the container `container` in workload `m`. */
export function argsOf(m: Manifest, container: string): string[] {
  const c = containersOf(podSpecOf(m)).find((x) => x.name === container);
  if (!c) throw new Error(`${m.kind} ${m.metadata.name} has no container ${container}`);
  return c.args ?? [];
}
