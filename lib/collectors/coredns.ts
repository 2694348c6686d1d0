import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { Validator } from '../core/errors';
import { declareExternal } from '../core/external';
import { ComponentIdentity } from '../core/names';
import { dnsLabel } from '../core/rules';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { createService } from '../core/service';
import { clusterDomainOf } from '../core/cluster-domain';

/** Props of the CoreDNS scrape targets. */
export interface CoreDnsMetricsProps {
  /** Namespace of the cluster DNS pods. @default "kube-system" */
  readonly namespace?: string;
  /** Name of the headless Service and the scrape job. @default "coredns-metrics" */
  readonly name?: string;
  /** Labels of the CoreDNS pods. @default { "k8s-app": "kube-dns" } (kubeadm, EKS, GKE, AKS, kind, k3s) */
  readonly podSelector?: Readonly<Record<string, string>>;
  /** Port of CoreDNS' Prometheus plugin. @default 9153 */
  readonly port?: number;
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * A headless Service over the cluster's CoreDNS pods, so a scraper finds every pod by one SRV
 * record. The `kube-dns` Service every cluster has is a ClusterIP one: its SRV record is a single
 * virtual address, so each scrape would land on a random pod and its counters jump between pods.
 */
export class CoreDnsMetrics extends Construct {
  readonly service: k8s.KubeService;
  /** Every CoreDNS pod's `/metrics`. */
  readonly scrapeTarget: ScrapeTarget;

  constructor(scope: Construct, id: string, props: CoreDnsMetricsProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? 'kube-system';
    const name = props.name ?? 'coredns-metrics';
    const port = props.port ?? 9153;
    const v = new Validator(this);
    v.apply('name', name, dnsLabel(name));
    v.apply('namespace', namespace, dnsLabel(namespace, 63, false));
    v.check(Number.isInteger(port) && port > 0 && port < 65536, 'port', port, 'is not a TCP port', "give CoreDNS' prometheus plugin port, 9153 by default");
    v.throwIfAny();
    const identity = new ComponentIdentity({ app: 'coredns', instance: name, component: 'metrics', namespace, version: 'cluster' });
    // The pods are the cluster's own, not the library's: select them by their labels, port by number.
    const selector = props.podSelector ?? { 'k8s-app': 'kube-dns' };
    this.service = createService(this, 'Service', { identity, name, headless: true, selector, ports: [{ name: 'metrics', port, targetPort: port }] });
    declareExternal(this, {
      kind: 'Pods',
      namespace,
      name: Object.entries(selector)
        .map(([k, val]) => `${k}=${val}`)
        .join(','),
      purpose: "the cluster's CoreDNS pods, whose metrics the Service lists",
    });
    this.scrapeTarget = srvScrapeTarget(name, 'metrics', identity.serviceHost(name, clusterDomainOf(this, props.clusterDomain)));
  }
}
