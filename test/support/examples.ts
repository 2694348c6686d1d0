import { warningsOf } from '../../lib/core/warnings';

/**
 * Runs an example as a user would, catching what its cdk8s and cdktf `app.synth()` would write
 * (Kubernetes objects, Terraform stacks by name) and what it logs.
 */
export function runExample(name: string): { objects: any[]; stacks: Record<string, any>; logged: string[] } {
  const { App } = require('cdk8s');
  const cdktf = require('cdktf');
  let objects: any[] = [];
  const stacks: Record<string, any> = {};
  const synth = jest.spyOn(App.prototype, 'synth').mockImplementation(function (this: any) {
    objects = this.charts.flatMap((c: any) => c.toJson());
  });
  const tfSynth = jest.spyOn(cdktf.App.prototype, 'synth').mockImplementation(function (this: any) {
    for (const stack of this.node.children.filter((c: any) => c instanceof cdktf.TerraformStack))
      stacks[stack.node.id] = JSON.parse(cdktf.Testing.synth(stack));
  });
  const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  let app: any;
  const remember = jest.spyOn(App.prototype, 'synth').mockImplementation(function (this: any) {
    app = this;
    objects = this.charts.flatMap((c: any) => c.toJson());
  });
  try {
    require(`../../examples/${name}`);
    // A README example is what users copy: it must synthesize with no warning.
    if (app) expect({ example: name, warnings: warningsOf(app) }).toEqual({ example: name, warnings: [] });
    return { objects, stacks, logged: log.mock.calls.map((call) => String(call[0])) };
  } finally {
    remember.mockRestore();
    synth.mockRestore();
    tfSynth.mockRestore();
    log.mockRestore();
  }
}
