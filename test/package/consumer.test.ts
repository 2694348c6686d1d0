import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runExample } from '../support/examples';
import { synthApp } from '../support/synth';

const ROOT = resolve(__dirname, '..', '..');
const built = existsSync(join(ROOT, 'build/lib/index.js'));

// Packs the library and installs it into a fresh project from the registry, as a user would.
(built ? describe : describe.skip)('the packed library in a fresh Kubernetes-only consumer', () => {
  test('installs without cdktf or the AWS provider, compiles against the typings and synthesizes the platform', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'scripts', 'consumer-install.mjs')], { cwd: ROOT, encoding: 'utf8' });
    const report = JSON.parse(out.trim().split('\n').pop()!);
    expect(report.has).toEqual({ cdk8s: true, 'cdk8s-plus-28': true, constructs: true, cdktf: false, '@cdktf/provider-aws': false, 'cdktf-cli': false });
    expect(report.output).toBe(`objects=${synthApp('platform').manifests.length}`);
    // The README's install size, within a fifth (the registry's newest matching versions move it a little).
    const [, mb, packages] = /\((\d+) MB in (\d+) packages without the Terraform side/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))!;
    expect(report.packages).toBe(Number(packages));
    expect(Math.abs(report.installedBytes / 1e6 - Number(mb)) / Number(mb)).toBeLessThan(0.2);
    // The README's first example, compiled with the README's tsconfig and run with its command, writes what it writes in this repository.
    expect(report.example).toEqual({ 'logging.k8s.yaml': runExample('my-app').objects.length });
    // Only compiled code ships (the aws entry point, the CRD bindings, and the example apps the command line synthesizes): no sources, tests or build info.
    expect(
      report.tarballFiles.filter(
        (f: string) => !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|build\/(lib|imports)\/.+\.(js|d\.ts)|build\/apps\/.+\.js)$/.test(f),
      ),
    ).toEqual([]);
    expect(report.tarballFiles).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'CHANGELOG.md',
        'build/apps/cli.js',
        'build/lib/index.js',
        'build/lib/aws/index.js',
        'build/lib/aws/index.d.ts',
        'build/imports/servicemonitor-monitoring.coreos.com.js',
      ]),
    );
  }, 180_000);
});
