import { APPS } from '../../apps';
import { synthApp, workloads } from '../support/synth';
import { WHOLE_OUTPUT_CHECKS } from '../support/whole-output';

describe.each(Object.keys(APPS))('app %s', (name) => {
  const app = synthApp(name);

  // The checks every output passes (test/support/whole-output.ts): planned specs run them too.
  test.each(WHOLE_OUTPUT_CHECKS.map((check) => [check.name, check] as const))('%s', (_name, check) => {
    expect(check.problems(app)).toEqual([]);
  });

  test('matches the snapshot (a guard against unintended change, not the proof)', () => {
    expect(app.manifests).toMatchSnapshot();
  });
});

describe('apps', () => {
  test('the default platform is SeaweedFS, Loki, Thanos, Tempo, Grafana and the collectors, in a namespace that enforces "restricted"', () => {
    const { manifests } = synthApp('platform');
    const ns = manifests.filter((m) => m.kind === 'Namespace');
    expect(ns.map((n) => [n.metadata.name, n.metadata.labels?.['pod-security.kubernetes.io/enforce']])).toEqual([['observability', 'restricted']]);
    const names = workloads(manifests)
      .map((w) => `${w.kind}/${w.metadata.name}`)
      .sort();
    expect(names.filter((n) => !n.startsWith('Job/'))).toEqual([
      'DaemonSet/node-exporter',
      'Deployment/grafana-server',
      'Deployment/kube-state-metrics',
      'Deployment/loki-gateway',
      'Deployment/loki-read',
      'Deployment/otel-gateway',
      'Deployment/thanos-query',
      'Deployment/thanos-query-frontend',
      'StatefulSet/alertmanager',
      'StatefulSet/alloy-logs',
      'StatefulSet/loki-backend',
      'StatefulSet/loki-write',
      'StatefulSet/prometheus-agent',
      'StatefulSet/seaweedfs-server',
      'StatefulSet/tempo-monolithic',
      'StatefulSet/thanos-compactor',
      'StatefulSet/thanos-receive',
      'StatefulSet/thanos-ruler',
      'StatefulSet/thanos-store',
    ]);
  });

  test("the multi-tenant scenario declares the htpasswd Secret and the clients' passwords Secret the user provides", () => {
    expect(synthApp('loki-multitenant').external).toEqual([
      expect.objectContaining({ kind: 'Secret', namespace: 'logs', name: 'logs-gateway-htpasswd' }),
      expect.objectContaining({ kind: 'Secret', namespace: 'logs', name: 'logs-gateway-passwords' }),
    ]);
  });

  test('the AWS scenario has no MinIO and no Secret; the key-less Thanos object-store config is a ConfigMap', () => {
    const { manifests } = synthApp('loki-aws');
    expect(manifests.filter((m) => m.metadata.name.startsWith('minio'))).toEqual([]);
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    expect(manifests.filter((m) => m.kind === 'ConfigMap' && m.metadata.name === 'thanos-objstore')).toHaveLength(1);
  });
});
