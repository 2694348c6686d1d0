import { IConstruct } from 'constructs';
import { registerAppCheck } from '../core/app-checks';
import { ValidationProblem } from '../core/errors';
import { formatHours } from '../core/duration';

/** A compactor of one bucket (prefix included). */
export interface BucketCompactor extends IConstruct {
  readonly bucketKey: string;
  /** The bucket's name, for messages. */
  readonly bucketName: string;
  readonly deleteDelayMs: number;
}

/** A store gateway serving one bucket. */
export interface BucketReader extends IConstruct {
  readonly bucketKey: string;
  readonly ignoreDeletionMarksDelayMs: number;
}

const users = new WeakMap<IConstruct, { compactors: BucketCompactor[]; readers: BucketReader[] }>();

function usersOf(scope: IConstruct) {
  const root = scope.node.root;
  let found = users.get(root);
  if (!found) {
    found = { compactors: [], readers: [] };
    users.set(root, found);
    const registered = found;
    registerAppCheck(root, 'thanos-bucket-users', () => problems(registered.compactors, registered.readers));
  }
  return found;
}

/** Records a compactor, so the app refuses a second one on its bucket, in whatever order they were made. */
export function registerCompactor(compactor: BucketCompactor): void {
  usersOf(compactor).compactors.push(compactor);
}

/** Records a store gateway, so the app checks it stops serving marked blocks before a compactor deletes them. */
export function registerBucketReader(reader: BucketReader): void {
  usersOf(reader).readers.push(reader);
}

function problems(compactors: readonly BucketCompactor[], readers: readonly BucketReader[]): ValidationProblem[] {
  const out: ValidationProblem[] = [];
  compactors.forEach((compactor, i) => {
    const earlier = compactors.slice(0, i).find((c) => c.bucketKey === compactor.bucketKey);
    if (earlier) {
      out.push({
        path: compactor.node.path,
        property: 'bucket',
        value: compactor.bucketName,
        problem: `is already compacted by ${earlier.node.path}; two compactors on one bucket write overlapping blocks and halt`,
        fix: 'run one compactor per bucket: remove one, or give each its own bucket or prefix',
      });
    }
    for (const reader of readers.filter((r) => r.bucketKey === compactor.bucketKey)) {
      if (reader.ignoreDeletionMarksDelayMs < compactor.deleteDelayMs) continue;
      out.push({
        path: compactor.node.path,
        property: 'deleteDelay',
        value: formatHours(compactor.deleteDelayMs),
        problem: `is not longer than the ignoreDeletionMarksDelay of ${reader.node.path} (${formatHours(reader.ignoreDeletionMarksDelayMs)}): blocks would be deleted while that gateway still serves them, and its queries fail`,
        fix: `set deleteDelay to at least twice the gateway's delay ("${formatHours(2 * reader.ignoreDeletionMarksDelayMs)}"), or lower the gateway's ignoreDeletionMarksDelay`,
      });
    }
  });
  return out;
}
