import { Chart } from 'cdk8s';
import { k8s } from '../../lib/core/k8s';
import { ComponentIdentity } from '../../lib/core/names';
import { createService } from '../../lib/core/service';
import { ValidationError } from '../../lib/core/errors';
import { WARNINGS_ENV, acknowledgeWarning, addWarning, warningsOf } from '../../lib/core/warnings';
import { synth, testChart } from '../support/synth';

const identity = (instance: string, component: string) => new ComponentIdentity({ app: 'x', instance, component, namespace: 'obs', version: '1' });

describe('name collisions', () => {
  test('two constructs emitting one Service are refused at synth, naming both paths, whatever their order', () => {
    const chart = testChart();
    createService(chart, 'first', { identity: identity('loki', 'gateway'), name: 'loki-gateway', ports: [{ name: 'http', port: 80 }] });
    createService(chart, 'second', { identity: identity('grafana', 'server'), name: 'loki-gateway', ports: [{ name: 'http', port: 80 }] });
    expect(() => synth(chart)).toThrow(ValidationError);
    expect(() => synth(chart)).toThrow(
      '[test/second] metadata.name = "loki-gateway": names Service obs/loki-gateway, which test/first emits too: applied together, one silently replaces the other. Fix: give one of the two constructs another name or instance name, or put it in another namespace.',
    );
  });

  test('the same name in two namespaces, of two kinds, or in two charts (two clusters) is fine', () => {
    const chart = testChart();
    createService(chart, 'a', { identity: identity('a', 'b'), name: 'same', ports: [{ name: 'http', port: 80 }] });
    createService(chart, 'b', {
      identity: new ComponentIdentity({ app: 'x', instance: 'a', component: 'b', namespace: 'other', version: '1' }),
      name: 'same',
      ports: [{ name: 'http', port: 80 }],
    });
    new k8s.KubeServiceAccount(chart, 'sa', { metadata: { name: 'same', namespace: 'obs' } });
    const other = new Chart(chart.node.scope!, 'other', { disableResourceNameHashes: true });
    createService(other, 'c', { identity: identity('a', 'b'), name: 'same', ports: [{ name: 'http', port: 80 }] });
    expect(synth(chart).length).toBe(3);
  });
});

describe('warnings', () => {
  const saved = process.env[WARNINGS_ENV];
  afterEach(() => {
    process.env[WARNINGS_ENV] = saved;
    jest.restoreAllMocks();
  });

  test('are printed once when the app is synthesized, and acknowledged ones are not', () => {
    process.env[WARNINGS_ENV] = 'print';
    const chart = testChart();
    createService(chart, 's', { identity: identity('a', 'b'), name: 'a-b', ports: [{ name: 'http', port: 80 }] });
    addWarning(chart, 'risky', 'replicas', 1, 'is risky', 'raise it');
    addWarning(chart, 'accepted', 'size', '1Gi', 'is small', 'grow it');
    acknowledgeWarning(chart.node.scope!, 'accepted', 'a test accepts it');
    const writes: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((s: any) => {
      writes.push(String(s));
      return true;
    });
    synth(chart);
    synth(chart);
    expect(writes).toEqual(['warning: [test] replicas = 1: is risky. Fix: raise it. (warning "risky")\n']);
    expect(warningsOf(chart.node.root)).toEqual(['[test] replicas = 1: is risky. Fix: raise it. (warning "risky")']);
  });

  test('fail the synth in error mode', () => {
    process.env[WARNINGS_ENV] = 'error';
    const chart = testChart();
    addWarning(chart, 'risky', 'replicas', 1, 'is risky', 'raise it');
    expect(() => synth(chart)).toThrow('[test] replicas = 1: is risky. Fix: raise it.');
  });

  test('an acknowledgement needs a reason', () => {
    expect(() => acknowledgeWarning(testChart(), 'x', ' ')).toThrow('needs a reason');
  });
});
