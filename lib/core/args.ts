import { Lazy } from 'cdk8s';
import { k8s } from './k8s';

/**
 * Appends user arguments to generated ones. A user flag that sets a flag the library already set
 * (same name before `=`) replaces it instead of being passed twice, so `extraArgs` can override.
 */
export function mergeArgs(generated: readonly string[], extra: readonly string[] | undefined): string[] {
  if (!extra || extra.length === 0) return [...generated];
  const overridden = new Set(extra.map(flagName).filter((n): n is string => n !== undefined));
  return [...generated.filter((arg) => !overridden.has(flagName(arg) ?? '')), ...extra];
}

/** `-foo.bar=1` and `--foo.bar=1` both name `foo.bar`; positional arguments have no name. */
function flagName(arg: string): string | undefined {
  const match = /^--?([^=\s]+)/.exec(arg);
  return match ? match[1] : undefined;
}

/** Appends user env vars; one with the name of a generated var replaces it. */
export function mergeEnv(generated: readonly k8s.EnvVar[], extra: readonly k8s.EnvVar[] | undefined): k8s.EnvVar[] {
  if (!extra || extra.length === 0) return [...generated];
  const names = new Set(extra.map((e) => e.name));
  return [...generated.filter((e) => !names.has(e.name)), ...extra];
}

/**
 * Arguments computed when the app is synthesized rather than when the construct is made, for
 * flags that depend on constructs made later (Thanos Query's replica labels come from every writer
 * that reaches it). cdk8s resolves the value at synth, after every construct exists.
 */
export function lateArgs(produce: () => string[]): string[] {
  return Lazy.any({ produce }) as string[];
}

/** Whether `args` was made by {@link lateArgs}. */
export function isLateArgs(args: unknown): boolean {
  return args instanceof Lazy;
}

/** The value the last of `names` is given in `args` (`-name=value` or `--name=value`), or undefined. */
export function flagValue(args: readonly string[] | undefined, ...names: string[]): string | undefined {
  let found: string | undefined;
  for (const arg of args ?? []) {
    const match = /^--?([^=\s]+)=(.*)$/.exec(arg);
    if (match && names.includes(match[1])) found = match[2];
  }
  return found;
}
