/**
 * The end-to-end tier: the real programs at the pinned versions, run on the synthesized output.
 * Three files at a time on two cores: the scenarios mostly wait on the programs' own intervals
 * (scrapes, uploads, polls), and each runs in network namespaces of its own (a loopback cluster).
 * Measured warm on the two-core CI machine: 574 s with two workers, 397 s with three.
 */
const base = require('./jest.config');
module.exports = { ...base, testMatch: ['**/*.e2e.ts'], testTimeout: 420_000, maxWorkers: 3 };
