import { IConstruct } from 'constructs';
import { ValidationError, ValidationProblem } from './errors';

/**
 * A check over the whole app: it sees every construct, so it does not depend on the order they
 * were created in. It returns the problems it found; none means the app is fine.
 */
export type AppCheck = (root: IConstruct) => readonly ValidationProblem[];

/** Runs after the checks pass, e.g. to report warnings. */
export type AppReporter = (root: IConstruct) => void;

interface Registry {
  readonly checks: Map<string, AppCheck>;
  readonly reporters: Map<string, AppReporter>;
}

const registries = new WeakMap<IConstruct, Registry>();

function registryOf(scope: IConstruct): Registry {
  const root = scope.node.root;
  let registry = registries.get(root);
  if (!registry) {
    const created: Registry = { checks: new Map(), reporters: new Map() };
    registries.set(root, created);
    // cdk8s validates every construct at synth (App.synth, synthYaml, Chart.toJson) before it
    // writes anything, so a throw here stops the synth with no file written.
    root.node.addValidation({ validate: () => runAppChecks(root, created) });
    registry = created;
  }
  return registry;
}

/**
 * Registers a check of the whole app under `name` (registering the same name again does nothing).
 * Checks run at synth, once every construct exists, and throw one {@link ValidationError} with
 * every problem they found.
 */
export function registerAppCheck(scope: IConstruct, name: string, check: AppCheck): void {
  const registry = registryOf(scope);
  if (!registry.checks.has(name)) registry.checks.set(name, check);
}

/** Registers something to run at synth once the checks have passed (registering a name again does nothing). */
export function registerAppReporter(scope: IConstruct, name: string, reporter: AppReporter): void {
  const registry = registryOf(scope);
  if (!registry.reporters.has(name)) registry.reporters.set(name, reporter);
}

/** Every problem the registered checks find in the app of `scope`, without throwing. */
export function appProblems(scope: IConstruct): ValidationProblem[] {
  const root = scope.node.root;
  const registry = registries.get(root);
  return registry ? [...registry.checks.values()].flatMap((check) => check(root)) : [];
}

function runAppChecks(root: IConstruct, registry: Registry): string[] {
  const problems = [...registry.checks.values()].flatMap((check) => check(root));
  if (problems.length > 0) throw new ValidationError(problems);
  for (const report of registry.reporters.values()) report(root);
  return [];
}
