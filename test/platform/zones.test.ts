import { App } from 'cdk8s';
import { ObservabilityPlatform, PlatformSpec, ValidationError } from '../../lib';
import { allWarnings } from '../../lib/core/warnings';

/** The zone-loss warnings of a platform: the store and the message. */
function zoneWarnings(spec: PlatformSpec): string[] {
  const platform = new ObservabilityPlatform(new App({ outdir: '/nonexistent' }), 'p', spec);
  return allWarnings(platform)
    .filter((w) => w.id === 'zone-loss')
    .map((w) => w.message);
}

describe('a replicated store that cannot survive the loss of a zone is warned about', () => {
  test('three zones: every default store keeps a quorum, or a copy, through a zone loss', () => {
    expect(zoneWarnings({ zones: 3 })).toEqual([]);
    expect(zoneWarnings({ zones: 3, metricsBackend: 'victoriametrics' })).toEqual([]);
  });

  test('two zones: a zone can hold two of three copies, which leaves Loki and receive without a write quorum', () => {
    const warnings = zoneWarnings({ zones: 2 });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('zones (loki.write) = 2: lets one zone hold 2 of the 3 copies of a series of loki-write (3 pods over 2 zones)');
    expect(warnings[0]).toContain('Fix: run the nodes in 3 or more zones');
    expect(warnings[1]).toContain('zones (thanos.receive) = 2');
    // vmstorage with two copies over three nodes in two zones: one zone may hold both copies.
    expect(zoneWarnings({ zones: 2, metricsBackend: 'victoriametrics' }).filter((w) => w.includes('vmstorage'))).toHaveLength(1);
  });

  test('one zone: nothing survives it, the Alertmanager pair included', () => {
    expect(zoneWarnings({ zones: 1 }).map((w) => /zones \(([\w.]+)\)/.exec(w)![1])).toEqual(['loki.write', 'thanos.receive', 'alertmanager']);
  });

  test('no zones given: no check; a zone count that is no count is refused', () => {
    expect(zoneWarnings({})).toEqual([]);
    expect(() => zoneWarnings({ zones: 0 })).toThrow(ValidationError);
  });
});
