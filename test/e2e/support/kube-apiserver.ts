import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Manifest } from '../../support/synth';
import { program } from './programs';

/** What the API server answered: status, decoded body, and its `Warning` headers. */
export interface ApiResponse {
  readonly status: number;
  readonly body: any;
  readonly warnings: string[];
}

/** A served resource: its path segment and whether it lives in a namespace. */
interface Resource {
  readonly plural: string;
  readonly namespaced: boolean;
}

/**
 * A real kube-apiserver (the pinned Kubernetes release) backed by a real etcd, on loopback, with
 * no controllers: what it accepts or refuses is the API server's own validation and admission
 * (Pod Security among them), which is what `kubectl apply` meets first on a cluster. Requests
 * carry a static token of a `system:masters` user; the server's certificate is self-signed.
 */
export class LocalApiServer {
  private readonly resources = new Map<string, Resource>();
  // The server's certificate is one it made for itself a moment ago, on loopback.
  private readonly agent = new Agent({ rejectUnauthorized: false, keepAlive: true });

  private constructor(
    private readonly port: number,
    private readonly token: string,
    private readonly processes: Array<{ name: string; child: ChildProcess; log: () => string }>,
    private readonly dir: string,
  ) {}

  /**
   * Starts etcd and kube-apiserver and waits until the server reports ready. `RBAC` authorizes
   * every user but the admin (a `system:masters` member) by roles, as a cluster does.
   */
  static async start(options: { readonly authorization?: 'AlwaysAllow' | 'RBAC' } = {}): Promise<LocalApiServer> {
    const dir = mkdtempSync(join(tmpdir(), 'obs-e2e-kube-'));
    const [client, peer, secure] = await freePorts(3);
    const token = `e2e-${Math.random().toString(36).slice(2)}`;
    writeFileSync(join(dir, 'tokens.csv'), `${token},e2e-admin,e2e-admin,system:masters\n`);
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(join(dir, 'sa.pub'), publicKey);
    writeFileSync(join(dir, 'sa.key'), privateKey);
    mkdirSync(join(dir, 'certs'));

    const processes: Array<{ name: string; child: ChildProcess; log: () => string }> = [];
    const launch = (name: string, args: string[]) => {
      const child = spawn(program(name), args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      const keep = (b: Buffer) => {
        text = (text + b.toString('utf8')).slice(-50_000);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      processes.push({ name, child, log: () => text });
    };
    launch('etcd', [
      '--name=e2e',
      `--data-dir=${join(dir, 'etcd')}`,
      '--unsafe-no-fsync',
      '--log-level=error',
      `--listen-client-urls=http://127.0.0.1:${client}`,
      `--advertise-client-urls=http://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=e2e=http://127.0.0.1:${peer}`,
    ]);
    launch('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${client}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${secure}`,
      `--cert-dir=${join(dir, 'certs')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      `--authorization-mode=${options.authorization ?? 'AlwaysAllow'}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--allow-privileged=true',
      // Without a controller manager no namespace gets its `default` ServiceAccount, which the
      // ServiceAccount admission plugin would look up for every Pod. Every other default plugin,
      // Pod Security included, stays on.
      '--disable-admission-plugins=ServiceAccount',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '--v=0',
    ]);
    const server = new LocalApiServer(secure, token, processes, dir);
    const deadline = Date.now() + 90_000;
    for (;;) {
      for (const p of processes) {
        if (p.child.exitCode !== null) {
          await server.stop();
          throw new Error(`${p.name} exited while starting:\n${p.log().slice(-4000)}`);
        }
      }
      const ready = await server.request('GET', '/readyz').catch(() => undefined);
      if (ready?.status === 200) return server;
      if (Date.now() > deadline) {
        const logs = processes.map((p) => `--- ${p.name}\n${p.log().slice(-3000)}`).join('\n');
        await server.stop();
        throw new Error(`kube-apiserver not ready after 90 s (last answer ${ready?.status}):\n${logs}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** One HTTP request to the server, as the admin user. */
  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: 'application/json',
            ...(data ? { 'content-type': contentType, 'content-length': data.length } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              /* plain text, e.g. /readyz */
            }
            const warning = res.headers.warning;
            const warnings = (Array.isArray(warning) ? warning : warning ? [warning] : []).map((w) => w.replace(/^299 - /, '').replace(/^"|"$/g, ''));
            resolve({ status: res.statusCode ?? 0, body: parsed, warnings });
          });
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      if (data) req.write(data);
      req.end();
    });
  }

  /** The REST path of an object (its collection when `name` is omitted), from the server's discovery. */
  async pathOf(m: Pick<Manifest, 'apiVersion' | 'kind'> & { metadata: { namespace?: string } }, name?: string): Promise<string> {
    const resource = await this.resource(m.apiVersion, m.kind);
    const prefix = m.apiVersion.includes('/') ? `/apis/${m.apiVersion}` : `/api/${m.apiVersion}`;
    const ns = resource.namespaced ? `/namespaces/${m.metadata.namespace ?? 'default'}` : '';
    return `${prefix}${ns}/${resource.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  /**
   * Server-side apply of one object, as `kubectl apply --server-side --force-conflicts` does, with
   * strict field validation: an unknown or duplicated field is an error, not a silent drop.
   */
  async apply(m: Manifest, options: { dryRun?: boolean } = {}): Promise<ApiResponse> {
    const query = `fieldManager=obs-e2e&force=true&fieldValidation=Strict${options.dryRun ? '&dryRun=All' : ''}`;
    return this.request('PATCH', `${await this.pathOf(m, m.metadata.name)}?${query}`, m, 'application/apply-patch+yaml');
  }

  /**
   * Deletes one object, if it is there, at once: with background propagation no `orphan`
   * finalizer is added (a Job's default), which only a garbage collector, absent here, would remove.
   */
  async remove(m: Manifest): Promise<ApiResponse> {
    const path = await this.pathOf(m, m.metadata.name);
    const deleted = await this.request('DELETE', `${path}?propagationPolicy=Background`);
    // A claim keeps its protection finalizer until the controller manager (absent here) sees no pod
    // use it: release it as that controller would, so the claim is gone before the next apply.
    if (m.kind === 'PersistentVolumeClaim' && deleted.status < 300) {
      await this.request('PATCH', path, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    }
    return deleted;
  }

  /**
   * A kubeconfig for kubectl, as the admin user (who may impersonate a ServiceAccount with
   * `--as=system:serviceaccount:<namespace>:<name>`). The file lives with the server's files.
   */
  kubeconfig(): string {
    const file = join(this.dir, 'kubeconfig');
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e2e', cluster: { server: `https://127.0.0.1:${this.port}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'e2e-admin', user: { token: this.token } }],
      contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'e2e-admin' } }],
      'current-context': 'e2e',
    };
    writeFileSync(file, JSON.stringify(config));
    return file;
  }

  /** Stops kube-apiserver, then etcd, and removes their files. */
  async stop(): Promise<void> {
    this.agent.destroy();
    for (const p of [...this.processes].reverse()) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
      const gone = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Forgets discovered resources, e.g. after CRDs were installed. */
  forgetDiscovery(): void {
    this.resources.clear();
  }

  private async resource(apiVersion: string, kind: string): Promise<Resource> {
    const key = `${apiVersion}/${kind}`;
    if (!this.resources.has(key)) {
      const list = await this.request('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
      if (list.status !== 200) throw new Error(`the API server does not serve ${apiVersion} (${list.status})`);
      for (const r of list.body.resources as Array<{ name: string; kind: string; namespaced: boolean }>) {
        if (!r.name.includes('/')) this.resources.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
      }
    }
    const found = this.resources.get(key);
    if (!found) throw new Error(`the API server serves no kind ${kind} in ${apiVersion}`);
    return found;
  }
}

/** `n` TCP ports free on loopback right now. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
