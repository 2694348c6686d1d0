import { parser } from '@grafana/lezer-logql';
import { RuleGroup, checkRuleGroups } from '../core/rule-groups';
import { Validator } from '../core/errors';

/** Where the pods that run a ruler find the rules as code: `<dir>/<tenant>/rules.yaml`. */
export const RULES_DIR = '/etc/loki/rules';

/**
 * The labels Loki itself gives streams: `service_name`, which it derives from `app` and its like,
 * and for logs sent over OTLP the resource attributes it indexes by default (Loki 3.7.6,
 * `distributor.otlp.default_resource_attributes_as_index_labels`), dots turned to underscores.
 */
export const LOKI_OWN_LABELS = ['service_name'] as const;
export const LOKI_OTLP_INDEX_LABELS = [
  'service.name',
  'service.namespace',
  'service.instance.id',
  'deployment.environment',
  'deployment.environment.name',
  'cloud.region',
  'cloud.availability_zone',
  'k8s.cluster.name',
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.container.name',
  'container.name',
  'k8s.replicaset.name',
  'k8s.deployment.name',
  'k8s.statefulset.name',
  'k8s.daemonset.name',
  'k8s.cronjob.name',
  'k8s.job.name',
].map((attribute) => attribute.replaceAll('.', '_'));

/** What a LogQL expression is, as Loki's own grammar (Grafana's Lezer parser) reads it. */
export interface LogqlShape {
  /** Where the parser stopped, when it could not read the expression. */
  readonly errorAt?: number;
  /** A metric query (a number per series), the only kind a rule can evaluate; else a log query. */
  readonly metric: boolean;
  /** The label names of its stream selectors (`{app="api"}`), not of later label filters. */
  readonly streamLabels: readonly string[];
}

/** Reads a LogQL expression with the maintained grammar Grafana's query editor uses. */
export function logqlShape(expr: string): LogqlShape {
  const tree = parser.parse(expr);
  let errorAt: number | undefined;
  const labels = new Set<string>();
  tree.iterate({
    enter: (node) => {
      if (node.type.isError && errorAt === undefined) errorAt = node.from;
      if (node.name !== 'Matcher') return;
      // A matcher inside a stream selector, not a label filter of a pipeline.
      for (let up = node.node.parent; up; up = up.parent) {
        if (up.name === 'Selector') {
          const id = node.node.getChild('Identifier');
          if (id) labels.add(expr.slice(id.from, id.to));
          break;
        }
        if (up.name === 'PipelineStage') break;
      }
    },
  });
  const metric = tree.topNode.getChild('Expr')?.firstChild?.name === 'MetricExpr';
  return { errorAt, metric, streamLabels: [...labels] };
}

/**
 * Checks a tenant's rule groups: the group shape (as for Prometheus), and each expression as
 * Loki reads it: LogQL it can parse, and a metric query, since a rule evaluates to numbers.
 */
export function checkLokiRuleGroups(v: Validator, property: string, groups: readonly RuleGroup[]): void {
  checkRuleGroups(v, property, groups);
  groups.forEach((group, i) =>
    group.rules.forEach((rule, j) => {
      if (rule.expr.trim() === '') return; // reported above
      const at = `${property}[${i}].rules[${j}].expr`;
      const shape = logqlShape(rule.expr);
      if (shape.errorAt !== undefined) {
        v.check(
          false,
          at,
          rule.expr,
          `is not LogQL Loki can parse (it stops at character ${shape.errorAt + 1}: "${rule.expr.slice(shape.errorAt, shape.errorAt + 20)}")`,
          'fix the expression; try it in Grafana Explore against Loki first',
        );
        return;
      }
      v.check(
        shape.metric,
        at,
        rule.expr,
        'is a log query, which selects lines: a rule needs a metric query, which gives a number per series',
        'wrap it in a range aggregation, e.g. sum by (app) (count_over_time({app="api"} |= "error" [5m]))',
      );
    }),
  );
}
