import { join } from 'node:path';
import { App } from 'cdk8s';
import { warningsOf } from '../lib/core/warnings';
import { APPS } from './index';

/**
 * Synthesizes apps without the cdk8s CLI or a TypeScript runtime (compiled once by `tsc`):
 *   node build/apps/synth.js <app> <outdir>     one app into <outdir>
 *   node build/apps/synth.js --all <outdir>     every app into <outdir>/<app>
 */
function main(argv: string[]): void {
  const [which, outdir = 'dist'] = argv;
  const names = which === '--all' ? Object.keys(APPS) : [which];
  for (const name of names) {
    const build = APPS[name];
    if (!build) {
      throw new Error(`Unknown app "${name}". Known apps: ${Object.keys(APPS).join(', ')}.`);
    }
    const app = new App({ outdir: which === '--all' ? join(outdir, name) : outdir });
    build(app);
    app.synth();
    for (const warning of warningsOf(app)) console.warn(`warning: ${warning}`);
    console.log(`synthesized ${name} -> ${app.outdir}`);
  }
}

main(process.argv.slice(2));
