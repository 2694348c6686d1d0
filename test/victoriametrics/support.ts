import { Chart } from 'cdk8s';
import { VictoriaMetricsCluster, VictoriaMetricsClusterProps, VmAgent, VmAgentProps } from '../../lib/victoriametrics';
import { Manifest, argsOf, get, synth, testChart } from '../support/synth';
import { vmFlagValues } from '../support/victoriametrics';

/** A chart with a VictoriaMetricsCluster in namespace `obs`, synthesized. */
export function vmChart(props: Partial<VictoriaMetricsClusterProps> = {}): { chart: Chart; vm: VictoriaMetricsCluster; manifests: Manifest[] } {
  const chart = testChart();
  const vm = new VictoriaMetricsCluster(chart, 'vm', { namespace: 'obs', ...props });
  return { chart, vm, manifests: synth(chart) };
}

/** A chart with one vmagent in namespace `obs` writing to `http://sink:8480/...` unless told otherwise. */
export function agentChart(props: Partial<VmAgentProps> = {}, ...peers: string[]): { agent: VmAgent; manifests: Manifest[] } {
  const chart = testChart(...peers);
  const agent = new VmAgent(chart, 'agent', {
    namespace: 'obs',
    remoteWrite: [{ url: 'http://sink.example:8480/insert/0/prometheus/api/v1/write' }],
    ...props,
  });
  return { agent, manifests: synth(chart) };
}

/** The args of the one container of a VictoriaMetrics workload. */
export function vmArgs(manifests: Manifest[], kind: string, name: string): string[] {
  const component = name.replace(/^.*-(vm\w+)$/, '$1');
  return argsOf(get(manifests, kind, name), component);
}

/** The single value of a flag. */
export function vmFlag(args: readonly string[], flag: string): string | undefined {
  return vmFlagValues(args, flag)[0];
}

export { failure } from '../support/failure';
