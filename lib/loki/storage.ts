import { formatHours, parseDuration } from '../core/duration';
import { RetentionClaim } from '../object-storage/usage';
import { ResolvedLokiProps } from './props';

/** The S3 actions Loki documents for its chunks and ruler buckets (Loki's AWS deployment guide, v3.7). */
export const LOKI_S3_ACTIONS: readonly string[] = ['s3:ListBucket', 's3:PutObject', 's3:GetObject', 's3:DeleteObject'];

/** How long the compactor waits after marking chunks before it deletes them (`retention_delete_delay`). */
export const LOKI_DELETE_DELAY = '2h';

/** The tenant id Loki uses for every stream when multi-tenancy is off. */
const SINGLE_TENANT_ID = 'fake';

/**
 * What Loki keeps in its chunks bucket, per tenant prefix: chunks live under `<tenant>/` and are
 * served until the tenant's retention plus the delete delay has passed. Nothing else is claimed:
 * `index/`, the cluster seed and delete requests must never expire, and the ruler bucket holds
 * rules kept for ever. With multi-tenancy on, only listed tenants are known, so only their
 * prefixes may carry an expiry.
 */
export function lokiChunkClaims(p: ResolvedLokiProps): RetentionClaim[] {
  const tenants = p.authEnabled
    ? p.tenants.map((t) => ({ id: t.id, retention: t.retention ?? p.retention }))
    : [{ id: SINGLE_TENANT_ID, retention: p.retention }];
  const delayMs = parseDuration(LOKI_DELETE_DELAY)!;
  return tenants.map(({ id, retention }) => {
    const keptForMs = parseDuration(retention)! + delayMs;
    return {
      prefix: `${id}/`,
      keptForMs,
      reason: `Loki "${p.name}" keeps tenant "${id}" for ${retention} + ${LOKI_DELETE_DELAY} delete delay = ${formatHours(keptForMs)}`,
    };
  });
}
