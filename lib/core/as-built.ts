/**
 * The objects of an app as the library built them, for the checks and plans that read the whole
 * app at synth: what the library made is read from what it was made with (a workload's pod
 * template, a config file's contents, a Service's ports and selector), which costs nothing;
 * anything else is synthesized once, when it is read.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ConfigFile } from './config-file';

const readers = new WeakMap<ApiObject, () => unknown>();

/** Records how `apiObject` reads as built (without a synth of it). */
export function rememberAsBuilt(apiObject: ApiObject, read: () => unknown): void {
  readers.set(apiObject, read);
}

/** `apiObject` as built: its remembered reading (workloads, Services), its config files, else its synthesized JSON. */
export function readAsBuilt(apiObject: ApiObject): unknown {
  const remembered = readers.get(apiObject);
  if (remembered) return remembered();
  const metadata = { name: apiObject.name, namespace: apiObject.metadata.namespace };
  const scope = apiObject.node.scope;
  if (scope instanceof ConfigFile) return { kind: apiObject.kind, metadata, stringData: scope.files };
  return apiObject.toJson();
}

/** Every API object of the app of `scope`, each read once (see {@link readAsBuilt}), by kind. */
export class AppObjects {
  private readonly index = new Map<string, ApiObject>();
  private readonly byKind = new Map<string, ApiObject[]>();
  private readonly read = new Map<ApiObject, unknown>();

  constructor(root: IConstruct) {
    for (const o of root.node.findAll().filter(ApiObject.isApiObject)) {
      this.index.set(`${o.kind}/${o.metadata.namespace}/${o.name}`, o);
      this.byKind.set(o.kind, [...(this.byKind.get(o.kind) ?? []), o]);
    }
  }

  /** The object of this kind, namespace and name, as built. */
  find(kind: string, namespace: string | undefined, name: string): unknown {
    const o = this.index.get(`${kind}/${namespace}/${name}`);
    return o ? this.jsonOf(o) : undefined;
  }

  /** Every object of these kinds, as built. */
  ofKinds(...kinds: string[]): unknown[] {
    return kinds.flatMap((k) => (this.byKind.get(k) ?? []).map((o) => this.jsonOf(o)));
  }

  /** The API objects of a kind themselves. */
  apiObjectsOf(kind: string): readonly ApiObject[] {
    return this.byKind.get(kind) ?? [];
  }

  private jsonOf(o: ApiObject): unknown {
    if (!this.read.has(o)) this.read.set(o, readAsBuilt(o));
    return this.read.get(o);
  }
}
