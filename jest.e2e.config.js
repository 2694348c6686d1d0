/** The end-to-end tier: the real programs at the pinned versions, run on the synthesized output. */
const base = require('./jest.config');
module.exports = { ...base, testMatch: ['**/*.e2e.ts'], testTimeout: 420_000, maxWorkers: 1 };
