import { ObservabilityPlatform } from '../../lib/platform';
import { VictoriaMetricsClusterProps, VmAgentProps, VmStorage } from '../../lib/victoriametrics';
import { testChart } from '../support/synth';
import { agentChart, failure, vmChart } from './support';

const cluster = (props: Partial<VictoriaMetricsClusterProps>) => failure(() => vmChart(props));
const agent = (props: Partial<VmAgentProps>) => failure(() => agentChart(props));

describe('VictoriaMetrics bad input is stopped at synth time with construct, property, value and fix', () => {
  test('a replication factor larger than the storage nodes', () => {
    expect(cluster({ replicationFactor: 3, vmstorage: { replicas: 2 } })).toBe(
      '[test/vm] replicationFactor = 3: is larger than the 2 storage nodes, so no sample could get that many copies on distinct nodes. Fix: set vmstorage.replicas to 5 or more, or lower replicationFactor to 2 or less.',
    );
    expect(() => vmChart({ replicationFactor: 2, vmstorage: { replicas: 2 } })).not.toThrow();
  });

  test('a retention below the 24h minimum, and months written with a lower-case m (minutes)', () => {
    expect(cluster({ retention: '12h' })).toBe('[test/vm] retention = "12h": is below vmstorage\'s minimum retention of 24h. Fix: set it to "1d" or longer.');
    expect(cluster({ retention: '3m' })).toBe(
      '[test/vm] retention = "3m": is not a retention vmstorage accepts. Fix: write it as "90d", "12w", "1y" or "3M" (months with a capital M).',
    );
    for (const ok of ['1d', '24h', '3M', '2', '1y', '0.5M']) expect(() => vmChart({ retention: ok })).not.toThrow();
  });

  test('a tenant that is not an account ID or accountID:projectID', () => {
    const { vm } = vmChart();
    const message = (value: string) =>
      `[test/vm] tenant = ${value}: is not a VictoriaMetrics tenant (an account ID, or accountID:projectID, each a number from 0 to 4294967295). Fix: map the tenant name to a number, e.g. 1 for team-a, or "1:2" for project 2 of account 1.`;
    expect(failure(() => vm.remoteWriteUrl('team-a'))).toBe(message('"team-a"'));
    expect(failure(() => vm.queryUrl(2 ** 32))).toBe(message('4294967296'));
    expect(failure(() => vm.remoteWriteTarget('1:2:3'))).toBe(message('"1:2:3"'));
    expect(() => vm.queryUrl('4294967295:0')).not.toThrow();
  });

  test('autoscaling asked for vmstorage, through the cluster or on its own', () => {
    expect(cluster({ vmstorage: { autoscaling: { minReplicas: 3, maxReplicas: 6 } } as any })).toBe(
      '[test/vm] vmstorage.autoscaling = {"minReplicas":3,"maxReplicas":6}: is not offered: storage nodes do not rebalance, so a node an autoscaler removes takes its data out of every query. Fix: size vmstorage with vmstorage.replicas, and autoscale vminsert and vmselect instead.',
    );
    expect(failure(() => new VmStorage(testChart(), 'storage', { namespace: 'obs', retention: '30d', autoscaling: { minReplicas: 1 } } as any))).toBe(
      '[test/storage] autoscaling = {"minReplicas":1}: is not offered for vmstorage: nodes do not rebalance, so a node an autoscaler removes takes its data out of every query. Fix: leave autoscaling unset and size vmstorage with replicas; autoscale vminsert and vmselect instead.',
    );
  });

  test('a termination grace that ends before vmstorage has flushed', () => {
    expect(cluster({ vmstorage: { terminationGracePeriodSeconds: 30 } })).toBe(
      '[test/vm/vmstorage] terminationGracePeriodSeconds = 30: leaves no time to flush after the 25s vminsert connection shutdown, so a rollout would kill vmstorage mid-write. Fix: set it to 55 or more, or shorten vminsertConnsShutdownDuration.',
    );
  });

  test('an autoscaler whose CPU target has no CPU request to be a percentage of', () => {
    expect(cluster({ vminsert: { autoscaling: { minReplicas: 2, maxReplicas: 4 }, resources: { requests: { memory: '1Gi' } } } })).toBe(
      '[test/vm/vminsert] autoscaling.targetCpuUtilization = 70: needs a cpu request on the pods, and they have none. Fix: set resources.requests.cpu.',
    );
  });

  test('an external write URL asked of a cluster that exposes none', () => {
    const { vm } = vmChart();
    expect(failure(() => vm.remoteWriteUrl(1, { from: 'outside' }))).toBe(
      '[test/vm] vminsert.exposure = (unset): has no external URL, so agents outside the cluster have nowhere to write. Fix: set vminsert.exposure.externalUrl to the URL an Ingress or load balancer serves vminsert at.',
    );
  });

  test('vmagent: no target, an unknown relabel action, replicas with sharding, a header the flag cannot carry', () => {
    expect(agent({ remoteWrite: [] })).toBe(
      '[test/agent] remoteWrite = []: is empty, so scraped series would go nowhere. Fix: pass a target such as vm.remoteWriteTarget(0).',
    );
    expect(agent({ relabelConfigs: [{ action: 'keepp' }] })).toMatch(
      /^\[test\/agent\] relabelConfigs\[0\]\.action = "keepp": is not a relabeling action vmagent knows\. Fix: use one of replace, .*, graphite\.$/,
    );
    expect(agent({ replicas: 2, sharding: { shards: 2 } })).toBe(
      '[test/agent] replicas = 2: is set together with sharding, which decides the pod count itself. Fix: leave replicas unset and use sharding.replicationFactor for redundant scraping.',
    );
    expect(agent({ remoteWrite: [{ url: 'http://a/', headers: { 'X-Tenant': 'a,b' } }] })).toBe(
      '[test/agent] remoteWrite[0].headers.X-Tenant = "a,b": cannot be passed in -remoteWrite.headers (header names are letters, digits and "-"; values cannot hold "," or "^"). Fix: rename the header or change its value.',
    );
  });

  test('the platform refuses settings for the backend it does not run', () => {
    expect(failure(() => new ObservabilityPlatform(testChart(), 'p', { victoriaMetrics: {} }))).toBe(
      '[test/p] victoriaMetrics = "(set)": configures a backend that is not chosen, so it would be ignored. Fix: set metricsBackend: "victoriametrics" or remove victoriaMetrics.',
    );
  });
});
