import { IConstruct } from 'constructs';
import { LokiTenant } from '../loki/props';
import { LOKI_OTLP_INDEX_LABELS, LOKI_OWN_LABELS, logqlShape } from '../loki/rules';
import { addWarning } from '../core/warnings';

/**
 * Warns for each LogQL rule whose stream selector names a label no log source of the platform
 * attaches: the rule would never see a stream, and its alert never fire. The sources are the log
 * agent's labels, Loki's own (`service_name`), and with an OTLP gateway the resource attributes
 * Loki indexes. Streams pushed by shippers outside the platform may carry others: the warning
 * can then be acknowledged.
 */
export function warnOnUnknownRuleLabels(scope: IConstruct, tenants: readonly LokiTenant[], agentLabels: readonly string[], otlpLogs: boolean): void {
  const known = new Set<string>([...agentLabels, ...LOKI_OWN_LABELS, ...(otlpLogs ? LOKI_OTLP_INDEX_LABELS : [])]);
  tenants.forEach((tenant, i) =>
    tenant.ruleGroups?.forEach((group, j) =>
      group.rules.forEach((rule, k) => {
        const unknown = logqlShape(rule.expr).streamLabels.filter((label) => !known.has(label));
        if (unknown.length === 0) return;
        addWarning(
          scope,
          'rule-label-unknown',
          `tenants[${i}].ruleGroups[${j}].rules[${k}].expr`,
          rule.expr,
          `selects streams by ${unknown.map((l) => `"${l}"`).join(', ')}, which no log source of the platform attaches (they attach ${[...known].slice(0, 8).join(', ')}…), so the rule would never see a stream`,
          `select by a label the sources attach, e.g. {namespace="…", app="…"}, or acknowledge the warning if other shippers push streams with ${unknown.length > 1 ? 'those labels' : 'that label'}`,
        );
      }),
    ),
  );
}
