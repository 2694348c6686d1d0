import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  test('opens with the install-and-synth command and the test command', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toContain('npm install && npm run synth');
    expect(firstBlock).toContain('npm test');
  });

  test('its import example is examples/my-app.ts, which `npm run typecheck` compiles', () => {
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBe(readFileSync(join(ROOT, 'examples/my-app.ts'), 'utf8'));
  });

  test('the example runs and emits a Loki cluster', () => {
    const { App } = require('cdk8s');
    const synth = jest.spyOn(App.prototype, 'synth').mockImplementation(function (this: any) {
      (globalThis as any).exampleObjects = this.charts.flatMap((c: any) => c.toJson());
    });
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    require('../examples/my-app');
    const objects = (globalThis as any).exampleObjects as any[];
    expect(objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name).sort()).toEqual(['loki-backend', 'loki-write', 'minio-server']);
    expect(log).toHaveBeenCalledWith('push logs to http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push with header X-Scope-OrgID');
    synth.mockRestore();
    log.mockRestore();
  });
});
