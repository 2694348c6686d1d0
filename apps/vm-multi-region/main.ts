import { App, Chart } from 'cdk8s';
import { CoreDnsMetrics, RestrictedNamespace, VictoriaMetricsCluster, VmAgent, acknowledgeWarning } from '../../lib';

/** The four regions, each its own Kubernetes cluster with an agent pair in it. */
const REGIONS = [
  { region: 'us-east-1', cluster: 'prod-use1', datacenter: 'iad' },
  { region: 'eu-west-1', cluster: 'prod-euw1', datacenter: 'dub' },
  { region: 'ap-southeast-1', cluster: 'prod-apse1', datacenter: 'sin' },
  { region: 'sa-east-1', cluster: 'prod-sae1', datacenter: 'gru' },
] as const;

/** Tenants of the central cluster: everything regional agents send, and a fleet-wide overview. */
const TENANTS = { regional: 1, fleet: 0 } as const;

/** Go runtime internals: high churn, rarely looked at; dropped before anything is sent. */
const DROP_GO_INTERNALS = [{ action: 'drop', source_labels: ['__name__'], regex: 'go_(gc|memstats|sched)_.*' }];
/** The fleet overview keeps only target health. */
const ONLY_UP = [{ action: 'keep', source_labels: ['__name__'], regex: 'up' }];

/**
 * The multi-region design: a central VictoriaMetrics cluster (2 vminsert → 2 vmstorage, 2
 * vmselect, replication factor 2) in one Kubernetes cluster, and an HA pair of vmagents in each
 * of four regional clusters, stamping region, cluster, environment and datacenter on every series.
 * The regional agents reach vminsert through an internal load balancer; each region's output is
 * its own file, applied to that region's cluster.
 */
export function vmMultiRegion(app: App): void {
  const central = new Chart(app, 'central', { disableResourceNameHashes: true });
  const namespace = 'monitoring';
  new RestrictedNamespace(central, 'namespace', namespace);
  const vm = new VictoriaMetricsCluster(central, 'vm', {
    namespace,
    retention: '180d',
    replicationFactor: 2,
    // Both agents of a pair send each sample; one per scrape interval is kept.
    dedupInterval: '30s',
    vmstorage: { replicas: 2, storageSize: '200Gi' },
    vminsert: {
      replicas: 2,
      exposure: {
        externalUrl: 'http://vminsert.metrics.internal.example.com:8480',
        loadBalancerAnnotations: {
          'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
          'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
          'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
        },
        // The NLB's subnets: with IP targets it does not keep the agents' addresses.
        allowedSources: ['10.0.0.0/16'],
      },
    },
    vmselect: { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 4 } },
  });
  acknowledgeWarning(vm, 'vmstorage-below-2rf-1', 'two storage nodes for cost: while one is down, new samples keep a single copy until it returns');
  // The central cluster watches itself, as a tenant of its own.
  new VmAgent(central, 'self-monitoring', {
    namespace,
    name: 'central',
    scrapeTargets: vm.scrapeTargets,
    externalLabels: { region: 'us-east-1', cluster: 'central', environment: 'production', datacenter: 'iad' },
    remoteWrite: [vm.remoteWriteTarget(TENANTS.fleet)],
  });

  for (const { region, cluster, datacenter } of REGIONS) {
    const chart = new Chart(app, `region-${region}`, { disableResourceNameHashes: true });
    new RestrictedNamespace(chart, 'namespace', namespace);
    new VmAgent(chart, 'vmagent', {
      namespace,
      name: region,
      replicas: 2,
      // CoreDNS of the regional cluster, every pod of it, through a headless Service over its pods.
      scrapeTargets: [new CoreDnsMetrics(chart, 'coredns').scrapeTarget],
      externalLabels: { region, cluster, environment: 'production', datacenter },
      relabelConfigs: DROP_GO_INTERNALS,
      remoteWrite: [
        vm.remoteWriteTarget(TENANTS.regional, { from: 'outside' }),
        { ...vm.remoteWriteTarget(TENANTS.fleet, { from: 'outside' }), writeRelabelConfigs: ONLY_UP },
      ],
      persistentQueue: { size: '20Gi' },
    });
  }
}

if (require.main === module) {
  const app = new App();
  vmMultiRegion(app);
  app.synth();
}
