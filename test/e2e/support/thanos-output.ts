import { App, Chart } from 'cdk8s';
import { SeaweedFs, ThanosCluster, ThanosClusterProps } from '../../../lib';
import { Manifest } from '../../support/synth';

/**
 * The output of a Thanos cluster on SeaweedFS in `namespace`, without a ruler (the scenarios that use it
 * read what receive holds), with `props` on top.
 */
export function thanosOutput(namespace: string, props: Omit<ThanosClusterProps, 'namespace' | 'storage'>): Manifest[] {
  const chart = new Chart(new App({ outdir: '/nonexistent' }), 'thanos', { disableResourceNameHashes: true });
  const storage = new SeaweedFs(chart, 'seaweedfs', { namespace });
  new ThanosCluster(chart, 'thanos', { namespace, storage, ruler: false, ...props });
  return chart.toJson() as Manifest[];
}
