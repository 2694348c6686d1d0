import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { spawnSync } from 'node:child_process';

/** Where scripts/e2e-build.sh puts the programs it builds. */
export const E2E_CACHE = process.env.OBS_E2E_CACHE ?? join(homedir(), '.cache', 'obs-platform-e2e');

/** The local binary of a program at the pinned version; an absolute path (a Debian program) is itself. */
export function program(name: string): string {
  return isAbsolute(name) ? name : join(E2E_CACHE, 'bin', name);
}

/** What the tier needs besides the programs: root (network and mount namespaces), iproute2, dnsmasq. */
function missing(programs: readonly string[]): string[] {
  const out: string[] = [];
  if (process.getuid?.() !== 0) out.push('root (network and mount namespaces)');
  for (const tool of ['ip', 'unshare', 'dnsmasq']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) out.push(tool);
  for (const p of programs) if (!existsSync(program(p))) out.push(isAbsolute(p) ? `${p} (run scripts/test-setup.sh)` : `${p} (run scripts/e2e-build.sh)`);
  return out;
}

/**
 * `test` when everything a scenario runs is here; else `test.skip` with a loud message, so a
 * missing program is reported as a skipped test, never as a pass. Under CI nothing may skip.
 */
export function scenario(...programs: string[]): jest.It {
  const lacking = missing(programs);
  if (lacking.length === 0) return test;
  if (process.env.CI) throw new Error(`the end-to-end tier lacks ${lacking.join(', ')} under CI: .ci/run should have built and installed them`);
  console.warn(`\n!!! SKIPPING an end-to-end scenario: it needs ${lacking.join(', ')}.\n`);
  return test.skip;
}
