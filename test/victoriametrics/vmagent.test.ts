import { parse } from 'yaml';
import { srvScrapeTarget } from '../../lib/core/scrape-target';
import { CONFIG_CHECKSUM_ANNOTATION } from '../../lib/core/pod';
import { get } from '../support/synth';
import { vmFlagValues } from '../support/victoriametrics';
import { agentChart, vmArgs, vmFlag } from './support';

const sts = (m: ReturnType<typeof agentChart>['manifests']) => get(m, 'StatefulSet', 'vm-vmagent');
const args = (m: ReturnType<typeof agentChart>['manifests']) => vmArgs(m, 'StatefulSet', 'vm-vmagent');
const configOf = (m: ReturnType<typeof agentChart>['manifests']) => get(m, 'ConfigMap', 'vm-vmagent-config').data;

describe('VmAgent', () => {
  test('scrapes its targets and itself through DNS SRV, from the file -promscrape.config names', () => {
    const target = srvScrapeTarget('app', 'metrics', 'app-headless.shop.svc.cluster.local');
    const { manifests } = agentChart({ scrapeTargets: [target], scrapeInterval: '15s' }, 'app-headless.shop.svc.cluster.local');
    const path = vmFlag(args(manifests), '-promscrape.config')!;
    const mount = sts(manifests).spec.template.spec.containers[0].volumeMounts.find((m: any) => path.startsWith(`${m.mountPath}/`));
    const scrape = parse(configOf(manifests)[path.slice(mount.mountPath.length + 1)]);
    expect(scrape.global).toEqual({ scrape_interval: '15s' });
    expect(scrape.scrape_configs.map((c: any) => [c.job_name, c.dns_sd_configs[0].names[0]])).toEqual([
      ['vm-vmagent', '_http._tcp.vm-vmagent-headless.obs.svc.cluster.local'],
      ['app', '_metrics._tcp.app-headless.shop.svc.cluster.local'],
    ]);
  });

  test('stamps external labels on everything it sends, pushed series included', () => {
    const { manifests } = agentChart({ externalLabels: { region: 'eu-west-1', cluster: 'prod-euw1' } });
    expect(vmFlagValues(args(manifests), '-remoteWrite.label')).toEqual(['region=eu-west-1', 'cluster=prod-euw1']);
    expect(parse(configOf(manifests)['scrape.yaml']).global.external_labels).toBeUndefined();
  });

  test('per-URL settings line up with their URLs: relabel files, headers and queue shares', () => {
    const { manifests } = agentChart({
      relabelConfigs: [{ action: 'labeldrop', regex: 'pod_template_hash' }],
      remoteWrite: [
        { url: 'http://a.example/api/v1/write' },
        {
          url: 'http://b.example/api/v1/write',
          headers: { 'X-Scope-OrgID': 'team-b' },
          writeRelabelConfigs: [{ action: 'keep', source_labels: ['__name__'], regex: 'up' }],
        },
      ],
      persistentQueue: { size: '20Gi' },
    });
    const a = args(manifests);
    const files = configOf(manifests);
    expect(vmFlagValues(a, '-remoteWrite.url')).toEqual(['http://a.example/api/v1/write', 'http://b.example/api/v1/write']);
    const relabel = vmFlagValues(a, '-remoteWrite.urlRelabelConfig');
    expect(relabel[0]).toBe('');
    expect(parse(files[relabel[1].replace('/etc/vmagent/', '')])).toEqual([{ action: 'keep', source_labels: ['__name__'], regex: 'up' }]);
    expect(vmFlagValues(a, '-remoteWrite.headers')).toEqual(['', 'X-Scope-OrgID:team-b']);
    expect(parse(files[vmFlag(a, '-remoteWrite.relabelConfig')!.replace('/etc/vmagent/', '')])).toEqual([{ action: 'labeldrop', regex: 'pod_template_hash' }]);
    const shares = vmFlagValues(a, '-remoteWrite.maxDiskUsagePerURL').map(Number);
    expect(shares).toHaveLength(2);
    expect(shares[0] + shares[1]).toBeLessThanOrEqual(20 * 2 ** 30);
    expect(shares[0] + shares[1]).toBeGreaterThan(0.8 * 20 * 2 ** 30);
  });

  test('queues on a volume claim mounted at -remoteWrite.tmpDataPath, or on an emptyDir when asked', () => {
    const { manifests } = agentChart();
    const path = vmFlag(args(manifests), '-remoteWrite.tmpDataPath');
    const claim = sts(manifests).spec.volumeClaimTemplates[0];
    expect(claim.spec.resources.requests.storage).toBe('10Gi');
    expect(sts(manifests).spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: claim.metadata.name, mountPath: path });
    const ephemeral = agentChart({ persistentQueue: false }).manifests;
    expect(sts(ephemeral).spec.volumeClaimTemplates).toBeUndefined();
    expect(sts(ephemeral).spec.template.spec.volumes).toContainEqual({ name: 'queue', emptyDir: {} });
    expect(vmFlagValues(args(ephemeral), '-remoteWrite.maxDiskUsagePerURL')).toEqual([]);
  });

  test('an HA pair is two identical pods: nothing in their args differs by pod', () => {
    const { manifests } = agentChart({ replicas: 2, externalLabels: { region: 'x' } });
    expect(sts(manifests).spec.replicas).toBe(2);
    expect(args(manifests).filter((a) => a.includes('$('))).toEqual([]);
  });

  test('sharding numbers the pods by their StatefulSet names and splits the targets', () => {
    const { manifests } = agentChart({ sharding: { shards: 3, replicationFactor: 2 } });
    const a = args(manifests);
    expect(sts(manifests).spec.replicas).toBe(3);
    expect(vmFlag(a, '-promscrape.cluster.membersCount')).toBe('3');
    expect(vmFlag(a, '-promscrape.cluster.replicationFactor')).toBe('2');
    expect(vmFlag(a, '-promscrape.cluster.memberNum')).toBe('$(POD_NAME)');
    expect(sts(manifests).spec.template.spec.containers[0].env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  });

  test('a config change rolls the pods', () => {
    const checksum = (interval: string) =>
      sts(agentChart({ scrapeInterval: interval }).manifests).spec.template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION];
    expect(checksum('30s')).not.toBe(checksum('15s'));
  });

  test('offers a push endpoint on its Service', () => {
    const { agent, manifests } = agentChart();
    expect(agent.remoteWriteUrl).toBe(`http://vm-vmagent.obs.svc.cluster.local:${get(manifests, 'Service', 'vm-vmagent').spec.ports[0].port}/api/v1/write`);
  });
});
