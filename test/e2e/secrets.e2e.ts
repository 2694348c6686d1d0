import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Manifest, synthApp } from '../support/synth';
import { generatorJobOf } from '../support/generated-secrets';
import { LocalApiServer } from './support/kube-apiserver';
import { program, scenario } from './support/programs';

/**
 * Credentials made in the cluster, never in the output: the generator Jobs of the default platform
 * run against a real kube-apiserver (RBAC on, etcd behind it). Each step runs the real program of
 * its container: the shell step under busybox with busybox's own applets, the apply step with
 * kubectl of the pinned release, as the Job's ServiceAccount (impersonated), so the Role the
 * output grants is exactly what is tested. The Secret as the API server holds it is what the
 * shell step sees mounted, as the kubelet would mount it.
 */
const BUSYBOX = '/usr/bin/busybox';
const run = scenario('kube-apiserver', 'etcd', 'kubectl', BUSYBOX);
const manifests = synthApp('platform').manifests;
const NAMESPACE = 'observability';
const jobs = { store: generatorJobOf(manifests, 'seaweedfs-credentials'), grafana: generatorJobOf(manifests, 'grafana-admin') };
/** The generators' ServiceAccounts, Roles and RoleBindings, and the namespace they live in. */
const access = manifests.filter(
  (m) => m.kind === 'Namespace' || (['ServiceAccount', 'Role', 'RoleBinding'].includes(m.kind) && m.metadata.name.endsWith('-generator')),
);

let server: LocalApiServer | undefined;
beforeAll(async () => {
  if (run === test.skip) return;
  server = await LocalApiServer.start({ authorization: 'RBAC' });
  for (const m of access)
    expect({ object: m.metadata.name, applied: (await server.apply(m)).status < 300 }).toEqual({ object: m.metadata.name, applied: true });
}, 180_000);
afterAll(async () => {
  await server?.stop();
});
const api = () => server!;

