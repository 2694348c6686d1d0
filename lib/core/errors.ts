import { IConstruct } from 'constructs';

/** One thing wrong with a construct's input, and what to do about it. */
export interface ValidationProblem {
  /** Construct path, e.g. `platform/loki`. */
  readonly path: string;
  /** Property path inside the construct's props, e.g. `write.replicas`. */
  readonly property: string;
  /** The offending value as given. */
  readonly value: unknown;
  /** What is wrong with it. */
  readonly problem: string;
  /** What the user should change. */
  readonly fix: string;
}

/**
 * Thrown before any object is emitted when a construct's resolved props are invalid.
 * It carries every problem found, not only the first, so one synth shows them all.
 */
export class ValidationError extends Error {
  constructor(public readonly problems: readonly ValidationProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ValidationError';
  }
}

/** `[path] property = value: problem. Fix: fix.`, the one format of every problem and warning. */
export function formatProblem(p: ValidationProblem): string {
  return `[${p.path}] ${p.property} = ${formatValue(p.value)}: ${p.problem}. Fix: ${p.fix}.`;
}

function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Collects the problems of one construct's props, then throws them together.
 *
 * Usage: `const v = new Validator(this); v.check(ok, 'replicas', 0, 'must be ...', 'set ...'); v.throwIfAny();`
 */
export class Validator {
  private readonly problems: ValidationProblem[] = [];
  private readonly path: string;

  /** `scope` is the construct whose props are checked, or a label for a plain object (`AwsStorage`). */
  constructor(scope: IConstruct | string) {
    this.path = typeof scope === 'string' ? scope : scope.node.path || scope.node.id || '(root)';
  }

  /** Records a problem unless `ok` holds. Returns `ok`, so dependent checks can be skipped. */
  check(ok: boolean, property: string, value: unknown, problem: string, fix: string): boolean {
    if (!ok) this.problems.push({ path: this.path, property, value, problem, fix });
    return ok;
  }

  /** Records a problem found by a reusable rule (the rule returns undefined when the value is fine). */
  apply(property: string, value: unknown, result: RuleResult): boolean {
    if (!result) return true;
    return this.check(false, property, value, result.problem, result.fix);
  }

  /** Throws a {@link ValidationError} with every recorded problem, if any. */
  throwIfAny(): void {
    if (this.problems.length > 0) throw new ValidationError(this.problems);
  }
}

/** What a reusable rule reports about a bad value; `undefined` means the value is fine. */
export type RuleResult = { readonly problem: string; readonly fix: string } | undefined;
