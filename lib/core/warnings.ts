import { IConstruct } from 'constructs';

/** Metadata type under which a construct records a warning (read by `warningsOf` and the synth CLI). */
export const WARNING_METADATA = 'obs-platform:warning';

/**
 * Records a risk that is allowed but worth knowing: the input works, yet loses something the user
 * may not expect (redundancy, for instance). It is formatted like a validation error and kept in
 * the construct's metadata; the synth CLI prints every warning of the tree.
 */
export function addWarning(scope: IConstruct, property: string, value: unknown, problem: string, fix: string): void {
  const path = scope.node.path || scope.node.id || '(root)';
  scope.node.addMetadata(WARNING_METADATA, `[${path}] ${property} = ${JSON.stringify(value)}: ${problem}. Fix: ${fix}.`);
}

/** Every warning recorded anywhere under `scope`. */
export function warningsOf(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => String(m.data)));
}
