/**
 * Reading two outputs side by side: which object of the old one is which of the new, and the
 * parts of a workload the planner compares (its flags, its config files as data).
 */
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ObjectRef } from './change';

/** A Kubernetes object of an output, as loosely as the planner reads it. */
export interface ManifestObject {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}

/** Any value of a manifest, walked by path. */
export type Json = unknown;

/** The API group of an object: the kind alone does not name it (two CRDs may share a kind). */
function groupOf(apiVersion: string | undefined): string {
  const parts = (apiVersion ?? 'v1').split('/');
  return parts.length === 2 ? parts[0] : '';
}

/** The key that stays when only the version of an object's API changes. */
export function objectKey(o: ManifestObject): string {
  return `${groupOf(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** The reference a report names the object by. */
export function refOf(o: ManifestObject): ObjectRef {
  return { kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
}

/** The value at a dotted path (`spec.template.spec`), or undefined. */
export function at(value: Json, path: string): Json {
  let current: Json = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, Json>)[part];
  }
  return current;
}

/** Structural equality of two JSON values, whatever the order of their keys. */
export function sameJson(a: Json, b: Json): boolean {
  return isDeepStrictEqual(a, b);
}

/** A value shortened for a one-line report. */
export function brief(value: Json): string {
  if (value === undefined) return '(unset)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The kinds that run pods from a template. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** The pod template of a workload (a CronJob's is one level down). */
export function podTemplateOf(o: ManifestObject): Json {
  return o.kind === 'CronJob' ? at(o, 'spec.jobTemplate.spec.template') : at(o, 'spec.template');
}

type Container = { readonly name: string; readonly command?: readonly string[]; readonly args?: readonly string[] };

/** The containers of a pod template, init containers included, by name. */
export function containersOf(template: Json): ReadonlyMap<string, Container> {
  const spec = at(template, 'spec') as { containers?: Container[]; initContainers?: Container[] } | undefined;
  return new Map([...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => [c.name, c]));
}

/**
 * The flags of a container, `--name=value` and `-name=value` alike, by name. A flag given twice
 * keeps every value, joined by a comma, as a repeated flag means a list.
 */
export function flagsOf(container: Container): ReadonlyMap<string, string> {
  const flags = new Map<string, string>();
  for (const arg of [...(container.command ?? []), ...(container.args ?? [])]) {
    const match = /^--?([A-Za-z][\w.-]*)=(.*)$/s.exec(arg);
    if (!match) continue;
    const [, name, value] = match;
    flags.set(name, flags.has(name) ? `${flags.get(name)},${value}` : value);
  }
  return flags;
}

/**
 * The files of a ConfigMap that are YAML or JSON documents with keys, by file name, parsed. Other
 * files (scripts, nginx.conf, htpasswd) are compared as text by the object's own diff.
 */
export function configDocumentsOf(o: ManifestObject): ReadonlyMap<string, Json> {
  const files = { ...((o.data as Record<string, string> | undefined) ?? {}) };
  const documents = new Map<string, Json>();
  for (const [file, text] of Object.entries(files)) {
    if (!/\.(ya?ml|json)$/.test(file)) continue;
    try {
      const parsed = parseAllDocuments(text).map((d) => d.toJS() as Json);
      if (parsed.length === 1 && parsed[0] && typeof parsed[0] === 'object') documents.set(file, parsed[0]);
    } catch {
      // A file that is not YAML is left to the text comparison.
    }
  }
  return documents;
}

/** Every leaf of a document as `path → value`; arrays are leaves, compared whole. */
export function leavesOf(value: Json, prefix = ''): Array<[string, Json]> {
  if (value && typeof value === 'object' && !Array.isArray(value))
    return Object.entries(value as Record<string, Json>).flatMap(([k, v]) => leavesOf(v, prefix ? `${prefix}.${k}` : k));
  return [[prefix, value]];
}

/** The standard component label, what the planner knows a workload's role by. */
export function componentOf(o: ManifestObject): string {
  const labels = o.metadata.labels ?? {};
  return labels['app.kubernetes.io/component'] ?? labels['app.kubernetes.io/name'] ?? o.metadata.name;
}

/** The standard application label (`loki`, `thanos`, `victoriametrics`...). */
export function applicationOf(o: ManifestObject): string {
  return o.metadata.labels?.['app.kubernetes.io/name'] ?? '';
}
