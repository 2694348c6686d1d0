import Ajv from 'ajv';
import crdSchemas from '../fixtures/crd-schemas.json';
import { Manifest, containersOf, podSpecOf } from './synth';

/**
 * The CRD kinds the library emits (ServiceMonitor, the grafana-operator kinds), validated against
 * the openAPIV3Schema of the pinned CRD files (prometheus-operator v0.93.0, grafana-operator
 * v5.24.0; see scripts/extract-crd-schemas.mjs). Unknown fields are refused unless the schema
 * preserves them, as the API server's structural pruning would drop them.
 */
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addKeyword({ keyword: 'x-kubernetes-int-or-string' });
ajv.addKeyword({ keyword: 'x-kubernetes-preserve-unknown-fields' });
const crdValidators = new Map<string, ReturnType<Ajv['compile']>>();

function closeObjects(schema: any): any {
  // A structural schema drops fields it does not declare; refusing them here catches typos.
  if (!schema || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map(closeObjects);
  const out: any = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closeObjects(v)]));
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

function crdProblems(m: Manifest, where: string): string[] | undefined {
  const key = `${m.apiVersion}/${m.kind}`;
  const schema = (crdSchemas as Record<string, unknown>)[key];
  if (!schema) return undefined;
  if (!crdValidators.has(key)) {
    // metadata is validated by the API server, not by the CRD schema.
    const closed = closeObjects(schema);
    closed.properties.metadata = { type: 'object' };
    crdValidators.set(key, ajv.compile(closed));
  }
  const validate = crdValidators.get(key)!;
  return validate(m)
    ? []
    : (validate.errors ?? []).map(
        (e) => `${where}: ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`,
      );
}

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
  const crd = crdProblems(m, where);
  if (crd) return [...crd, ...nameProblems(m, where)];
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
    return require(`kubernetes-models/${path}/${kind}`)[kind];
  } catch {
    return undefined;
  }
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PATH_SEGMENT = /^(?!\.\.?$)[^/%]+$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function nameProblems(m: Manifest, where: string): string[] {
  const out: string[] = [];
  const name = m.metadata.name;
  // RBAC object names are path segments (`system:metrics-server` is valid); everything else is DNS.
  const rbac = ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(m.kind);
  const nameRule = m.kind === 'Service' ? DNS1035_LABEL : m.kind === 'Namespace' ? DNS1123_LABEL : rbac ? PATH_SEGMENT : DNS1123_SUBDOMAIN;
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
      if (p.name !== undefined && (!IANA_SVC_NAME.test(p.name) || p.name.length > 15))
        out.push(`${where}: container ${c.name} port name "${p.name}" is not an IANA service name (<= 15 chars)`);
    }
  }
  if (m.kind === 'Service') {
    for (const p of m.spec.ports ?? []) if (p.name !== undefined && !DNS1123_LABEL.test(p.name)) out.push(`${where}: port name "${p.name}" invalid`);
  }
  return out;
}
