import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Manifest, podLabelsOf, podSpecOf } from '../../support/synth';

/** A pod of the synthesized output that a scenario runs: its workload, its name and its address. */
export interface PodPlan {
  readonly workload: Manifest;
  /** `<statefulset>-<ordinal>`, or `<deployment>-<n>` for a Deployment's pods. */
  readonly name: string;
  readonly ip: string;
  /** The pod's own network namespace. */
  readonly netns: string;
}

/** The address of the cluster's DNS server on the bridge every pod is plugged into. */
const DNS_IP = '10.99.255.254';

/**
 * A cluster network on one machine: every pod gets a network namespace of its own (so two pods
 * can both listen on 0.0.0.0:9090, as in a cluster) with an address on a bridge that joins them
 * all, and a dnsmasq on that bridge answers the in-cluster names of the output as CoreDNS would
 * (A records of Services and of StatefulSet pods, SRV records of every named Service port). A
 * ClusterIP Service whose port differs from its pods' gets an address of its own with a forwarder,
 * as kube-proxy would. The programs then run with the names, ports and addresses of the manifests,
 * unchanged.
 */
export class LoopbackCluster {
  /** The namespace that holds the bridge and the DNS server. */
  readonly netns: string;
  private readonly id: string;
  private readonly dir: string;
  private readonly pods: PodPlan[] = [];
  private readonly extraHosts: Array<[string, string]> = [];
  private readonly namespaces: string[] = [];
  private dns?: ChildProcess;
  private readonly serviceProxies: ChildProcess[] = [];
  private next = 1;

  constructor(private readonly domain = 'cluster.local') {
    this.id = Math.floor(Math.random() * 0xffff)
      .toString(16)
      .padStart(4, '0');
    this.netns = `obs-e2e-${this.id}`;
    this.dir = mkdtempSync(join(tmpdir(), 'obs-e2e-net-'));
    run('ip', ['netns', 'add', this.netns]);
    this.namespaces.push(this.netns);
    this.in(this.netns, 'ip', ['link', 'set', 'lo', 'up']);
    // A MAC of its own: a bridge otherwise takes the lowest of its ports', so a pod plugged in later
    // (a Job run mid-test) can change it, and every pod's ARP entry for the DNS server goes stale.
    this.in(this.netns, 'ip', ['link', 'add', 'br0', 'address', '02:00:00:00:00:01', 'type', 'bridge']);
    this.in(this.netns, 'ip', ['addr', 'add', `${DNS_IP}/16`, 'dev', 'br0']);
    this.in(this.netns, 'ip', ['link', 'set', 'br0', 'up']);
    this.resolvConf(this.netns);
  }

