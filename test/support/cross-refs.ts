import { addressProblems } from '../../lib/core/address-check';
import { serviceReferences } from '../../lib/core/connections';
import { ExternalReference } from '../../lib/core/external';

// The one parser of in-cluster DNS names, the connection graph's.
export { serviceReferences };
export type { ServiceReference } from '../../lib/core/connections';
import { Manifest, containersOf, dataOf, podLabelsOf, podSpecOf, workloads } from './synth';
import { isSecretGenerator, runSecretGenerator } from './generated-secrets';

/** `k=v,k2=v2`, as a declared external set of pods is named. */
const selectorText = (selector: Record<string, string>) =>
  Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * Every reference between objects of one app resolves: Services and PDBs select pods and name
 * their ports, mounts name volumes, referenced ConfigMaps / Secrets / ServiceAccounts / headless
 * Services exist (or are declared as provided by the user). Returns one line per dangling reference.
 */
export function crossReferenceProblems(manifests: Manifest[], external: ExternalReference[]): string[] {
  const out: string[] = [];
  const has = (kind: string, ns: string | undefined, name: string) =>
    manifests.some((m) => m.kind === kind && m.metadata.name === name && m.metadata.namespace === ns);
  const isExternal = (kind: string, ns: string | undefined, name: string) => external.some((e) => e.kind === kind && e.namespace === ns && e.name === name);
  const pods = workloads(manifests);
  // A Secret made in the cluster by a generator Job is there once the Job has run: with the keys its shell step writes.
  const generated = [
    ...pods.filter(isSecretGenerator).map((job) => runSecretGenerator(job).manifest as Manifest),
    // cert-manager makes the Secret of a Certificate, with the certificate, its key and the CA.
    ...manifests
      .filter((m) => m.kind === 'Certificate')
      .map((c) => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: c.spec.secretName, namespace: c.metadata.namespace },
        data: { 'tls.crt': '', 'tls.key': '', 'ca.crt': '' },
      })),
  ];

  for (const svc of manifests.filter((m) => m.kind === 'Service' && m.spec.selector)) {
    const selected = pods.filter((w) => w.metadata.namespace === svc.metadata.namespace && matches(svc.spec.selector, podLabelsOf(w)));
    if (selected.length === 0) {
      // Pods the cluster runs itself (CoreDNS) are declared by the label selector that finds them.
      if (!isExternal('Pods', svc.metadata.namespace, selectorText(svc.spec.selector))) out.push(`Service ${svc.metadata.name} selects no pods`);
      continue;
    }
    for (const port of svc.spec.ports) {
      if (typeof port.targetPort !== 'string') continue;
      const named = selected.some((w) => containersOf(podSpecOf(w)).some((c) => (c.ports ?? []).some((p: any) => p.name === port.targetPort)));
      if (!named) out.push(`Service ${svc.metadata.name} port ${port.name} targets "${port.targetPort}", which no selected container declares`);
    }
  }
  for (const pdb of manifests.filter((m) => m.kind === 'PodDisruptionBudget')) {
    const sel = pdb.spec.selector.matchLabels;
    if (!pods.some((w) => w.metadata.namespace === pdb.metadata.namespace && matches(sel, podLabelsOf(w))))
      out.push(`PodDisruptionBudget ${pdb.metadata.name} selects no pods`);
  }

  for (const w of pods) {
    const ns = w.metadata.namespace;
    const at = `${w.kind} ${w.metadata.name}`;
    const spec = podSpecOf(w);
    const volumeNames = new Set([...(spec.volumes ?? []).map((v: any) => v.name), ...(w.spec.volumeClaimTemplates ?? []).map((c: any) => c.metadata.name)]);
    const ref = (kind: 'ConfigMap' | 'Secret', name: string, key?: string) => {
      if (isExternal(kind, ns, name)) return;
      const target = [...manifests, ...generated].find((m) => m.kind === kind && m.metadata.name === name && m.metadata.namespace === ns);
      if (!target) out.push(`${at} refers to ${kind} ${name}, which is neither emitted nor declared external`);
      else if (key !== undefined && !(key in dataOf(target))) out.push(`${at} refers to key ${key} of ${kind} ${name}, which it does not hold`);
    };
    for (const v of spec.volumes ?? []) {
      if (v.configMap) ref('ConfigMap', v.configMap.name);
      if (v.secret) ref('Secret', v.secret.secretName);
      for (const s of v.projected?.sources ?? []) {
        if (s.configMap) ref('ConfigMap', s.configMap.name);
        if (s.secret) ref('Secret', s.secret.name);
      }
    }
    for (const c of containersOf(spec)) {
      for (const m of c.volumeMounts ?? []) if (!volumeNames.has(m.name)) out.push(`${at} container ${c.name} mounts ${m.name}, which is not a volume`);
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef) ref('Secret', e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
        if (e.valueFrom?.configMapKeyRef) ref('ConfigMap', e.valueFrom.configMapKeyRef.name, e.valueFrom.configMapKeyRef.key);
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) ref('Secret', e.secretRef.name);
        if (e.configMapRef) ref('ConfigMap', e.configMapRef.name);
      }
    }
    if (spec.serviceAccountName && !has('ServiceAccount', ns, spec.serviceAccountName))
      out.push(`${at} runs as ServiceAccount ${spec.serviceAccountName}, which is not emitted`);
    if (w.kind === 'StatefulSet') {
      const svc = manifests.find((m) => m.kind === 'Service' && m.metadata.name === w.spec.serviceName && m.metadata.namespace === ns);
      if (!svc) out.push(`${at} names governing Service ${w.spec.serviceName}, which is not emitted`);
      else if (svc.spec.clusterIP !== 'None') out.push(`${at} governing Service ${w.spec.serviceName} is not headless, so pods get no DNS names`);
    }
  }
  return out;
}

/** Every string a program reads: container command, args and env values, ConfigMap and Secret data. */
export function programStrings(manifests: Manifest[]): Array<{ where: string; namespace?: string; text: string }> {
  const out: Array<{ where: string; namespace?: string; text: string }> = [];
  for (const w of workloads(manifests)) {
    for (const c of containersOf(podSpecOf(w))) {
      const texts = [...(c.command ?? []), ...(c.args ?? []), ...(c.env ?? []).map((e: any) => e.value ?? '')];
      for (const text of texts) out.push({ where: `${w.kind} ${w.metadata.name}/${c.name}`, namespace: w.metadata.namespace, text });
    }
  }
  for (const m of manifests.filter((x) => x.kind === 'ConfigMap' || x.kind === 'Secret')) {
    for (const [key, text] of Object.entries(dataOf(m))) out.push({ where: `${m.kind} ${m.metadata.name}/${key}`, namespace: m.metadata.namespace, text });
  }
  return out;
}

/**
 * Every in-cluster DNS name in the args, env and mounted config files of every workload points at
 * a Service of the output (or of the cluster, or one the app declares the user runs): the library's
 * own synth-time check ({@link addressProblems}), run here over a whole synthesized output, the
 * user's objects included. One line per problem.
 */
export function dnsProblems(manifests: Manifest[], external: ExternalReference[] = [], clusterDomain = 'cluster.local'): string[] {
  const provided = external.filter((e) => e.kind === 'Service');
  return addressProblems(manifests, { provided, clusterDomain }).map((p) => `${p.workload} ${p.source}: "${p.address}" ${p.problem}`);
}
