/** One entry of the receive hashrings file (`--receive.hashrings-file`), as Thanos reads it. */
export interface HashringFileEntry {
  readonly hashring: string;
  readonly tenants?: readonly string[];
  readonly tenant_matcher_type?: 'exact' | 'glob';
  readonly algorithm: 'ketama';
  readonly endpoints: ReadonlyArray<{ readonly address: string }>;
}

/** A hashring as the receive construct knows it: a name, its tenants and its pods' addresses. */
export interface HashringMembers {
  readonly name: string;
  /** Tenants routed to this ring; empty for the catch-all ring. */
  readonly tenants: readonly string[];
  readonly tenantMatcher: 'exact' | 'glob';
  /** The StatefulSet whose pods form the ring. */
  readonly statefulSet: string;
  /** Its governing headless Service. */
  readonly headlessService: string;
  readonly replicas: number;
}

/**
 * The StoreAPI address of one receive pod: `<pod>.<headless>.<ns>.svc.<domain>:<port>`. The
 * hashring lists every pod by it (`<sts>-<i>`), and each pod's `--receive.local-endpoint` is the
 * same string with the pod name `$(NAME)`, so the two are identical by construction.
 */
export function podEndpoint(podName: string, headlessService: string, namespace: string, clusterDomain: string, port: number): string {
  return `${podName}.${headlessService}.${namespace}.svc.${clusterDomain}:${port}`;
}

/**
 * Renders the hashrings file. Thanos takes the first ring whose tenants match, so rings with
 * tenants come first and the catch-all ring (no tenants) last.
 */
export function buildHashrings(rings: readonly HashringMembers[], namespace: string, clusterDomain: string, port: number): HashringFileEntry[] {
  const ordered = [...rings.filter((r) => r.tenants.length > 0), ...rings.filter((r) => r.tenants.length === 0)];
  return ordered.map((ring) => ({
    hashring: ring.name,
    ...(ring.tenants.length > 0 ? { tenants: [...ring.tenants], tenant_matcher_type: ring.tenantMatcher } : {}),
    algorithm: 'ketama',
    endpoints: Array.from({ length: ring.replicas }, (_, i) => ({
      address: podEndpoint(`${ring.statefulSet}-${i}`, ring.headlessService, namespace, clusterDomain, port),
    })),
  }));
}
