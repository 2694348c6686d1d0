import type { ComponentPlan } from './plan';
import { ResolvedLoad } from './load';
import { ObjectStoragePlan } from './plan-objects';

/** What a plan's figures take for granted, in sentences for its report. */
export function assumptionsOf(load: ResolvedLoad, objects: ObjectStoragePlan, components: readonly ComponentPlan[]): string[] {
  const unsized = components.filter((c) => !c.sized).map((c) => c.name);
  return [
    'CPU and memory are priced per core and GiB requested; nodes bought whole cost what they cost, and a well-packed cluster pays less per core than the table.',
    objects.where === 'bucket'
      ? 'Objects go to the bucket the base spec names (aws or storage) and are priced as object storage, with requests; transfer inside the region is free.'
      : "No bucket was given, so the objects sit on the embedded store's one volume, sized to hold them and priced as a volume: it has no redundancy and is not for production data. Plan with `base: { aws: ... }` (or `storage`) to keep them in a bucket.",
    'A DaemonSet (node-exporter) is counted for one node: add one of its pods per node.',
    "Logs are the cluster's pod logs, read by the platform's Alloy shards; logs pushed from elsewhere need no shards.",
    'Queries are typical dashboard queries; heavy ones (long ranges, many series) need more querier CPU and memory than the rules give.',
    load.zones === undefined
      ? 'Zones are unknown: pods are spread over nodes, and stores keep their copies on distinct pods.'
      : `The nodes span ${load.zones} zones: stateless pods come in multiples of ${load.zones}, and each store that places copies without regard to zones runs at most one pod per zone and spare copy, growing its pods instead of adding more.`,
    `Sized by the load: every component with figures below. Kept at its defaults, since the load does not drive it: ${unsized.join(', ')}.`,
    "Figures marked ◆ are our engineering judgment where upstream publishes none; every other figure is upstream's, with its source.",
  ];
}
