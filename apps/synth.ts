import { join } from 'node:path';
import { App } from 'cdk8s';
import { APPS } from './index';

/** Apps with a variant on AWS S3 and IAM roles instead of the in-cluster MinIO. */
const AWS_VARIANTS: Readonly<Record<string, string>> = { platform: 'platform-aws' };

/**
 * Synthesizes apps without the cdk8s CLI or a TypeScript runtime (compiled once by `tsc`):
 *   node build/apps/synth.js <app> <outdir> [--aws]   one app into <outdir>; --aws takes its AWS variant
 *   node build/apps/synth.js --all <outdir>           every app into <outdir>/<app>
 */
function main(argv: string[]): void {
  const all = argv.includes('--all');
  const aws = argv.includes('--aws');
  const positional = argv.filter((a) => !a.startsWith('--'));
  const outdir = (all ? positional[0] : positional[1]) ?? 'dist';
  const which = positional[0] ?? 'platform';
  const names = all ? Object.keys(APPS) : [aws ? awsVariant(which) : which];
  for (const name of names) {
    const build = APPS[name];
    if (!build) {
      throw new Error(`Unknown app "${name}". Known apps: ${Object.keys(APPS).join(', ')}.`);
    }
    const app = new App({ outdir: all ? join(outdir, name) : outdir });
    build(app);
    // Warnings are printed by the library while the app synthesizes.
    app.synth();
    console.log(`synthesized ${name} -> ${app.outdir}`);
  }
}

function awsVariant(name: string): string {
  const variant = AWS_VARIANTS[name];
  if (!variant) throw new Error(`App "${name}" has no AWS variant. Apps with one: ${Object.keys(AWS_VARIANTS).join(', ')}.`);
  return variant;
}

main(process.argv.slice(2));
