/** Tests run from the TypeScript sources through swc (no type check here: `npm run typecheck` does that). */
module.exports = {
  testEnvironment: 'node',
  // Both cores: jest's default (cores - 1) runs the suites one at a time on a two-core machine.
  maxWorkers: 2,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // The README example imports the package by name, as a user would.
  moduleNameMapper: { '^@obs-platform/constructs$': '<rootDir>/lib/index.ts', '^@obs-platform/constructs/aws$': '<rootDir>/lib/aws/index.ts' },
  snapshotFormat: { printBasicPrototype: false },
  // Synthesized apps would print their warnings into the test output; tests read them with warningsOf.
  setupFiles: ['<rootDir>/test/support/jest-env.js'],
  // Scratch files of every test go to one folder per run, removed at its end.
  globalSetup: '<rootDir>/test/support/temp-root.js',
  globalTeardown: '<rootDir>/test/support/temp-root.js',
};
