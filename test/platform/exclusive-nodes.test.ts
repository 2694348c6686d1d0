import { App } from 'cdk8s';
import { ObservabilityPlatform } from '../../lib';
import { Manifest, podSpecOf, synthApp, workloads } from '../support/synth';

/** The workloads whose pods may not share a node: required anti-affinity on the node name over their own selector. */
function exclusive(manifests: Manifest[]): string[] {
  return workloads(manifests)
    .filter((w) =>
      (podSpecOf(w).affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(
        (t: any) => t.topologyKey === 'kubernetes.io/hostname' && JSON.stringify(t.labelSelector.matchLabels) === JSON.stringify(w.spec.selector?.matchLabels),
      ),
    )
    .map((w) => w.metadata.name)
    .sort();
}

describe('replicated stores never share a node', () => {
  test('production: the copies of logs, metrics and silences are on distinct nodes; nothing else is held to it', () => {
    expect(exclusive(synthApp('platform').manifests)).toEqual(['alertmanager', 'loki-write', 'thanos-receive']);
    expect(exclusive(synthApp('platform-vm').manifests)).toEqual(['alertmanager', 'loki-write', 'vm-vmstorage']);
  });

  test("one replica has nothing to keep apart (the dev profile), and the user's own affinity replaces the rule", () => {
    expect(exclusive(synthApp('platform-dev').manifests)).toEqual([]);
    const chart = new ObservabilityPlatform(new App({ outdir: '/nonexistent' }), 'p', {
      loki: {
        write: {
          scheduling: {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['logs'] }] }],
                },
              },
            },
          },
        },
      },
    });
    const write = workloads(chart.toJson() as Manifest[]).find((w) => w.metadata.name === 'loki-write')!;
    expect(podSpecOf(write).affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['logs'] }] }] },
      },
    });
  });
});