/** The Secret as the API server holds it, decoded; undefined when there is none. */
async function secret(name: string): Promise<Record<string, string> | undefined> {
  const got = await api().request('GET', `/api/v1/namespaces/${NAMESPACE}/secrets/${name}`);
  if (got.status === 404) return undefined;
  expect(got.status).toBe(200);
  return Object.fromEntries(Object.entries((got.body.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/** kubectl of the pinned release, as the admin or (with `as`) as a ServiceAccount. */
function kubectl(args: string[], as?: string, home = tmpdir()) {
  const impersonate = as ? [`--as=system:serviceaccount:${NAMESPACE}:${as}`] : [];
  const done = spawnSync(program('kubectl'), [...args, `--kubeconfig=${api().kubeconfig()}`, ...impersonate], { encoding: 'utf8', env: { HOME: home } });
  return { status: done.status, stderr: done.stderr };
}

/**
 * One run of a generator Job: its shell step with the Secret as it is mounted, then its apply step
 * as its ServiceAccount. Returns the apply step's exit status and errors.
 */
async function runJob(job: Manifest): Promise<{ status: number | null; stderr: string }> {
  const pod = job.spec.template.spec;
  const secretName = pod.volumes.find((v: { name: string }) => v.name === 'current').secret.secretName as string;
  const dir = mkdtempSync(join(tmpdir(), 'obs-e2e-generator-'));
  try {
    for (const d of ['current', 'out', 'bin', 'home']) mkdirSync(join(dir, d));
    for (const [key, value] of Object.entries((await secret(secretName)) ?? {})) writeFileSync(join(dir, 'current', key), value);
    // busybox's applets, not this machine's coreutils: what the image has.
    for (const applet of ['sh', 'head', 'od', 'tr', 'base64', 'cat']) symlinkSync(BUSYBOX, join(dir, 'bin', applet));
    const init = pod.initContainers.find((c: { name: string }) => c.name === 'values');
    const script = (init.command[2] as string).replace(/'\/current\//g, `'${dir}/current/`).replace(/\/out\//g, `${dir}/out/`);
    const shell = spawnSync(join(dir, 'bin', 'sh'), ['-c', script], { encoding: 'utf8', env: { PATH: join(dir, 'bin') } });
    expect({ step: 'values', status: shell.status, stderr: shell.stderr }).toEqual({ step: 'values', status: 0, stderr: '' });
    const apply = pod.containers.find((c: { name: string }) => c.name === 'apply');
    const args = (apply.args as string[]).map((a) => a.replace('=/out/', `=${dir}/out/`));
    return kubectl(args, pod.serviceAccountName, join(dir, 'home'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('credentials made in the cluster by the generator Jobs', () => {
  run('each Job makes its Secret with random values, as its own ServiceAccount', async () => {
    expect(await runJob(jobs.store)).toEqual({ status: 0, stderr: '' });
    expect(await runJob(jobs.grafana)).toEqual({ status: 0, stderr: '' });
    const store = (await secret('seaweedfs-credentials'))!;
    expect(store.AWS_ACCESS_KEY_ID).toMatch(/^[0-9a-f]{20}$/);
    expect(store.AWS_SECRET_ACCESS_KEY).toMatch(/^[0-9a-f]{48}$/);
    const grafana = (await secret('grafana-admin'))!;
    expect(grafana['admin-user']).toBe('admin');
    expect(grafana['admin-password']).toMatch(/^[0-9a-f]{48}$/);
    // Nothing of what was made is in the output.
    expect(JSON.stringify(manifests)).not.toContain(store.AWS_SECRET_ACCESS_KEY);
    expect(JSON.stringify(manifests)).not.toContain(grafana['admin-password']);
  });

  run('a second run changes no value; a missing key is drawn and the others kept', async () => {
    const before = (await secret('seaweedfs-credentials'))!;
    expect(await runJob(jobs.store)).toEqual({ status: 0, stderr: '' });
    expect(await secret('seaweedfs-credentials')).toEqual(before);
    // Someone removes a key: the next run draws that one only.
    expect(
      kubectl([
        '--namespace',
        NAMESPACE,
        'patch',
        'secret',
        'seaweedfs-credentials',
        '--type=json',
        '-p=[{"op":"remove","path":"/data/AWS_SECRET_ACCESS_KEY"}]',
      ]).status,
    ).toBe(0);
    expect(await runJob(jobs.store)).toEqual({ status: 0, stderr: '' });
    const after = (await secret('seaweedfs-credentials'))!;
    expect(after.AWS_ACCESS_KEY_ID).toBe(before.AWS_ACCESS_KEY_ID);
    expect(after.AWS_SECRET_ACCESS_KEY).toMatch(/^[0-9a-f]{48}$/);
    expect(after.AWS_SECRET_ACCESS_KEY).not.toBe(before.AWS_SECRET_ACCESS_KEY);
  });

  run("a generator's ServiceAccount can read or change no other Secret", async () => {
    const storeAccount = jobs.store.spec.template.spec.serviceAccountName;
    const asStore = (args: string[]) => kubectl(['--namespace', NAMESPACE, ...args], storeAccount);
    for (const attempt of [
      ['get', 'secret', 'grafana-admin'],
      ['get', 'secrets'],
      ['patch', 'secret', 'grafana-admin', '--type=merge', '-p={"data":{"admin-password":"eA=="}}'],
      ['delete', 'secret', 'seaweedfs-credentials'],
    ]) {
      const done = asStore(attempt);
      expect({ attempt: attempt.join(' '), status: done.status, forbidden: /forbidden/i.test(done.stderr) }).toEqual({
        attempt: attempt.join(' '),
        status: 1,
        forbidden: true,
      });
    }
    expect(asStore(['get', 'secret', 'seaweedfs-credentials']).status).toBe(0);
  });

  run('its Role needs create: without it, the first run is refused', async () => {
    const role = access.find((m) => m.kind === 'Role' && m.metadata.name === jobs.grafana.spec.template.spec.serviceAccountName)!;
    const withoutCreate = { ...role, rules: role.rules.filter((r: { verbs: string[] }) => !r.verbs.includes('create')) };
    expect((await api().apply(withoutCreate)).status).toBeLessThan(300);
    expect(kubectl(['--namespace', NAMESPACE, 'delete', 'secret', 'grafana-admin']).status).toBe(0);
    const refused = await runJob(jobs.grafana);
    expect({ status: refused.status, forbidden: /forbidden/i.test(refused.stderr) }).toEqual({ status: 1, forbidden: true });
    expect((await api().apply(role)).status).toBeLessThan(300);
    expect(await runJob(jobs.grafana)).toEqual({ status: 0, stderr: '' });
  });
});
