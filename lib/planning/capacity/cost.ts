import { GIB } from './units';
import { PriceTable } from './prices';

/** A month of one component (or of all of them), by what is paid for. */
export interface MonthlyCost {
  /** The CPU its pods request. */
  readonly cpu: number;
  /** The memory its pods request. */
  readonly memory: number;
  /** Its volumes. */
  readonly volumes: number;
  /** Objects kept in object storage. */
  readonly objectStorage: number;
  /** Object storage requests. */
  readonly requests: number;
  /** The sum of the above. */
  readonly total: number;
}

/** What a synthesized workload asks of a cluster, as `footprintOf` reads it. */
export interface RequestedResources {
  readonly cpu: number;
  readonly memoryBytes: number;
  readonly storageBytes: number;
}

/** A month of what a workload (or a whole footprint) requests: its CPU, memory and volumes. */
export function computeCost(r: RequestedResources, prices: PriceTable): MonthlyCost {
  return costOf({
    cpu: r.cpu * prices.cpuCoreHour * prices.hoursPerMonth,
    memory: (r.memoryBytes / GIB) * prices.memoryGibHour * prices.hoursPerMonth,
    volumes: (r.storageBytes / GIB) * prices.volumeGibMonth,
  });
}

/** A month of object storage: the bytes kept and the requests made. */
export function objectStorageCost(bytes: number, putsPerMonth: number, getsPerMonth: number, prices: PriceTable): MonthlyCost {
  return costOf({
    objectStorage: (bytes / GIB) * prices.objectGibMonth,
    requests: (putsPerMonth / 1000) * prices.putsPer1000 + (getsPerMonth / 1000) * prices.getsPer1000,
  });
}

/** The sum of several costs. */
export function sumCosts(costs: readonly MonthlyCost[]): MonthlyCost {
  const add = (key: keyof MonthlyCost) => costs.reduce((a, c) => a + c[key], 0);
  return costOf({ cpu: add('cpu'), memory: add('memory'), volumes: add('volumes'), objectStorage: add('objectStorage'), requests: add('requests') });
}

function costOf(parts: Partial<Omit<MonthlyCost, 'total'>>): MonthlyCost {
  const c = { cpu: 0, memory: 0, volumes: 0, objectStorage: 0, requests: 0, ...parts };
  return { ...c, total: c.cpu + c.memory + c.volumes + c.objectStorage + c.requests };
}
