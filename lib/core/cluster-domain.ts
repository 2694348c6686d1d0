import { IConstruct } from 'constructs';
import { Validator } from './errors';
import { DEFAULT_CLUSTER_DOMAIN } from './names';

/** The construct context key under which a chart (or the app) sets its cluster DNS domain. */
export const CLUSTER_DOMAIN_CONTEXT = 'obs-platform/cluster-domain';

/**
 * Sets the cluster DNS domain of every component below `scope`, once: a chart goes to one cluster,
 * and every address its components write ends in that cluster's domain. Call it before adding
 * constructs to the scope (construct context cannot change once children exist). A component's own
 * `clusterDomain` prop still wins.
 */
export function setClusterDomain(scope: IConstruct, domain: string): void {
  const v = new Validator(scope);
  checkClusterDomain(v, domain);
  v.throwIfAny();
  scope.node.setContext(CLUSTER_DOMAIN_CONTEXT, domain);
}

/** The cluster DNS domain for a component at `scope`: its own `given`, else its chart's, else "cluster.local". */
export function clusterDomainOf(scope: IConstruct, given?: string): string {
  return given ?? (scope.node.tryGetContext(CLUSTER_DOMAIN_CONTEXT) as string | undefined) ?? DEFAULT_CLUSTER_DOMAIN;
}

/** A cluster DNS domain such as `cluster.local`, when one is given. */
export function checkClusterDomain(v: Validator, domain: string | undefined): void {
  if (domain !== undefined)
    v.check(/^[a-z0-9.-]+$/.test(domain), 'clusterDomain', domain, 'is not a DNS domain', 'use the cluster\'s DNS domain, e.g. "cluster.local"');
}
