import { parseDuration } from '../core/duration';
import { Validator } from '../core/errors';
import { ImageRef, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { PodIdentity } from '../core/pod';
import { dnsLabel, namespaceName } from '../core/rules';
import { WorkloadOptions } from '../core/workload';

/** The ports the VictoriaMetrics programs listen on: the upstream defaults, the same everywhere. */
export const VM_PORTS = {
  /** vminsert HTTP: ingestion under `/insert/<tenant>/...`, `/metrics`, `/health`. */
  vminsert: 8480,
  /** vmselect HTTP: queries under `/select/<tenant>/...`. */
  vmselect: 8481,
  /** vmstorage HTTP: `/metrics`, `/health`, snapshots. */
  vmstorage: 8482,
  /** vmstorage's port for vminsert connections (`-vminsertAddr`). */
  storageInsert: 8400,
  /** vmstorage's port for vmselect connections (`-vmselectAddr`). */
  storageSelect: 8401,
  /** vmagent HTTP: push ingestion, `/metrics`, `/targets`. */
  vmagent: 8429,
} as const;

/** Container and Service port names. Storage nodes are addressed by number, the names serve SRV lookups and probes. */
export const VM_PORT_NAMES = { http: 'http', storageInsert: 'vminsert', storageSelect: 'vmselect' } as const;

/**
 * The images set no USER, so they would run as root. Pods run as `nobody` instead, as the
 * VictoriaMetrics operator's strict profile does; fsGroup makes the data volumes writable for it
 * (vmstorage takes a lock file in its data directory at start).
 */
export const VM_POD_IDENTITY: PodIdentity = { runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 };

/** Options every VictoriaMetrics workload takes. */
export interface VmComponentOptions extends WorkloadOptions {
  /** Minimum level logged. @default "INFO" */
  readonly logLevel?: 'INFO' | 'WARN' | 'ERROR';
}

/** Where a VictoriaMetrics component runs. */
export interface VmPlacement {
  /** Namespace of every object. */
  readonly namespace: string;
  /** Instance name, the prefix of every object name (`<name>-vminsert`). @default "vm" */
  readonly name?: string;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
}

/** The identity of one VictoriaMetrics component. */
export function vmIdentity(placement: VmPlacement, component: string, image: ImageRef): ComponentIdentity {
  return new ComponentIdentity({
    app: 'victoria-metrics',
    instance: placement.name ?? 'vm',
    component,
    namespace: placement.namespace,
    version: imageVersion(image),
  });
}

/** Flags every VictoriaMetrics program shares: where it listens and how much it logs. */
export function vmCommonFlags(port: number, options: VmComponentOptions): string[] {
  return [`-httpListenAddr=:${port}`, `-loggerLevel=${options.logLevel ?? 'INFO'}`];
}

/** The instance name leaves room for the longest object name it prefixes (`<name>-<component>-headless`). */
export function checkPlacement(v: Validator, placement: VmPlacement, component: string): void {
  const name = placement.name ?? 'vm';
  v.apply('name', name, dnsLabel(name, 63 - `-${component}-headless`.length));
  v.apply('namespace', placement.namespace, namespaceName(placement.namespace));
}

/** `-dedup.minScrapeInterval`, when given: a positive duration. */
export function checkDedupInterval(v: Validator, interval: string | undefined, fix: string): void {
  if (interval !== undefined) v.check((parseDuration(interval) ?? 0) > 0, 'dedupInterval', interval, 'is not a positive duration', fix);
}