  /** Makes `ip netns exec` give the namespace's processes the cluster DNS as their resolver. */
  private resolvConf(netns: string, hosts = '127.0.0.1 localhost\n'): void {
    const etc = `/etc/netns/${netns}`;
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'resolv.conf'), `nameserver ${DNS_IP}\noptions ndots:1 timeout:1 attempts:3\n`);
    writeFileSync(join(etc, 'hosts'), hosts);
  }

  /** Gives a pod of `workload` a network namespace and an address; ordinal `i` is `<name>-<i>`. */
  addPod(workload: Manifest, ordinal: number): PodPlan {
    const name = `${workload.metadata.name}-${ordinal}`;
    const { ip, netns } = this.plug(name);
    const pod = { workload, name, ip, netns };
    this.pods.push(pod);
    return pod;
  }

  /** A network namespace and address for a process of the test itself (a webhook receiver, a fake), known as `dnsName`. */
  addHost(dnsName: string): { ip: string; netns: string } {
    const plugged = this.plug(dnsName.split('.')[0]);
    this.extraHosts.push([plugged.ip, dnsName]);
    return plugged;
  }

  /** A namespace with a veth into the bridge, its address, and the cluster DNS as its resolver. */
  private plug(label: string): { ip: string; netns: string } {
    const n = this.next++;
    const ip = `10.99.${Math.floor(n / 250)}.${(n % 250) + 1}`;
    const netns = `obs-e2e-${this.id}-${n}`;
    run('ip', ['netns', 'add', netns]);
    this.namespaces.push(netns);
    const inside = `e${this.id}p${n}`;
    const outside = `e${this.id}s${n}`;
    this.in(this.netns, 'ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
    this.in(this.netns, 'ip', ['link', 'set', inside, 'netns', netns]);
    this.in(this.netns, 'ip', ['link', 'set', outside, 'master', 'br0', 'up']);
    this.in(netns, 'ip', ['link', 'set', 'lo', 'up']);
    this.in(netns, 'ip', ['link', 'set', inside, 'name', 'eth0']);
    this.in(netns, 'ip', ['addr', 'add', `${ip}/16`, 'dev', 'eth0']);
    this.in(netns, 'ip', ['link', 'set', 'eth0', 'up']);
    // `ip netns exec` mounts these over /etc/resolv.conf and /etc/hosts for every process it starts.
    this.resolvConf(netns, `127.0.0.1 localhost\n${ip} ${label}\n`);
    return { ip, netns };
  }

  /** Starts the DNS server with every record of `manifests` for the pods added so far. */
  startDns(manifests: Manifest[]): void {
    const { hosts, srv } = this.records(manifests);
    // The cluster DNS Service itself, which configs name as their resolver (the Loki gateway's nginx).
    hosts.push([DNS_IP, `kube-dns.kube-system.svc.${this.domain}`]);
    const hostsFile = join(this.dir, 'hosts');
    writeFileSync(hostsFile, [...hosts, ...this.extraHosts].map(([ip, name]) => `${ip} ${name}`).join('\n') + '\n');
    const args = [
      '--keep-in-foreground',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      `--addn-hosts=${hostsFile}`,
      `--listen-address=${DNS_IP}`,
      '--bind-interfaces',
      '--port=53',
      '--local-ttl=1',
      '--user=root',
      `--pid-file=${join(this.dir, 'dnsmasq.pid')}`,
      // Authoritative for the cluster domain, as CoreDNS is: a name it knows with no AAAA record
      // gets an empty answer, not REFUSED (which nginx's resolver takes as a failed lookup).
      `--local=/${this.domain}/`,
      ...srv.map(([name, target, port]) => `--srv-host=${name},${target},${port},0,10`),
    ];
    this.dns = spawn('ip', ['netns', 'exec', this.netns, 'dnsmasq', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    this.dns.stderr?.on('data', (d) => {
      errors += d;
    });
    const probe = hosts[0]?.[1];
    if (probe)
      waitFor(
        () => this.in(this.netns, 'getent', ['hosts', probe], false) === 0,
        5000,
        () => `dnsmasq: ${errors}`,
      );
  }

  /** Runs a command in a namespace; returns its exit status (throws on failure unless `check` is false). */
  in(netns: string, cmd: string, args: string[], check = true): number {
    const r = spawnSync('ip', ['netns', 'exec', netns, cmd, ...args], { encoding: 'utf8' });
    if (check && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${netns}: ${r.stderr}`);
    return r.status ?? -1;
  }

  /** The IPv4 addresses a name resolves to, as a pod sees it. */
  resolve(name: string): string[] {
    const r = spawnSync('ip', ['netns', 'exec', this.netns, 'getent', 'ahostsv4', name], { encoding: 'utf8' });
    return [
      ...new Set(
        r.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(/\s+/)[0]),
      ),
    ];
  }

  /** GET `url` from inside the cluster network (from the namespace of `netns`, default the DNS one): status and body. */
  httpGet(url: string, netns = this.netns): { status: number; body: string } {
    return this.httpRequest(url, {}, netns);
  }

  /**
   * An HTTP request from inside the cluster network (from the namespace of `netns`): status and
   * body. An `https://` URL is checked against `ca` (PEM) alone; a failed handshake is status 0.
   */
  httpRequest(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string; bodyBase64?: string; ca?: string },
    netns = this.netns,
  ): { status: number; body: string } {
    const code = `const init = ${JSON.stringify(init)};
      const tls = ${JSON.stringify(url)}.startsWith('https:');
      const q = require(tls ? 'https' : 'http').request(${JSON.stringify(url)}, { method: init.method ?? 'GET', headers: init.headers ?? {}, ...(tls ? { ca: init.ca ?? [] } : {}) }, (r) => {
        let b = ''; r.on('data', (d) => b += d); r.on('end', () => process.stdout.write(JSON.stringify({ status: r.statusCode, body: b })));
      });
      q.on('error', (e) => process.stdout.write(JSON.stringify({ status: 0, body: String(e) })));
      q.end(init.bodyBase64 !== undefined ? Buffer.from(init.bodyBase64, 'base64') : init.body);`;
    const r = spawnSync('ip', ['netns', 'exec', netns, process.execPath, '-e', code], { encoding: 'utf8', timeout: 30_000 });
    try {
      return JSON.parse(r.stdout);
    } catch {
      return { status: 0, body: r.stderr };
    }
  }

  stop(): void {
    this.dns?.kill('SIGTERM');
    for (const p of this.serviceProxies) p.kill('SIGKILL');
    for (const ns of this.namespaces.reverse()) {
      spawnSync('ip', ['netns', 'del', ns]);
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A network namespace for a ClusterIP Service, forwarding each Service port to that port of its pods in turn. */
  private serviceProxy(name: string, ports: Array<{ port: number; target: number }>, podIps: string[]): string {
    const { ip, netns } = this.plug(`svc-${name}`);
    const code = `const net = require('net'); let next = 0; const pods = ${JSON.stringify(podIps)};
      for (const { port, target } of ${JSON.stringify(ports)}) net.createServer((c) => {
        const t = net.connect(target, pods[next++ % pods.length]);
        c.pipe(t); t.pipe(c); c.on('error', () => t.destroy()); t.on('error', () => c.destroy());
      }).listen(port, '0.0.0.0');`;
    this.serviceProxies.push(spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', code], { stdio: 'ignore' }));
    return ip;
  }

  /**
   * The records CoreDNS would serve for the pods that run: a Service name resolves to the
   * addresses of its selected pods (a headless one, as CoreDNS; a ClusterIP one, standing in for
   * its virtual address); a StatefulSet pod to `<pod>.<governing service>`; every named port of a
   * Service to SRV records of its pods (headless) or of the Service name (ClusterIP).
   */
  private records(manifests: Manifest[]): { hosts: Array<[string, string]>; srv: Array<[string, string, number]> } {
    const hosts: Array<[string, string]> = [];
    const srv: Array<[string, string, number]> = [];
    for (const svc of manifests.filter((m) => m.kind === 'Service' && m.spec?.selector)) {
      const ns = svc.metadata.namespace;
      const fqdn = `${svc.metadata.name}.${ns}.svc.${this.domain}`;
      const selected = this.pods.filter(
        (p) =>
          p.workload.metadata.namespace === ns &&
          Object.entries(svc.spec.selector as Record<string, string>).every(([k, v]) => podLabelsOf(p.workload)[k] === v),
      );
      const headless = svc.spec.clusterIP === 'None';
      const ports: Array<{ port: number; target: number }> =
        selected.length === 0
          ? []
          : (svc.spec.ports ?? []).map((p: any) => ({ port: p.port as number, target: containerPort(selected[0].workload, p.targetPort ?? p.port) ?? p.port }));
      // Service port and container port differ (80 → 8080): the name resolves to an address of
      // the Service's own, where a forwarder does what kube-proxy does.
      const proxied = !headless && ports.some((p) => p.port !== p.target);
      if (proxied)
        hosts.push([
          this.serviceProxy(
            svc.metadata.name,
            ports,
            selected.map((p) => p.ip),
          ),
          fqdn,
        ]);
      for (const pod of selected) {
        if (!proxied) hosts.push([pod.ip, fqdn]);
        if (headless && pod.workload.kind === 'StatefulSet' && pod.workload.spec.serviceName === svc.metadata.name) {
          hosts.push([pod.ip, `${pod.name}.${fqdn}`]);
        }
      }
      for (const port of svc.spec.ports ?? []) {
        if (!port.name) continue;
        const record = `_${port.name}._tcp.${fqdn}`;
        if (!headless) {
          if (selected.length > 0) srv.push([record, fqdn, port.port]);
          continue;
        }
        for (const pod of selected) {
          const target = pod.workload.kind === 'StatefulSet' && pod.workload.spec.serviceName === svc.metadata.name ? `${pod.name}.${fqdn}` : fqdn;
          srv.push([record, target, containerPort(pod.workload, port.targetPort) ?? port.port]);
        }
      }
    }
    return { hosts, srv };
  }
}

/** The container port a Service's targetPort names (or is). */
function containerPort(workload: Manifest, targetPort: string | number): number | undefined {
  if (typeof targetPort === 'number') return targetPort;
  for (const c of podSpecOf(workload).containers ?? []) {
    const found = (c.ports ?? []).find((p: any) => p.name === targetPort);
    if (found) return found.containerPort;
  }
  return undefined;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** Polls `ready` until it holds or `ms` pass; `why` explains a timeout. */
export function waitFor(ready: () => boolean, ms: number, why: () => string = () => ''): void {
  const until = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`not ready after ${ms} ms ${why()}`);
    spawnSync('sleep', ['0.1']);
  }
}
