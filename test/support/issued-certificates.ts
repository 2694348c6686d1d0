import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Manifest } from './synth';

/** A CA made by openssl for one output, standing in for the cert-manager issuer its Certificates name. */
export interface TestCa {
  readonly dir: string;
  readonly cert: string;
}

const cas = new WeakMap<readonly Manifest[], TestCa>();
const issued = new WeakMap<readonly Manifest[], Map<string, Record<string, string>>>();

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The output's CA, made on first use (EC P-256, valid for a day). */
export function testCaOf(manifests: readonly Manifest[]): TestCa {
  let ca = cas.get(manifests);
  if (!ca) {
    const dir = mkdtempSync(join(tmpdir(), 'obs-test-ca-'));
    const at = (f: string) => join(dir, f);
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      at('ca.key'),
      '-out',
      at('ca.crt'),
      '-days',
      '1',
      '-subj',
      '/CN=obs-test-ca',
    );
    ca = { dir, cert: readFileSync(at('ca.crt'), 'utf8') };
    cas.set(manifests, ca);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return ca;
}

/**
 * The Secret a cert-manager `Certificate` of the output makes (`tls.crt`, `tls.key`, `ca.crt`), as
 * a CA issuer would make it: the Certificate's DNS names as subject alternative names, its
 * usages as extended key usages, its key algorithm; all from one CA per output, issued once, so
 * every pod of a run reads the same Secret. Undefined when no Certificate makes that Secret.
 */
export function issuedCertificateValues(manifests: readonly Manifest[], namespace: string, secretName: string): Record<string, string> | undefined {
  const certificate = manifests.find((m) => m.kind === 'Certificate' && m.metadata.namespace === namespace && m.spec.secretName === secretName);
  if (!certificate) return undefined;
  const cache = issued.get(manifests) ?? issued.set(manifests, new Map()).get(manifests)!;
  const key = `${namespace}/${secretName}`;
  if (!cache.has(key)) cache.set(key, issueCertificate(testCaOf(manifests), certificate.spec));
  return { ...cache.get(key)! };
}

/**
 * A certificate signed by `ca` for the spec of a cert-manager Certificate (`dnsNames`, `usages`,
 * `privateKey.algorithm`), as the Secret it makes: `tls.crt`, `tls.key`, `ca.crt`.
 */
export function issueCertificate(
  ca: TestCa,
  spec: { readonly dnsNames: readonly string[]; readonly usages: readonly string[]; readonly privateKey?: { readonly algorithm?: string } },
): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-test-cert-'));
  const at = (f: string) => join(dir, f);
  try {
    const key = spec.privateKey?.algorithm === 'ECDSA' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
    openssl('req', ...key, '-nodes', '-keyout', at('tls.key'), '-out', at('tls.csr'), '-subj', `/CN=${spec.dnsNames[0]}`);
    const usages = spec.usages.map((u) => ({ 'server auth': 'serverAuth', 'client auth': 'clientAuth' })[u] ?? u);
    writeFileSync(at('ext.cnf'), `subjectAltName=${spec.dnsNames.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=${usages.join(',')}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      at('tls.csr'),
      '-CA',
      join(ca.dir, 'ca.crt'),
      '-CAkey',
      join(ca.dir, 'ca.key'),
      '-CAcreateserial',
      '-out',
      at('tls.crt'),
      '-days',
      '1',
      '-extfile',
      at('ext.cnf'),
    );
    return { 'tls.crt': readFileSync(at('tls.crt'), 'utf8'), 'tls.key': readFileSync(at('tls.key'), 'utf8'), 'ca.crt': ca.cert };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
