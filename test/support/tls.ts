import { Manifest, containersOf, podLabelsOf, podSpecOf, workloads } from './synth';

/** Where every component mounts its certificate (lib/core/serving-tls.ts). */
export const SERVING_DIR = '/etc/tls/serving';

/** Whether a certificate name (possibly `*.` wildcard of one label) covers `host`. */
function covers(dnsName: string, host: string): boolean {
  if (!dnsName.startsWith('*.')) return dnsName === host;
  const [first, ...rest] = host.split('.');
  return first.length > 0 && rest.join('.') === dnsName.slice(2);
}

/** The Secret a pod mounts at the serving directory, in any container. */
function servingSecret(workload: Manifest): string | undefined {
  const spec = podSpecOf(workload);
  const mount = containersOf(spec)
    .flatMap((c: any) => c.volumeMounts ?? [])
    .find((m: any) => m.mountPath === SERVING_DIR);
  return mount && spec.volumes?.find((v: any) => v.name === mount.name)?.secret?.secretName;
}

/**
 * The certificate Secret a server pod serves with: the one at the platform's mount path, or else
 * one made by a Certificate of the output mounted elsewhere (MinIO reads its certs dir).
 */
function servedSecret(workload: Manifest, certificates: ReadonlyMap<string, string[]>): string | undefined {
  const spec = podSpecOf(workload);
  const mounted = new Set(containersOf(spec).flatMap((c: any) => (c.volumeMounts ?? []).map((m: any) => m.name)));
  const elsewhere = (spec.volumes ?? []).find((v: any) => mounted.has(v.name) && certificates.has(v.secret?.secretName))?.secret?.secretName;
  return servingSecret(workload) ?? elsewhere;
}

/** Every in-cluster host an `https://` address names (also `dns+https://`): a Service, or `_port._tcp.<headless>` for SRV lookups. */
export function httpsHosts(manifests: Manifest[]): string[] {
  const text = JSON.stringify(manifests);
  return [...new Set([...text.matchAll(/https:\/\/([a-z0-9_][a-z0-9_.-]*\.svc\.[a-z0-9.-]*[a-z0-9])/g)].map((m) => m[1]))];
}

/**
 * Why an HTTPS address of the output would fail its TLS handshake: for each in-cluster host an
 * `https://` address names (a Service, or `_port._tcp.<headless>` whose SRV answers name its pods),
 * the pods behind it must mount a certificate Secret made by a Certificate of the output whose
 * names cover that host (a pod's name under a headless Service for SRV lookups). Every pod whose
 * config names the CA file must mount a certificate to read it from. Empty when all hold.
 */
export function tlsProblems(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  const certificates = new Map(manifests.filter((m) => m.kind === 'Certificate').map((c) => [c.spec.secretName as string, c.spec.dnsNames as string[]]));
  const services = manifests.filter((m) => m.kind === 'Service');
  const pods = workloads(manifests);
  for (const address of httpsHosts(manifests)) {
    const srv = address.startsWith('_');
    const host = srv ? address.split('.').slice(2).join('.') : address;
    const [serviceName, namespace] = host.split('.');
    const service = services.find((s) => s.metadata.name === serviceName && s.metadata.namespace === namespace);
    if (!service) {
      problems.push(`${address}: no Service ${namespace}/${serviceName}`);
      continue;
    }
    const selector: Record<string, string> = service.spec.selector ?? {};
    const behind = pods.filter(
      (w) => w.metadata.namespace === namespace && Object.entries(selector).every(([k, v]) => podLabelsOf(w)[k] === v) && w.kind !== 'Job',
    );
    if (behind.length === 0) problems.push(`${address}: Service ${serviceName} selects no pods`);
    // An SRV answer names each pod as `<pod>.<headless service>...`.
    const dialed = srv ? `${behind[0]?.metadata.name}-0.${host}` : host;
    for (const w of behind) {
      const secret = servedSecret(w, certificates);
      const names = secret ? certificates.get(secret) : undefined;
      if (!secret) problems.push(`${address}: ${w.kind} ${w.metadata.name} mounts no certificate at ${SERVING_DIR}`);
      else if (!names) problems.push(`${address}: no Certificate makes Secret ${secret} of ${w.metadata.name}`);
      else if (!names.some((n) => covers(n, dialed))) problems.push(`${address}: the certificate of ${w.metadata.name} does not cover ${dialed}`);
    }
  }
  // Whoever is told to trust the CA file must have it.
  const configMaps = manifests.filter((m) => m.kind === 'ConfigMap');
  for (const w of pods) {
    const spec = podSpecOf(w);
    const ownConfig = (spec.volumes ?? [])
      .map((v: any) => v.configMap && configMaps.find((c) => c.metadata.name === v.configMap.name && c.metadata.namespace === w.metadata.namespace))
      .filter(Boolean);
    const text = JSON.stringify([containersOf(spec), ownConfig]);
    if (text.includes(`${SERVING_DIR}/ca.crt`) && !servingSecret(w))
      problems.push(`${w.kind} ${w.metadata.name} names ${SERVING_DIR}/ca.crt but mounts no certificate`);
  }
  return problems;
}
