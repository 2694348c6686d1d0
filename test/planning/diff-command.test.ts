import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { planUpgrade } from '../../lib/planning/upgrade';
import { diffOutputs, readOutput, reportTitle, synthesizeApps } from '../../apps/diff-command';
import { UPGRADE_FIXTURES } from '../support/upgrade-fixtures';

const ROOT = resolve(__dirname, '..', '..');
const built = existsSync(join(ROOT, 'build/apps/cli.js'));
/** The release before this one: its output (test/e2e/baseline) and the commit it was written from. */
const BASELINE = 'test/e2e/baseline/v0.1.0.json.gz';
const BASELINE_COMMIT = '573bce5';
const REPORT = 'docs/upgrades/from-v0.1.0.md';

function diff(...args: string[]) {
  return spawnSync(process.execPath, ['build/apps/cli.js', 'diff', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, OBS_PLATFORM_WARNINGS: 'silent' },
  });
}
const fixture = (name: string, side: 'before' | 'after') => join(UPGRADE_FIXTURES, name, `${side}.yaml`);

(built ? describe : describe.skip)('obs-platform diff (compiled)', () => {
  test('exits 1 when a change is refused or puts data at risk, with the steps in its report', () => {
    for (const name of ['refused-volume-size', 'risk-bucket-changed']) {
      const result = diff(fixture(name, 'before'), fixture(name, 'after'));
      expect({ name, status: result.status, stderr: result.stderr.trim() }).toEqual({
        name,
        status: 1,
        stderr: 'obs-platform diff: something is refused or puts data at risk (exit status 1)',
      });
      expect(result.stdout).toMatch(/^\s+1\. /m);
    }
  });

  test('exits 0 when every change is disruptive or safe, and gives the rollout order', () => {
    const result = diff(fixture('disruptive-vm-upgrade', 'before'), fixture('disruptive-vm-upgrade', 'after'));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/### Rollout order[\s\S]*vm-vmstorage[\s\S]*vm-vminsert[\s\S]*vm-vmselect/);
  });

  test('refuses a call it cannot read with exit status 2 and the fix', () => {
    expect([diff().status, diff().stderr]).toEqual([2, expect.stringContaining('diff takes FROM and optionally TO')]);
    const missing = diff('no-such-dir');
    expect([missing.status, missing.stderr]).toEqual([2, expect.stringContaining('no-such-dir does not exist (give a synth output directory')]);
    expect(diff(BASELINE, '--bogus').status).toBe(2);
  });

  test('reads a directory synth wrote: against this version, nothing changes', () => {
    const out = mkdtempSync(join(tmpdir(), 'diff-synth-'));
    expect(spawnSync(process.execPath, ['build/apps/cli.js', 'synth', 'platform', '--out', out], { cwd: ROOT }).status).toBe(0);
    expect(readdirSync(out)).toEqual(['platform.k8s.yaml']);
    const result = diff(out, '--app', 'platform', '--safe');
    expect([result.status, result.stdout]).toEqual([0, expect.stringContaining('0 refused, 0 data at risk, 0 disruptive, 0 safe')]);
  });

  test('synthesizes a git commit on the fly: the release commit gives the release baseline back', () => {
    // The baseline's Secrets carry "redacted" for every value; every other object must be equal.
    const result = diff(`git:${BASELINE_COMMIT}`, BASELINE, '--safe');
    expect(result.status).toBe(0);
    const changed = result.stdout.split('\n').filter((l) => l.startsWith('- **'));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((l) => !/^- \*\*Secret [^*]+\*\*: (data\.[\w.-]+(, )?)+ changed\./.test(l))).toEqual([]);
  }, 300_000);
});

describe('this version against the last release, app by app', () => {
  const before = readOutput(join(ROOT, BASELINE), 'platform');
  const after = synthesizeApps(Object.keys(before));
  const charts = Object.entries(before).flatMap(([app, byChart]) => Object.keys(byChart).map((chart) => ({ app, chart })));

  test.each(charts)('$app / $chart: nothing refused (the real kube-apiserver of the e2e tier applies it on top)', ({ app, chart }) => {
    const plan = planUpgrade(before[app][chart], after[app][chart] ?? []);
    expect(plan.changes.filter((c) => c.class === 'refused')).toEqual([]);
  });

  test(`the committed report (${REPORT}) is what \`diff ${BASELINE}\` writes now, and it blocks the apply`, () => {
    const { report, blocks } = diffOutputs(before, after, { title: reportTitle(BASELINE) });
    // The release ran MinIO as the embedded store, this version SeaweedFS: data at risk.
    expect(blocks).toBe(true);
    const regenerate = `regenerate it: npm run --silent build && node build/apps/cli.js diff ${BASELINE} --out ${REPORT}`;
    expect({ report, regenerate }).toEqual({ report: readFileSync(join(ROOT, REPORT), 'utf8'), regenerate });
  });

  test('the switch of the embedded store from MinIO to SeaweedFS is data at risk wherever the release ran MinIO', () => {
    const minioApps = Object.keys(before).filter((app) =>
      Object.values(before[app]).some((ms) => ms.some((m) => m.kind === 'StatefulSet' && m.metadata.name === 'minio-server')),
    );
    expect(minioApps.length).toBeGreaterThan(0);
    for (const app of minioApps) {
      const plans = Object.keys(before[app]).map((chart) => planUpgrade(before[app][chart], after[app][chart] ?? []));
      const minioRemoved = plans.flatMap((p) => p.changes).filter((c) => c.object.name === 'minio-server' && c.class === 'data-at-risk');
      const stillMinio = Object.values(after[app] ?? {}).some((ms) => ms.some((m) => m.metadata.name === 'minio-server'));
      expect({ app, atRisk: minioRemoved.length > 0 }).toEqual({ app, atRisk: !stillMinio });
    }
  });
});
