import { IConstruct } from 'constructs';
import { registerAppReporter } from './app-checks';
import { ValidationError, ValidationProblem, formatProblem } from './errors';

/** Metadata type under which a construct records a warning. */
export const WARNING_METADATA = 'obs-platform:warning';
/** Metadata type under which a scope acknowledges warnings of one id below it. */
const ACK_METADATA = 'obs-platform:warning-ack';
/**
 * How warnings are reported at synth: `print` (to stderr, once per warning), `silent`, or `error`
 * (every unacknowledged warning fails the synth, for pipelines that want none).
 */
export const WARNINGS_ENV = 'OBS_PLATFORM_WARNINGS';

/** A recorded warning: what it is about, formatted like a validation problem, and its id. */
export interface PlatformWarning extends ValidationProblem {
  /** Stable id to acknowledge it by, e.g. `vmstorage-below-2rf-1`. */
  readonly id: string;
  /** The formatted message. */
  readonly message: string;
}

/**
 * Records a risk that is allowed but worth knowing: the input works, yet loses something the user
 * may not expect (redundancy, alerts that reach no one). Every unacknowledged warning is printed
 * when the app is synthesized, however it is synthesized (`app.synth()`, `cdk8s synth`, the CLI).
 * `id` names the kind of warning, so a user can acknowledge it with {@link acknowledgeWarning}.
 */
export function addWarning(scope: IConstruct, id: string, property: string, value: unknown, problem: string, fix: string): void {
  const path = scope.node.path || scope.node.id || '(root)';
  const base = { path, property, value, problem, fix };
  const warning: PlatformWarning = { ...base, id, message: `${formatProblem(base)} (warning "${id}")` };
  scope.node.addMetadata(WARNING_METADATA, warning);
  registerAppReporter(scope, 'warnings', reportWarnings);
}

/**
 * Acknowledges, on purpose, every warning `id` recorded at `scope` or below it: it is no longer
 * printed, nor counted by {@link warningsOf}. `reason` says why, for the next reader.
 */
export function acknowledgeWarning(scope: IConstruct, id: string, reason: string): void {
  if (!reason.trim()) throw new Error(`[${scope.node.path}] acknowledging warning "${id}" needs a reason. Fix: say why the risk is accepted.`);
  scope.node.addMetadata(ACK_METADATA, { id, reason });
}

/** Every warning recorded under `scope`, acknowledged ones included. */
export function allWarnings(scope: IConstruct): PlatformWarning[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => m.data as PlatformWarning));
}

/** The messages of every warning under `scope` that nobody acknowledged. */
export function warningsOf(scope: IConstruct): string[] {
  return unacknowledged(scope).map((w) => w.message);
}

/** Every warning under `scope` that nobody acknowledged. */
function unacknowledged(scope: IConstruct): PlatformWarning[] {
  return scope.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata.filter((m) => m.type === WARNING_METADATA && !acknowledged(c, (m.data as PlatformWarning).id)).map((m) => m.data as PlatformWarning),
    );
}

/** Whether `id` is acknowledged at `construct` or one of its ancestors. */
function acknowledged(construct: IConstruct, id: string): boolean {
  return construct.node.scopes.some((s) => s.node.metadata.some((m) => m.type === ACK_METADATA && (m.data as { id: string }).id === id));
}

const printed = new WeakMap<IConstruct, Set<string>>();

/** Prints each unacknowledged warning once per app, or fails the synth in `error` mode. */
function reportWarnings(root: IConstruct): void {
  const mode = process.env[WARNINGS_ENV] ?? 'print';
  const warnings = unacknowledged(root);
  if (mode === 'silent' || warnings.length === 0) return;
  if (mode === 'error') throw new ValidationError(warnings);
  const messages = warnings.map((w) => w.message);
  const seen = printed.get(root) ?? new Set<string>();
  printed.set(root, seen);
  for (const message of messages.filter((m) => !seen.has(m))) {
    seen.add(message);
    process.stderr.write(`warning: ${message}\n`);
  }
}
