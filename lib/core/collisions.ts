import { ApiObject, Chart, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { registerAppCheck } from './app-checks';
import { ValidationProblem } from './errors';

/**
 * Makes sure the app refuses two objects of one kind, namespace and name in one chart. Applying
 * both keeps only the last one (a Grafana named `loki-gateway` would replace Loki's gateway
 * Service), so every construct that emits objects registers this check.
 */
export function guardNameCollisions(scope: IConstruct): void {
  registerAppCheck(scope, 'name-collisions', nameCollisions);
}

/** Each chart is one output file for one cluster: names must be unique within it. */
function nameCollisions(root: IConstruct): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  for (const chart of root.node.findAll().filter((c): c is Chart => Chart.isChart(c))) {
    const first = new Map<string, ApiObject>();
    for (const obj of chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart)) {
      const namespace = obj.metadata.namespace;
      const name = nameOf(obj);
      const key = [obj.apiGroup, obj.kind, namespace ?? '', name].join('/');
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, obj);
        continue;
      }
      const what = `${obj.kind} ${namespace ? `${namespace}/` : ''}${name}`;
      problems.push({
        path: ownerPath(obj),
        property: 'metadata.name',
        value: name,
        problem: `names ${what}, which ${ownerPath(earlier)} emits too: applied together, one silently replaces the other`,
        fix: 'give one of the two constructs another name or instance name, or put it in another namespace',
      });
    }
  }
  return problems;
}

/** The construct a user recognises: an object's own path, or its owner's for the generic `Resource` id. */
export function ownerPath(obj: IConstruct): string {
  return obj.node.id === 'Resource' && obj.node.scope ? obj.node.scope.node.path : obj.node.path;
}

/** An object's name, resolved when it is lazy (a Job named by a hash of its spec, known at synth). */
function nameOf(obj: ApiObject): string {
  const name: unknown = obj.name;
  return name instanceof Lazy ? String(name.produce()) : String(name);
}
