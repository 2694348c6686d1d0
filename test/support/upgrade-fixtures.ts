import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readYaml } from '../../apps/diff-command';
import { ManifestObject } from '../../lib/planning/upgrade';

/** The committed fixture pairs of the upgrade planner: one folder per case, `before.yaml` and `after.yaml`. */
export const UPGRADE_FIXTURES = join(__dirname, '..', 'fixtures', 'upgrade');

/** One fixture pair: what it shows (the files' first comment line) and both sides' objects. */
export interface UpgradeFixture {
  readonly name: string;
  readonly shows: string;
  readonly before: ManifestObject[];
  readonly after: ManifestObject[];
}

/** Every fixture pair, by folder name. */
export function upgradeFixtures(): UpgradeFixture[] {
  return readdirSync(UPGRADE_FIXTURES)
    .sort()
    .map((name) => {
      const dir = join(UPGRADE_FIXTURES, name);
      const shows = readFileSync(join(dir, 'after.yaml'), 'utf8').split('\n')[0].replace(/^#\s*/, '');
      return { name, shows, before: readYaml(join(dir, 'before.yaml')), after: readYaml(join(dir, 'after.yaml')) };
    });
}
