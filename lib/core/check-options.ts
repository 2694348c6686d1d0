import { Validator } from './errors';
import { pinnedImage } from './images';
import { quantity, replicaCount } from './rules';
import { WorkloadOptions } from './workload';

/** Validates the escape hatches every workload takes, under the property prefix `prefix` (none when empty). */
export function checkWorkloadOptions(v: Validator, prefix: string, options: WorkloadOptions | undefined): void {
  if (!options) return;
  const at = (property: string) => (prefix ? `${prefix}.${property}` : property);
  if (options.image) v.apply(at('image'), options.image, pinnedImage(options.image));
  for (const kind of ['requests', 'limits'] as const) {
    const list = options.resources?.[kind];
    for (const [key, value] of Object.entries(list ?? {})) {
      if (value !== undefined) v.apply(at(`resources.${kind}.${key}`), value, quantity(value));
    }
  }
}

/** Validates a replica count under `property`. */
export function checkReplicas(v: Validator, property: string, value: number, min = 1): boolean {
  return v.apply(property, value, replicaCount(value, min));
}
