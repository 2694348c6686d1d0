/**
 * The end-to-end tier: the real programs at the pinned versions, run on the synthesized output.
 * Two files at a time: the scenarios mostly wait on the programs' own intervals, and each runs in
 * network namespaces of its own (a loopback cluster), so two share the machine's two cores well.
 */
const base = require('./jest.config');
module.exports = { ...base, testMatch: ['**/*.e2e.ts'], testTimeout: 420_000, maxWorkers: 2 };
