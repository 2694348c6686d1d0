import { RuleResult } from '../core/errors';
import type { ObjectStorage } from './object-storage';

/**
 * S3 general-purpose bucket naming rules (AWS "Bucket naming rules"): 3-63 characters of
 * lower-case letters, digits, dots and hyphens; starts and ends with a letter or digit; no two
 * adjacent dots; not an IP address; none of the prefixes and suffixes AWS reserves.
 */
export function bucketName(value: string): RuleResult {
  const fix = 'use 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit, e.g. "acme-loki-chunks"';
  if (typeof value !== 'string' || value.length < 3 || value.length > 63) {
    return { problem: 'must be 3 to 63 characters long', fix };
  }
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(value)) {
    return { problem: 'may hold only lower-case letters, digits, "." and "-", and must start and end with a letter or digit', fix };
  }
  if (value.includes('..')) return { problem: 'must not contain two adjacent dots', fix };
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) return { problem: 'must not look like an IP address', fix };
  const reservedPrefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => value.startsWith(p));
  if (reservedPrefix) return { problem: `must not start with the reserved prefix "${reservedPrefix}"`, fix };
  const reservedSuffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((s) => value.endsWith(s));
  if (reservedSuffix) return { problem: `must not end with the reserved suffix "${reservedSuffix}"`, fix };
  return undefined;
}

/**
 * The bucket a component uses: the one given, or the storage's default for `suggested`; undefined
 * when there is none (AWS without a prefix), which {@link bucketChoiceRule} reports.
 */
export function chooseBucket(given: string | undefined, storage: ObjectStorage | undefined, suggested: string): string | undefined {
  return given ?? storage?.defaultBucketName?.(suggested);
}

/** A bucket the component must be given, because the storage cannot choose one; then a valid name. */
export function bucketChoiceRule(given: string | undefined, chosen: string | undefined, suggested: string): RuleResult {
  if (given === undefined && chosen === undefined) {
    return {
      problem: `is left to the library, but S3 bucket names are global to every AWS account: an unprefixed "${suggested}" may already be someone else's`,
      fix: `name the bucket yourself (e.g. "<your-prefix>-${suggested}"), or give the S3Storage a bucketPrefix`,
    };
  }
  return bucketName(chosen!);
}
