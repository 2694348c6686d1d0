import { checkReplicas, checkWorkloadOptions } from '../core/check-options';
import { Validator } from '../core/errors';
import { namespaceName } from '../core/rules';
import { WorkloadOptions } from '../core/workload';

/** What every collector checks first: its namespace, its replica count (if it has one), its escape hatches. */
export function checkCollectorBasics(v: Validator, namespace: string, options: WorkloadOptions, replicas?: number): void {
  v.apply('namespace', namespace, namespaceName(namespace));
  if (replicas !== undefined) checkReplicas(v, 'replicas', replicas);
  checkWorkloadOptions(v, '', options);
}

/** A cluster DNS domain such as `cluster.local`, when one is given. */
export function checkClusterDomain(v: Validator, domain: string | undefined): void {
  if (domain !== undefined) v.check(/^[a-z0-9.-]+$/.test(domain), 'clusterDomain', domain, 'is not a DNS domain', 'use the cluster\'s DNS domain, e.g. "cluster.local"');
}
