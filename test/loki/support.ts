import { parse } from 'yaml';
import { LokiCluster, LokiClusterProps } from '../../lib/loki';
import { Minio } from '../../lib/object-storage/minio';
import { Manifest, dataOf, get, synth, testChart } from '../support/synth';

/** A LokiCluster on MinIO in namespace `obs`, synthesized. */
export function lokiChart(props: Partial<LokiClusterProps> = {}, ...peers: string[]) {
  const chart = testChart(...peers);
  const minio = new Minio(chart, 'minio', { namespace: 'obs' });
  const loki = new LokiCluster(chart, 'loki', { namespace: 'obs', storage: minio, ...props });
  const manifests = synth(chart);
  return { chart, minio, loki, manifests };
}

/** The parsed Loki config of a synthesized cluster named `name`. */
export function lokiConfig(manifests: Manifest[], name = 'loki'): any {
  return parse(dataOf(get(manifests, 'ConfigMap', `${name}-config`))['config.yaml']);
}

export function nginxConf(manifests: Manifest[], name = 'loki'): string {
  return dataOf(get(manifests, 'ConfigMap', `${name}-gateway`))['nginx.conf'];
}
