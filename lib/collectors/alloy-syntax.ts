/**
 * A small typed model of Grafana Alloy's configuration syntax, rendered the one way Alloy
 * parses it: one attribute per line (Alloy has no `;`), strings JSON-quoted, references
 * to other components' exports written bare.
 */

/** A reference or call written as is, e.g. `discovery.kubernetes.pods.targets` or `sys.env("NODE_NAME")`. */
export class AlloyExpr {
  constructor(readonly text: string) {}
}

/** Shorthand for {@link AlloyExpr}. */
export const expr = (text: string) => new AlloyExpr(text);

/** A value in Alloy's configuration syntax: scalars, expressions, lists and objects. */
export type AlloyValue = string | number | boolean | AlloyExpr | readonly AlloyValue[] | { readonly [key: string]: AlloyValue };

/** A block: `name "label" { ... }`. Attributes first, then nested blocks, in the given order. */
export interface AlloyBlock {
  readonly name: string;
  readonly label?: string;
  readonly attributes?: Readonly<Record<string, AlloyValue>>;
  readonly blocks?: readonly AlloyBlock[];
}

/** Renders top-level blocks as an Alloy config file. */
export function renderAlloy(blocks: readonly AlloyBlock[]): string {
  return blocks.map((b) => renderBlock(b, '')).join('\n\n') + '\n';
}

function renderBlock(block: AlloyBlock, indent: string): string {
  const head = `${indent}${block.name}${block.label !== undefined ? ` ${JSON.stringify(block.label)}` : ''} {`;
  const inner = indent + '  ';
  const attrs = Object.entries(block.attributes ?? {}).map(([k, v]) => `${inner}${k} = ${renderValue(v, inner)}`);
  const nested = (block.blocks ?? []).map((b) => renderBlock(b, inner));
  const body = [...attrs, ...nested];
  return body.length === 0 ? `${head}}` : `${head}\n${body.join('\n')}\n${indent}}`;
}

function renderValue(value: AlloyValue, indent: string): string {
  if (value instanceof AlloyExpr) return value.text;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => renderValue(v, indent)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, AlloyValue>);
  if (entries.length === 0) return '{}';
  const inner = indent + '  ';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)} = ${renderValue(v, inner)},`).join('\n')}\n${indent}}`;
}
