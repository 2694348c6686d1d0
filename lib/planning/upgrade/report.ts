import { CHANGE_CLASSES, ChangeClass, PlannedChange, UpgradePlan, describeObject } from './change';

const TITLES: Readonly<Record<ChangeClass, string>> = {
  refused: 'Refused by the API server',
  'data-at-risk': 'Data at risk',
  disruptive: 'Disruptive: pods restart or traffic moves',
  safe: 'Safe',
};

/** `2 refused, 1 data at risk, 14 disruptive, 30 safe`: a plan in one line. */
export function upgradeSummary(plan: UpgradePlan): string {
  return CHANGE_CLASSES.map((c) => `${plan.changes.filter((x) => x.class === c).length} ${c.replace(/-/g, ' ')}`).join(', ');
}

function changeLines(c: PlannedChange, withSteps: boolean): string[] {
  const lines = [`- **${describeObject(c.object)}**: ${c.change}. ${c.why.charAt(0).toUpperCase()}${c.why.slice(1)}.`];
  if (withSteps) for (const [i, step] of (c.steps ?? []).entries()) lines.push(`  ${i + 1}. ${step}`);
  return lines;
}

/**
 * The plan as Markdown: a section per class, worst first, each change with why and, for the
 * unsafe ones, the steps that make it safe; then the rollout order. Safe changes are listed
 * one per line without steps; `safe: false` leaves them out.
 */
export function upgradeReportMarkdown(title: string, plan: UpgradePlan, options: { readonly safe?: boolean } = {}): string {
  const lines = [`## ${title}`, '', upgradeSummary(plan), ''];
  for (const c of CHANGE_CLASSES) {
    const changes = plan.changes.filter((x) => x.class === c);
    if (changes.length === 0 || (c === 'safe' && options.safe === false)) continue;
    lines.push(`### ${TITLES[c]} (${changes.length})`, '');
    for (const change of changes) lines.push(...changeLines(change, c !== 'safe' && c !== 'disruptive'));
    lines.push('');
  }
  if (plan.rollout.length > 0) {
    lines.push(
      '### Rollout order',
      '',
      'Apply the restarting workloads step by step, each with `kubectl apply -f <output> -l <selector>` and then `kubectl rollout status` until it is done; apply the whole output last:',
      '',
    );
    for (const [i, step] of plan.rollout.entries()) {
      lines.push(`${i + 1}. ${step.workloads.map(describeObject).join(', ')}: ${step.reason}.`);
      for (const selector of step.selectors) lines.push(`   - \`-l ${selector}\``);
    }
    lines.push('');
  }
  return lines.join('\n');
}
