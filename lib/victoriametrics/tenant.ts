import { RuleResult } from '../core/errors';

/**
 * A VictoriaMetrics tenant as it appears in cluster URLs: an account ID, or `accountID:projectID`,
 * each a 32-bit unsigned integer (`0`, `42`, `"7:1"`). Tenants need no registration: the first
 * write creates one.
 */
export type VmTenant = string | number;

const MAX_ID = 2 ** 32 - 1;

/** Whether `tenant` is a tenant VictoriaMetrics understands; a problem when it is not. */
export function tenantRule(tenant: VmTenant): RuleResult {
  const text = String(tenant);
  const match = /^(\d+)(?::(\d+))?$/.exec(text);
  if (!match || Number(match[1]) > MAX_ID || (match[2] !== undefined && Number(match[2]) > MAX_ID)) {
    return {
      problem: 'is not a VictoriaMetrics tenant (an account ID, or accountID:projectID, each a number from 0 to 4294967295)',
      fix: 'map the tenant name to a number, e.g. 1 for team-a, or "1:2" for project 2 of account 1',
    };
  }
  return undefined;
}
