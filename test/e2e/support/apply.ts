import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Manifest, podLabelsOf, podSpecOf, workloads } from '../../support/synth';
import { ApiResponse, LocalApiServer } from './kube-apiserver';

/** One line per refusal or warning of the API server, naming the object. */
export type Problems = string[];

const describeObject = (m: Manifest) => `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;

function problemsOf(m: Manifest, r: ApiResponse, what: string): Problems {
  const out: Problems = r.warnings.map((w) => `${describeObject(m)}: ${what} warned: ${w}`);
  if (r.status >= 300) out.push(`${describeObject(m)}: ${what} refused (${r.status}): ${r.body?.message ?? JSON.stringify(r.body).slice(0, 500)}`);
  return out;
}

/** Namespaces first (everything else lives in one), then the rest in the output's order. */
function inApplyOrder(manifests: Manifest[]): Manifest[] {
  return [...manifests.filter((m) => m.kind === 'Namespace'), ...manifests.filter((m) => m.kind !== 'Namespace')];
}

/** Server-side applies every object, as `kubectl apply --server-side` would; returns every refusal and warning. */
export async function applyAll(server: LocalApiServer, manifests: Manifest[]): Promise<Problems> {
  const out: Problems = [];
  for (const m of inApplyOrder(manifests)) {
    try {
      out.push(...problemsOf(m, await server.apply(m), 'apply'));
    } catch (e) {
      // A kind the server does not serve (its CRD is not installed) is what kubectl reports too.
      out.push(`${describeObject(m)}: apply refused: ${(e as Error).message}`);
    }
  }
  return out;
}

/**
 * Creates (as a dry run) one Pod from each workload's pod template, the way its controller would,
 * so that Pod Security admission enforces the namespace's level on it: a Deployment alone is only
 * warned about, its pods are refused.
 */
export async function podSecurityProblems(server: LocalApiServer, manifests: Manifest[]): Promise<Problems> {
  const out: Problems = [];
  for (const w of workloads(manifests).filter((m) => m.kind !== 'Pod')) {
    // A StatefulSet's controller gives each pod one claim volume per volume claim template.
    const claims = (w.spec.volumeClaimTemplates ?? []).map((t: any) => ({
      name: t.metadata.name,
      persistentVolumeClaim: { claimName: `${t.metadata.name}-${w.metadata.name}-0` },
    }));
    const spec = podSpecOf(w);
    const pod: Manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${w.metadata.name}-pod-security-check`, namespace: w.metadata.namespace, labels: podLabelsOf(w) },
      spec: { ...spec, volumes: [...(spec.volumes ?? []), ...claims] },
    };
    const r = await server.request('POST', `${await server.pathOf(pod)}?dryRun=All&fieldValidation=Strict`, pod);
    out.push(...problemsOf(w, r, 'a pod of its template'));
  }
  return out;
}

/**
 * The problems that are Pod Security warnings the output asks for: about workloads in a namespace
 * it labels to admit host access (`enforce: privileged`) while warning about every pod below
 * `restricted`.
 */
export function deliberateWarnings(manifests: Manifest[], problems: Problems): Problems {
  const warnOnly = manifests
    .filter(
      (m) =>
        m.kind === 'Namespace' &&
        m.metadata.labels?.['pod-security.kubernetes.io/enforce'] === 'privileged' &&
        m.metadata.labels?.['pod-security.kubernetes.io/warn'] === 'restricted',
    )
    .map((m) => m.metadata.name);
  // A problem reads `<Kind> <namespace>/<name>: …`.
  return problems.filter(
    (p) =>
      warnOnly.includes(p.split(' ')[1]?.split('/')[0]) &&
      /: (apply|a pod of its template) warned: would violate PodSecurity \\?"restricted:latest\\?"/.test(p),
  );
}

/**
 * Deletes what {@link applyAll} made, so the next chart starts clean. Namespaces stay: with no
 * controller manager a deleted namespace would stay Terminating and refuse the next chart's objects.
 */
export async function removeAll(server: LocalApiServer, manifests: Manifest[]): Promise<void> {
  for (const m of [...manifests].reverse().filter((x) => x.kind !== 'Namespace')) {
    const r = await server.remove(m).catch(() => ({ status: 404, body: undefined }));
    if (r.status >= 300 && r.status !== 404) throw new Error(`could not delete ${describeObject(m)}: ${r.status} ${r.body?.message}`);
  }
}

/**
 * Installs the CustomResourceDefinitions of the kinds the library emits (ServiceMonitor and the
 * grafana-operator kinds), built from the schemas of the pinned CRD releases in the test fixtures,
 * and waits until the server serves them.
 */
export async function installCrds(server: LocalApiServer): Promise<void> {
  const schemas: Record<string, unknown> = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'crd-schemas.json'), 'utf8'));
  const byKind = new Map<string, { group: string; kind: string; versions: Array<{ name: string; schema: unknown }> }>();
  for (const [key, schema] of Object.entries(schemas)) {
    const [group, version, kind] = key.split('/');
    const entry = byKind.get(`${group}/${kind}`) ?? { group, kind, versions: [] };
    entry.versions.push({ name: version, schema });
    byKind.set(`${group}/${kind}`, entry);
  }
  const crds: Manifest[] = [...byKind.values()].map(({ group, kind, versions }) => {
    const plural = `${kind.toLowerCase()}s`;
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
        versions: versions.map((v, i) => ({ name: v.name, served: true, storage: i === 0, schema: { openAPIV3Schema: v.schema } })),
      },
    };
  });
  const refused = await applyAll(server, crds);
  if (refused.length > 0) throw new Error(`the CRDs were refused:\n${refused.join('\n')}`);
  const deadline = Date.now() + 60_000;
  for (const crd of crds) {
    for (;;) {
      const r = await server.request('GET', await server.pathOf(crd, crd.metadata.name));
      if ((r.body?.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not established after 60 s`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }
  server.forgetDiscovery();
}

/**
 * The output an upgrade starts from, app → chart → manifests: the committed baseline of a release,
 * or the file `OBS_E2E_BASELINE` names (written by scripts/e2e-baseline.mjs on any checkout).
 */
export function baseline(version: string): { version: string; apps: Record<string, Record<string, Manifest[]>> } {
  const file = process.env.OBS_E2E_BASELINE || join(__dirname, '..', 'baseline', `${version}.json.gz`);
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
}
