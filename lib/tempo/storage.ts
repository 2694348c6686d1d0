import { formatHours, parseDuration } from '../core/duration';
import { RetentionClaim } from '../object-storage/usage';

/** The S3 actions Tempo documents for its bucket (hosted-storage/s3.md, v3.0.3). */
export const TEMPO_S3_ACTIONS: readonly string[] = [
  's3:ListBucket',
  's3:PutObject',
  's3:GetObject',
  's3:DeleteObject',
  's3:GetObjectTagging',
  's3:PutObjectTagging',
];

/** How long a compacted block stays before deletion (`compacted_block_retention`, default 1h). */
const COMPACTED_BLOCK_RETENTION = '1h';

/** Tempo keeps every block of the bucket until its retention plus the compacted-block grace has passed. */
export function tempoClaim(name: string, retention: string): RetentionClaim {
  const keptForMs = parseDuration(retention)! + parseDuration(COMPACTED_BLOCK_RETENTION)!;
  return {
    prefix: '',
    keptForMs,
    reason: `Tempo "${name}" keeps traces for ${retention} + ${COMPACTED_BLOCK_RETENTION} compacted-block grace = ${formatHours(keptForMs)}`,
  };
}
