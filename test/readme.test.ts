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

  test('its examples are examples/my-app.ts and examples/metrics-app.ts, which `npm run typecheck` compiles', () => {
    const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(examples).toEqual(['my-app.ts', 'metrics-app.ts'].map((f) => readFileSync(join(ROOT, 'examples', f), 'utf8')));
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

  test('the metrics example runs and wires an agent to Thanos', () => {
    const { App } = require('cdk8s');
    const synth = jest.spyOn(App.prototype, 'synth').mockImplementation(function (this: any) {
      (globalThis as any).metricsObjects = this.charts.flatMap((c: any) => c.toJson());
    });
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    require('../examples/metrics-app');
    const objects = (globalThis as any).metricsObjects as any[];
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-agent-config').data['prometheus.yaml'];
    expect(config).toContain('url: http://thanos-receive.metrics.svc.cluster.local:19291/api/v1/receive');
    expect(config).toContain('THANOS-TENANT: team-a');
    expect(log).toHaveBeenCalledWith('Grafana datasource: http://thanos-query-frontend.metrics.svc.cluster.local:10902');
    synth.mockRestore();
    log.mockRestore();
  });
});
