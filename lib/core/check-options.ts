import { IConstruct } from 'constructs';
import { parseDuration } from './duration';
import { Validator } from './errors';
import { ImageRef, pinnedImage } from './images';
import { labelName, quantity, replicaCount, volumeSize } from './rules';
import { WorkloadOptions } from './workload';

/**
 * Validates the escape hatches every workload takes, under the property prefix `prefix` (none when
 * empty). `pinned` is the component's own image, which an image hint names.
 */
export function checkWorkloadOptions(v: Validator, prefix: string, options: WorkloadOptions | undefined, pinned?: ImageRef): void {
  if (!options) return;
  const at = (property: string) => (prefix ? `${prefix}.${property}` : property);
  if (options.image !== undefined) v.apply(at('image'), options.image, pinnedImage(options.image, pinned));
  for (const kind of ['requests', 'limits'] as const) {
    const list = options.resources?.[kind];
    for (const [key, value] of Object.entries(list ?? {})) {
      if (value !== undefined) v.apply(at(`resources.${kind}.${key}`), value, quantity(value));
    }
  }
}

/** A volume size prop, when given. */
export function checkVolumeSize(v: Validator, property: string, value: string | undefined): boolean {
  return value === undefined || v.apply(property, value, volumeSize(value));
}

/** Validates a replica count under `property`. */
export function checkReplicas(v: Validator, property: string, value: number, min = 1): boolean {
  return v.apply(property, value, replicaCount(value, min));
}

/** External labels: valid names, and none that the construct sets itself. */
export function checkExternalLabels(
  v: Validator,
  labels: Readonly<Record<string, string>> | undefined,
  reserved: readonly string[],
  property = 'externalLabels',
): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    v.check(
      labelName(key) === undefined,
      `${property}.${key}`,
      value,
      'has a key that is not a Prometheus label name',
      'use letters, digits and "_", not starting with a digit',
    );
    v.check(
      !reserved.includes(key),
      `${property}.${key}`,
      value,
      `sets a label the construct sets itself (${reserved.join(', ')})`,
      'choose another label name',
    );
  }
}

/** A label name check for single props such as `replicaLabel`. */
export function checkLabelName(v: Validator, property: string, value: string): boolean {
  return v.apply(property, value, labelName(value));
}

/** A scrape interval: a positive duration (default 30s when unset). */
export function checkScrapeInterval(v: Validator, interval: string | undefined): void {
  const value = interval ?? '30s';
  v.check((parseDuration(value) ?? 0) > 0, 'scrapeInterval', value, 'is not a positive duration', 'write it as "30s"');
}

/** Prometheus and vmagent refuse to start with two scrape configs of one job name. */
export function checkUniqueJobs(v: Validator, jobs: readonly string[]): void {
  for (const job of new Set(jobs.filter((j, i) => jobs.indexOf(j) !== i))) {
    v.check(
      false,
      'scrapeTargets',
      job,
      'is the job name of two scrape configs (the construct scrapes itself under its own name), which the scraper refuses at start',
      'give every scrape target and extra scrape config its own job_name',
    );
  }
}

/**
 * Records every required prop that is missing (as from plain JavaScript, `as any` or a JSON
 * spec), each with how to give it, and returns whether all are there: checks that read them run
 * only then, so a missing prop is reported as such rather than as "Cannot read properties".
 */
export function checkRequired(v: Validator, props: object | undefined, required: Readonly<Record<string, string>>): boolean {
  const given = (props ?? {}) as Record<string, unknown>;
  let ok = true;
  for (const [prop, fix] of Object.entries(required)) {
    if (given[prop] === undefined || given[prop] === null) {
      v.check(false, prop, undefined, 'is required', fix);
      ok = false;
    }
  }
  return ok;
}

/** {@link checkRequired} on its own, thrown at once: for constructs whose later checks read those props. */
export function requireProps(scope: IConstruct, props: object | undefined, required: Readonly<Record<string, string>>): void {
  const v = new Validator(scope);
  checkRequired(v, props, required);
  v.throwIfAny();
}
