import { spawnSync } from 'node:child_process';

/**
 * Whether a real program from Debian's packages is on this machine. Tests that run one skip with
 * a loud message when it is absent locally, and fail under CI, where scripts/test-setup.sh must
 * have installed it.
 */
export function haveProgram(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  if (!found) {
    if (process.env.CI) throw new Error(`${name} is missing under CI: scripts/test-setup.sh should have installed it`);
    console.warn(`\n!!! SKIPPING checks with the real ${name}: it is not installed. Run scripts/test-setup.sh (as root) to install it.\n`);
  }
  return found;
}

/**
 * `test` when the real program is installed, `test.skip` when it is not (so the run reports the
 * check as skipped, never as passed), and an error under CI, where nothing may skip.
 */
export function testWith(program: string): jest.It {
  return haveProgram(program) ? test : test.skip;
}
