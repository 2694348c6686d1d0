import { App, Testing } from 'cdktf';
import { platformAwsTerraform } from '../../apps/platform-aws/terraform';

/** A synthesized cdktf stack (`cdk.tf.json`), loosely typed for assertions. */
export type TerraformJson = {
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, { value: unknown }>;
  provider?: Record<string, any[]>;
  terraform?: Record<string, any>;
};

/** Every resource of one type, as plain configs. */
export function resourcesOf(tf: TerraformJson, type: string): any[] {
  return Object.values(tf.resource?.[type] ?? {});
}

/** Resolves `${data.<type>.<name>.json}` or `${<type>.<name>.<attr>}` to the config it points at. */
export function referenced(tf: TerraformJson, ref: string): any {
  const m = /^\$\{(data\.)?([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(ref);
  if (!m) throw new Error(`not a plain reference: ${ref}`);
  const pool = m[1] ? tf.data : tf.resource;
  const found = pool?.[m[2]]?.[m[3]];
  if (!found) throw new Error(`reference to nothing: ${ref}`);
  return found;
}

/** The policy-document data source a resource's policy attribute points at. */
export function policyStatements(tf: TerraformJson, ref: string): any[] {
  return referenced(tf, ref).statement;
}

/** The one resource of `type` whose `attr` equals `value`; fails when there is not exactly one. */
export function resourceWhere(tf: TerraformJson, type: string, attr: string, value: unknown): any {
  const found = resourcesOf(tf, type).filter((r) => r[attr] === value);
  if (found.length !== 1) throw new Error(`expected one ${type} with ${attr} = ${JSON.stringify(value)}, found ${found.length}`);
  return found[0];
}

/** The platform-aws cdktf app's stack, synthesized in memory. */
export function synthPlatformAwsStack(): TerraformJson {
  const stack = platformAwsTerraform(Testing.app());
  return JSON.parse(Testing.synth(stack));
}

/** Synthesizes whatever `build` adds to a fresh stack. */
export function synthScope(build: (scope: any) => void): TerraformJson {
  return JSON.parse(Testing.synthScope(build));
}

export { App, Testing };
