import { App } from 'cdk8s';
import { ObservabilityPlatform } from '../../lib';
import { LokiClusterProps } from '../../lib/loki';
import { allWarnings } from '../../lib/core/warnings';
import keyTree from '../fixtures/loki-3.7.6-config-keys.json';
import lokiFlags from '../fixtures/loki-3.7.6-flags.json';
import { KeyTree, unknownKeys } from '../support/config-keys';
import { Manifest, argsOf, dataOf, get, ofKind, podSpecOf, workloads } from '../support/synth';
import { parse } from 'yaml';
import { lokiChart } from './support';

const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const ZONE = 'topology.kubernetes.io/zone';
const lokiPods = (manifests: Manifest[]) => workloads(manifests).filter((w) => podSpecOf(w).containers.some((c: any) => c.name === 'loki'));
/** The one Loki config of an output (each mode names its own ConfigMap). */
const lokiConfig = (manifests: Manifest[]) => {
  const [config] = ofKind(manifests, 'ConfigMap').filter((m) => dataOf(m)['config.yaml'] !== undefined);
  return parse(dataOf(config)['config.yaml']);
};
const zoned = (w: Manifest) => argsOf(w, 'loki').includes('-ingester.availability-zone=$(ZONE)');

describe('Loki zone-aware replication', () => {
  test.each([
    ['simple-scalable', {}, ['loki-write']],
    ['ha-monolithic', { mode: 'ha-monolithic' }, ['loki-all-main', 'loki-all']],
    ['distributed', { mode: 'distributed' }, ['loki-ingester']],
  ] as Array<[string, Partial<LokiClusterProps>, string[]]>)(
    '%s: exactly the pods that ingest learn their zone from their node, stay in the zones and spread evenly over them',
    (_mode, props, ingesters) => {
      const { manifests } = lokiChart({ ...props, zones: ZONES });
      expect(
        lokiPods(manifests)
          .filter(zoned)
          .map((w) => w.metadata.name)
          .sort(),
      ).toEqual([...ingesters].sort());
      for (const name of ingesters) {
        const spec = podSpecOf(get(manifests, 'StatefulSet', name));
        const env = spec.containers[0].env.find((e: any) => e.name === 'ZONE');
        expect(env.valueFrom.fieldRef.fieldPath).toBe(`metadata.labels['${ZONE}']`);
        expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
          { matchExpressions: [{ key: ZONE, operator: 'In', values: ZONES }] },
        ]);
        // Still one copy per node; zones strictly even.
        expect(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
        const spread = spec.topologySpreadConstraints.find((c: any) => c.topologyKey === ZONE);
        expect(spread).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' });
        // ha-monolithic: main and workers are spread as one group.
        if (props.mode === 'ha-monolithic') expect(spread.labelSelector.matchLabels['obs-platform.io/loki-all']).toBe('true');
      }
      const config = lokiConfig(manifests);
      expect(config.ingester.lifecycler.ring.zone_awareness_enabled).toBe(true);
      expect(unknownKeys(config, keyTree as KeyTree)).toEqual([]);
      const flags = lokiPods(manifests).flatMap((w) => argsOf(w, 'loki').map((a) => a.replace(/^-+/, '').split('=')[0]));
      expect(flags.filter((f) => !lokiFlags.flags.includes(f))).toEqual([]);
    },
  );

  test('without zones nothing is zoned and the ring is not zone-aware', () => {
    const { manifests } = lokiChart();
    expect(lokiPods(manifests).filter(zoned)).toEqual([]);
    expect(lokiConfig(manifests).ingester.lifecycler.ring).toBeUndefined();
  });

  test('zones that cannot hold every copy apart, or set while migrating, stop the synth', () => {
    expect(() => lokiChart({ zones: ['a', 'b'] })).toThrow(
      /replicationFactor = 3: is more than the 2 zones.*Fix: lower replicationFactor to 2, or list more zones/s,
    );
    expect(() => lokiChart({ zones: ['a'], replicationFactor: 1 })).toThrow(/zones = .*names fewer than two zones/);
    expect(() => lokiChart({ zones: ['a', 'a', 'b'] })).toThrow(/zones\[1\] = "a": is not a zone name \(a label value\) or is listed twice/);
    expect(() => lokiChart({ zones: ZONES, mode: 'distributed', migration: { from: 'simple-scalable', stage: 2 } })).toThrow(
      /zones = .*is set during a migration/,
    );
  });

  test('on the platform (nodes in two zones), a zone-aware Loki with three copies is not warned about a zone loss; one without zones is', () => {
    const warnings = (loki: object) => {
      const app = new App({ outdir: '/nonexistent' });
      const chart = new ObservabilityPlatform(app, 'p', { zones: 2, loki });
      return allWarnings(chart)
        .map((w) => w.message)
        .filter((m) => m.includes('zones (loki.'));
    };
    expect(warnings({ zones: ZONES })).toEqual([]);
    expect(warnings({ write: { replicas: 3 } })).toEqual([expect.stringContaining('zones (loki.write) = 2')]);
  });
});
