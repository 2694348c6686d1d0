// The rules that hold the code's shape: typescript-eslint's recommended set, the import layers of
// lib/ (docs/ARCHITECTURE.md), no import cycles, and JSDoc on the public API. Formatting is
// Prettier's (.prettierrc.json); `npm run lint` runs both checks.
import { readdirSync } from 'node:fs';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import jsdoc from 'eslint-plugin-jsdoc';
import tseslint from 'typescript-eslint';
import obsPlatform from './scripts/eslint-rules.mjs';

// Every other folder of lib/ is a component: a new one is under the rules without being listed.
const LAYERS = ['core', 'object-storage', 'memcached', 'platform', 'planning', 'aws'];
const COMPONENTS = readdirSync(new URL('./lib', import.meta.url), { withFileTypes: true })
  .filter((e) => e.isDirectory() && !LAYERS.includes(e.name))
  .map((e) => e.name);
const TERRAFORM = [{ group: ['cdktf', 'cdktf/*', '@cdktf/*'], message: 'Only lib/aws imports cdktf: a Kubernetes-only user must not need it.' }];
const K8S_ENTRY = [{ name: 'cdk8s-plus-28', message: "Import k8s from lib/core/k8s: the package's entry point loads every cdk8s+ construct (start-up time)." }];

/** A layer rule: files under `dir` may not import `folders` (relative paths one or two levels up, for files in a subfolder). */
function layer(dir, folders, why) {
  return {
    files: [`lib/${dir}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: K8S_ENTRY,
          patterns: [
            ...(dir === 'aws' ? [] : TERRAFORM),
            { group: folders.flatMap((f) => [`../${f}`, `../${f}/*`, `../../${f}`, `../../${f}/*`]), message: why },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['build/**', 'dist/**', 'cdktf.out/**', 'imports/**', 'node_modules/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'] })],
      // Dependencies are parsed to follow their imports: TypeScript through its parser.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js', '.mjs'],
    },
    rules: {
      // A cycle makes load order matter; type-only imports are erased and do not count.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  // Layers: core imports no other folder; object storage and memcached only core; components no
  // platform; nothing but the platform and the planner imports the platform; the planner sits on
  // top and nothing imports it; only lib/aws imports cdktf.
  layer(
    'core',
    ['object-storage', 'memcached', ...COMPONENTS, 'platform', 'planning', 'aws'],
    'lib/core is the bottom layer: it imports no other folder of lib/.',
  ),
  layer('object-storage', ['memcached', ...COMPONENTS, 'platform', 'planning', 'aws'], 'Object storage sits under the components: it imports only lib/core.'),
  ...[...COMPONENTS, 'memcached'].map((c) => layer(c, ['platform', 'planning', 'aws'], 'A component does not know the platform that composes it.')),
  layer('platform', ['planning', 'aws'], 'The platform stays free of cdktf and of the planner above it; the Terraform side is lib/aws.'),
  layer('planning', ['aws'], 'The planner sizes and compares platforms; it stays free of cdktf.'),
  layer('aws', ['platform', 'planning', ...COMPONENTS], 'lib/aws builds on object storage and core only.'),
  {
    files: ['lib/**/*.ts'],
    plugins: { jsdoc, 'obs-platform': obsPlatform },
    rules: {
      // Public API: every exported class, interface, function and type says what it is.
      'jsdoc/require-jsdoc': [
        'error',
        {
          publicOnly: { ancestorsOnly: true },
          require: { ClassDeclaration: true, FunctionDeclaration: true },
          contexts: ['TSInterfaceDeclaration', 'TSTypeAliasDeclaration'],
        },
      ],
      // Every optional property of an exported props interface names its default.
      'obs-platform/optional-prop-default': 'error',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read loosely typed manifests; `any` is how they say so.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      // Spies on cdk8s and cdktf methods keep the instance they were called on.
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    // CommonJS files (jest's config and setup) load their modules with require.
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
