import { CapacityRule, RuleSource } from './rule';
import { GIB } from './units';

/** The bounds of one workload's pods: [floor, ceiling] of CPU in cores, memory and volume in bytes. */
export interface PodBounds {
  readonly cpu: readonly [number, number];
  readonly memory: readonly [number, number];
  /** @default no volume */
  readonly volume?: readonly [number, number];
}

/**
 * The replica rule of one workload: the planned count starts at the floor and is clamped to
 * [floor, ceiling]; the note says why the floor is what it is, and whose figure it is.
 */
export function replicasRule(
  id: string,
  component: string,
  [min, max]: readonly [number, number],
  why: Pick<CapacityRule, 'source' | 'note' | 'judgment'>,
): CapacityRule {
  return { id: `${id}.replicas`, component, what: `${component} pods`, value: min, unit: 'pods at least', min, max, ...why };
}

/**
 * The pod-size rules of one workload (CPU, memory and, for a store, volume per pod): the floors are
 * this library's default requests, the ceilings the largest pod the plan makes before it adds
 * pods instead. Every family of rules sizes its pods this way; only the sources and notes differ.
 */
export function podSizeRules(id: string, component: string, bounds: PodBounds, source: RuleSource, note: string, volumeNote: string = note): CapacityRule[] {
  const rule = (what: string, suffix: string, [min, max]: readonly [number, number], unit: string, scale: number, why: string): CapacityRule => ({
    id: `${id}.${suffix}`,
    component,
    what: `${what} per ${component} pod`,
    value: max / scale,
    unit,
    min,
    max,
    source,
    note: why,
    judgment: true,
  });
  return [
    rule('CPU', 'podCpu', bounds.cpu, 'cores', 1, note),
    rule('memory', 'podMemory', bounds.memory, 'GiB', GIB, note),
    ...(bounds.volume ? [rule('volume', 'podVolume', bounds.volume, 'GiB', GIB, volumeNote)] : []),
  ];
}
