import { Manifest, containersOf, podSpecOf } from './synth';

/**
 * Validates an object against the Kubernetes OpenAPI schema (kubernetes-models 4.5, Kubernetes
 * 1.33 schemas: required fields, types, enums), then against the name formats the API server
 * enforces but the schema does not state. Returns one line per problem.
 *
 * Unknown fields cannot appear: every object is emitted through the typed cdk8s L1 classes,
 * whose serializers write only the fields of the schema.
 */
export function schemaProblems(m: Manifest): string[] {
  const where = `${m.kind} ${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;
  const out: string[] = [];
  const model = loadModel(m.apiVersion, m.kind);
  if (!model) return [`${where}: no schema for ${m.apiVersion} ${m.kind}`];
  try {
    new model(m).validate();
  } catch (e) {
    out.push(`${where}: ${(e as Error).message}`);
  }
  return [...out, ...nameProblems(m, where)];
}

function loadModel(apiVersion: string, kind: string): (new (data: unknown) => { validate(): void }) | undefined {
  const path = apiVersion.includes('/') ? apiVersion : `v1`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(`kubernetes-models/${path}/${kind}`)[kind];
  } catch {
    return undefined;
  }
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function nameProblems(m: Manifest, where: string): string[] {
  const out: string[] = [];
  const name = m.metadata.name;
  const nameRule = m.kind === 'Service' ? DNS1035_LABEL : m.kind === 'Namespace' ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  if (!nameRule.test(name) || name.length > (m.kind === 'Service' || m.kind === 'Namespace' ? 63 : 253)) out.push(`${where}: invalid name`);
  // A StatefulSet's pods are labelled with their own name plus "-<ordinal>", which must fit a label value.
  if (m.kind === 'StatefulSet' && name.length > 52) out.push(`${where}: name too long for the pod-name label`);
  if (m.metadata.namespace !== undefined && !DNS1123_LABEL.test(m.metadata.namespace)) out.push(`${where}: invalid namespace`);
  for (const [k, v] of Object.entries(m.metadata.labels ?? {})) {
    if (!LABEL_VALUE.test(v) || v.length > 63) out.push(`${where}: label ${k}="${v}" is not a valid label value`);
  }
  const spec = podSpecOf(m);
  for (const c of spec ? containersOf(spec) : []) {
    for (const p of c.ports ?? []) {
      if (p.name !== undefined && (!IANA_SVC_NAME.test(p.name) || p.name.length > 15)) out.push(`${where}: container ${c.name} port name "${p.name}" is not an IANA service name (<= 15 chars)`);
    }
  }
  if (m.kind === 'Service') {
    for (const p of m.spec.ports ?? []) if (p.name !== undefined && !DNS1123_LABEL.test(p.name)) out.push(`${where}: port name "${p.name}" invalid`);
  }
  return out;
}
