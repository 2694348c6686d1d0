import { mergeArgs, mergeEnv } from '../../lib/core/args';
import { checksumOf, mergeOverrides, renderYaml } from '../../lib/core/config-file';
import { durationAtLeast, parseDuration } from '../../lib/core/duration';
import { ValidationError, Validator } from '../../lib/core/errors';
import { IMAGES, imageName, pinnedImage } from '../../lib/core/images';
import { ComponentIdentity, LABELS } from '../../lib/core/names';
import { dnsLabel, quantity, replicaCount } from '../../lib/core/rules';
import { parse } from 'yaml';
import { testChart } from '../support/synth';

describe('ComponentIdentity', () => {
  const id = new ComponentIdentity({ app: 'loki', instance: 'logs', component: 'write', namespace: 'obs', version: '3.7.6' });

  test('names are <instance>-<component>, independent of any construct path', () => {
    expect(id.name).toBe('logs-write');
    expect(id.sibling('gateway').name).toBe('logs-gateway');
  });

  test('selector holds only name, instance and component, so upgrades never change it', () => {
    expect(Object.keys(id.selector).sort()).toEqual([LABELS.component, LABELS.instance, LABELS.name].sort());
    expect(id.sibling('write', '9.9.9').selector).toEqual(id.selector);
  });

  test('labels carry the six recommended keys', () => {
    expect(Object.keys(id.labels).sort()).toEqual(Object.values(LABELS).sort());
    expect(id.labels[LABELS.version]).toBe('3.7.6');
  });
});

describe('images', () => {
  test('every pinned image has a fixed tag and passes its own rule', () => {
    for (const [name, ref] of Object.entries(IMAGES)) {
      expect({ name, problem: pinnedImage(ref) }).toEqual({ name, problem: undefined });
      expect(imageName(ref)).not.toMatch(/:latest$/);
    }
  });

  test('latest, empty tags and tags in the repository are refused', () => {
    expect(pinnedImage({ repository: 'grafana/loki', tag: 'latest' })).toBeDefined();
    expect(pinnedImage({ repository: 'grafana/loki', tag: '' })).toBeDefined();
    expect(pinnedImage({ repository: 'grafana/loki:3.7.6', tag: '3.7.6' })).toBeDefined();
    expect(pinnedImage({ repository: 'registry.local:5000/grafana/loki', tag: '3.7.6' })).toBeUndefined();
  });
});

describe('rules', () => {
  test.each(['loki', 'a', 'loki-write-0'])('%s is a DNS label', (v) => expect(dnsLabel(v)).toBeUndefined());
  test.each(['Loki', '-loki', 'loki-', 'lo_ki', '1loki', '', 'a'.repeat(64)])('%s is not a DNS label', (v) => expect(dnsLabel(v)).toBeDefined());
  test('namespaces may start with a digit', () => expect(dnsLabel('1ns', 63, false)).toBeUndefined());
  test('the fix suggests a usable name', () => expect(dnsLabel('My_Loki')?.fix).toContain('"my-loki"'));
  test.each([0, -1, 1.5, NaN])('replica count %p is refused', (v) => expect(replicaCount(v)).toBeDefined());
  test.each(['500m', '2', '512Mi', '10Gi', '1e3'])('%s is a quantity', (v) => expect(quantity(v)).toBeUndefined());
  test.each(['10 Gi', 'ten', '', '5GB'])('%s is not a quantity', (v) => expect(quantity(v)).toBeDefined());
});

describe('durations', () => {
  test.each([
    ['744h', 744 * 3600_000],
    ['30d', 30 * 86400_000],
    ['1d12h', 36 * 3600_000],
    ['2w', 14 * 86400_000],
    ['90s', 90_000],
    ['0', 0],
  ])('%s parses', (text, ms) => expect(parseDuration(text as string)).toBe(ms));
  test.each(['', '24', '1h1d', '-1h', '1.5h', '24 h'])('%s does not parse', (text) => expect(parseDuration(text)).toBeUndefined());
  test('a duration below the minimum names the minimum in its fix', () => {
    expect(durationAtLeast('12h', 24 * 3600_000, 'why')).toEqual({ problem: expect.stringContaining('24h'), fix: 'set it to "24h" or longer' });
    expect(durationAtLeast('24h', 24 * 3600_000, 'why')).toBeUndefined();
  });
});

describe('Validator', () => {
  test('collects every problem and names path, property, value and fix', () => {
    const chart = testChart();
    const v = new Validator(chart);
    v.check(false, 'write.replicas', 0, 'must be at least 1', 'set it to 1 or more');
    v.check(true, 'read.replicas', 3, 'unused', 'unused');
    v.check(false, 'retention', '1h', 'is too short', 'set it to "24h"');
    let error: ValidationError | undefined;
    try {
      v.throwIfAny();
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.problems).toHaveLength(2);
    expect(error!.message).toBe(
      '[test] write.replicas = 0: must be at least 1. Fix: set it to 1 or more.\n[test] retention = "1h": is too short. Fix: set it to "24h".',
    );
  });

  test('does nothing when all is well', () => {
    const v = new Validator(testChart());
    v.check(true, 'x', 1, 'p', 'f');
    expect(() => v.throwIfAny()).not.toThrow();
  });
});

describe('args and env merging', () => {
  test('a user flag replaces the generated flag of the same name, in either dash form', () => {
    expect(mergeArgs(['-log.level=info', '-target=read', 'server'], ['--log.level=debug', '-extra=1'])).toEqual([
      '-target=read',
      'server',
      '--log.level=debug',
      '-extra=1',
    ]);
  });
  test('no extra args leaves the generated ones', () => expect(mergeArgs(['-a=1'], undefined)).toEqual(['-a=1']));
  test('a user env var replaces the generated one', () => {
    expect(
      mergeEnv(
        [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        [{ name: 'A', value: '3' }],
      ),
    ).toEqual([
      { name: 'B', value: '2' },
      { name: 'A', value: '3' },
    ]);
  });
});

describe('config files', () => {
  test('overrides merge deeply and replace arrays', () => {
    const merged = mergeOverrides({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3] }, e: true });
    expect(merged).toEqual({ a: { b: 1, c: [3] }, d: 'x', e: true });
  });
  test('the checksum changes with content and not with key order', () => {
    expect(checksumOf({ a: '1', b: '2' })).toBe(checksumOf({ b: '2', a: '1' }));
    expect(checksumOf({ a: '1' })).not.toBe(checksumOf({ a: '2' }));
  });
  test('YAML round-trips and never folds long lines', () => {
    const long = 'x'.repeat(300);
    const text = renderYaml({ long, n: 1 });
    expect(text.split('\n').some((l) => l.includes(long))).toBe(true);
    expect(parse(text)).toEqual({ long, n: 1 });
  });
});
