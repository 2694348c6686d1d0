import { money } from './format';
import type { CapacityPlan } from './plan';
import { GIB, round2 } from './units';

const ROW = 20;
const LABEL = 190;
const BAR = 180;
const GAP = 70;
const TOP = 48;

/**
 * The plan as an SVG bar chart: per component, its monthly cost, the CPU and the memory its pods
 * request, each column on its own scale. Plain SVG text, no script, no external reference.
 */
export function capacityChartSvg(plan: CapacityPlan): string {
  const rows = plan.components.filter((c) => c.cost.total > 0 || c.cpu > 0);
  const columns: ReadonlyArray<{
    readonly title: string;
    readonly value: (i: number) => number;
    readonly label: (n: number) => string;
    readonly color: string;
  }> = [
    { title: 'Cost per month', value: (i) => rows[i].cost.total, label: (n) => money(n, plan.prices.currency), color: '#d9822b' },
    { title: 'CPU requested (cores)', value: (i) => rows[i].cpu, label: (n) => round2(n), color: '#2b6cb0' },
    { title: 'Memory requested (GiB)', value: (i) => rows[i].memoryBytes / GIB, label: (n) => round2(n), color: '#2f855a' },
  ];
  const width = LABEL + columns.length * (BAR + GAP) + 10;
  const height = TOP + rows.length * ROW + 16;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${escape(`Capacity plan: ${money(plan.totals.cost.total, plan.prices.currency)} a month, ${round2(plan.totals.cpu)} cores, ${round2(plan.totals.memoryBytes / GIB)} GiB`)}</text>`,
  ];
  columns.forEach((col, j) => {
    const x = LABEL + j * (BAR + GAP);
    const max = Math.max(...rows.map((_, i) => col.value(i)), 1e-9);
    parts.push(`<text x="${x}" y="${TOP - 8}" font-weight="bold">${escape(col.title)}</text>`);
    rows.forEach((_, i) => {
      const value = col.value(i);
      const w = Math.round((value / max) * BAR * 10) / 10;
      const y = TOP + i * ROW;
      parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${ROW - 6}" fill="${col.color}"/>`);
      parts.push(`<text x="${x + w + 4}" y="${y + ROW - 9}">${escape(col.label(value))}</text>`);
    });
  });
  rows.forEach((row, i) => parts.push(`<text x="8" y="${TOP + i * ROW + ROW - 9}">${escape(row.name)}</text>`));
  parts.push('</svg>', '');
  return parts.join('\n');
}

/** Text safe inside an XML element. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
