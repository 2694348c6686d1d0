import { Chart } from 'cdk8s';
import { Minio } from '../../lib/object-storage/minio';
import { ThanosCluster, ThanosClusterProps } from '../../lib/thanos';
import { Manifest, argsOf, get, synth, testChart } from '../support/synth';

/** A chart with MinIO and a ThanosCluster in namespace `obs`, synthesized. */
export function thanosChart(props: Partial<ThanosClusterProps> = {}): { chart: Chart; thanos: ThanosCluster; manifests: Manifest[] } {
  const chart = testChart();
  const minio = new Minio(chart, 'minio', { namespace: 'obs' });
  const thanos = new ThanosCluster(chart, 'thanos', { namespace: 'obs', storage: minio, ...props });
  return { chart, thanos, manifests: synth(chart) };
}

/** The Thanos container args of a workload. */
export function thanosArgs(manifests: Manifest[], kind: string, name: string, container = 'thanos'): string[] {
  return argsOf(get(manifests, kind, name), container);
}

/** The values of a repeatable `--flag=`. */
export function flagValues(args: readonly string[], flag: string): string[] {
  return args.filter((a) => a.startsWith(`${flag}=`)).map((a) => a.slice(flag.length + 1));
}
