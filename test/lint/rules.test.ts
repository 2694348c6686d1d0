import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/**
 * The messages eslint gives each snippet as if it were the file at its path (relative to the root),
 * in one eslint process: its config is an ES module, which jest's module system cannot load.
 */
function lintAll(snippets: ReadonlyArray<readonly [string, string]>): string[][] {
  const script = `import { ESLint } from 'eslint';
const eslint = new ESLint({ cwd: process.cwd() });
const input = JSON.parse(process.argv[1]);
const out = [];
for (const [path, code] of input) {
  const [r] = await eslint.lintText(code, { filePath: path });
  out.push(r.messages.map((m) => m.ruleId + ': ' + m.message));
}
console.log(JSON.stringify(out));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(snippets)], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`eslint failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const LAYERS: ReadonlyArray<readonly [string, string, string]> = [
  ['lib/core/x.ts', "import { LokiCluster } from '../loki';", 'lib/core is the bottom layer'],
  ['lib/object-storage/x.ts', "import { Grafana } from '../grafana/grafana';", 'Object storage sits under the components'],
  ['lib/thanos/x.ts', "import { ObservabilityPlatform } from '../platform';", 'A component does not know the platform'],
  ['lib/platform/x.ts', "import { AwsStorageStack } from '../aws';", 'The platform stays free of cdktf'],
  ['lib/loki/x.ts', "import { TerraformStack } from 'cdktf';", 'Only lib/aws imports cdktf'],
  ['lib/tempo/x.ts', "import { k8s } from 'cdk8s-plus-28';", 'Import k8s from lib/core/k8s'],
  ['lib/platform/x.ts', "import { planPlatform } from '../planning';", 'of the planner above it'],
  ['lib/loki/x.ts', "import { planPlatform } from '../planning/capacity';", 'A component does not know the platform'],
  ['lib/planning/capacity/x.ts', "import { AwsStorageStack } from '../../aws';", 'The planner sizes and compares platforms'],
];
const ALLOWED =
  "import { Validator } from '../core/errors';\nimport { ObjectStorage } from '../object-storage/object-storage';\nexport const used = [Validator, {} as ObjectStorage];\n";
// errors.ts is imported, through others, by workload.ts: importing workload from it closes a loop.
const CYCLE = "import { Workload } from './workload';\n/** The workload. */\nexport const used = Workload;\n";
const UNDOCUMENTED = 'export interface WidgetProps {\n  readonly size?: number;\n  /** @default 3 */\n  readonly count?: number;\n}\n';

const results = lintAll([
  ...LAYERS.map(([path, code]) => [path, `${code}\nexport const used = [${code.split(' ')[2]}];\n`] as const),
  ['lib/thanos/x.ts', ALLOWED],
  ['lib/core/errors.ts', CYCLE],
  ['lib/core/x.ts', UNDOCUMENTED],
]);

// The rules that hold the code's shape are shown refusing what they exist to refuse.
describe('lint rules', () => {
  test.each(LAYERS.map((l, i) => [...l, i] as const))('%s may not: %s', (_path, _code, why, i) => {
    expect(results[i].join('\n')).toContain(why);
  });

  test('the layers allow what they are for', () => {
    expect(results[LAYERS.length]).toEqual([]);
  });

  test('an import cycle is refused', () => {
    expect(results[LAYERS.length + 1].join('\n')).toContain('import-x/no-cycle');
  });

  test('an exported props interface documents itself and the default of every optional property', () => {
    expect(results[LAYERS.length + 2]).toEqual([
      'jsdoc/require-jsdoc: Missing JSDoc comment.',
      'obs-platform/optional-prop-default: Optional property "size" of exported interface WidgetProps has no @default in its JSDoc: say what applies when it is left out.',
    ]);
  });
});
