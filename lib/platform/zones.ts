import { IConstruct } from 'constructs';
import { addWarning } from '../core/warnings';
import { Workload } from '../core/workload';

/** A store that keeps copies of its data on several pods, and what it needs of them to go on. */
export interface ReplicatedStore {
  /** For messages, e.g. `loki.write`. */
  readonly property: string;
  readonly workloads: readonly Workload[];
  /** Copies of each series or stream. */
  readonly copies: number;
  /** Copies that must be up for it to go on: a write quorum, or one copy to read. */
  readonly needed: number;
  /** What fails without them, for messages. */
  readonly fails: string;
}

/**
 * Warns for each replicated store whose copies cannot survive the loss of one of `zones` zones.
 * Pods spread evenly over the zones at best (the spread is a preference), and none of these stores
 * places a series' copies by zone, so a zone can hold as many copies of one series as it holds
 * pods, up to all of them.
 */
export function warnOnZoneLoss(scope: IConstruct, zones: number, stores: readonly ReplicatedStore[]): void {
  const survives = (store: ReplicatedStore, replicas: number, z: number) => store.copies - Math.min(store.copies, Math.ceil(replicas / z)) >= store.needed;
  for (const store of stores) {
    for (const w of store.workloads) {
      if (survives(store, w.replicas, zones)) continue;
      const lost = Math.min(store.copies, Math.ceil(w.replicas / zones));
      const enough = Array.from({ length: w.replicas }, (_, i) => i + 1).find((z) => z > zones && survives(store, w.replicas, z));
      addWarning(
        scope,
        'zone-loss',
        `zones (${store.property})`,
        zones,
        `lets one zone hold ${lost} of the ${store.copies} copies of a series of ${w.identity.name} (${w.replicas} pods over ${zones} zones): losing it leaves fewer than the ${store.needed} needed, and ${store.fails}`,
        enough
          ? `run the nodes in ${enough} or more zones, or raise the replication factor; acknowledge the warning to accept the risk`
          : 'raise the replication factor, or acknowledge the warning to accept the risk',
      );
    }
  }
}
