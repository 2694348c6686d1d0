/**
 * One temporary folder per test run: every test that asks `os.tmpdir()` for scratch space gets it
 * inside this folder, which the run removes at its end, so a run leaves nothing behind in /tmp.
 * Used as both jest's globalSetup and globalTeardown (the workers inherit TMPDIR).
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async function tempRoot() {
  if (process.env.OBS_TEST_TMP_ROOT) {
    rmSync(process.env.OBS_TEST_TMP_ROOT, { recursive: true, force: true });
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'obs-test-run-'));
  process.env.OBS_TEST_TMP_ROOT = root;
  process.env.TMPDIR = root;
};
