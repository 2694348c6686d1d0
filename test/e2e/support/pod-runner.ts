import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Manifest, podSpecOf } from '../../support/synth';
import { PodPlan } from './loopback-cluster';
import { E2E_CACHE } from './programs';
import { generatedSecretValues } from '../../support/generated-secrets';
import { issuedCertificateValues } from '../../support/issued-certificates';

/** A pod's container, started from the synthesized manifests as the kubelet would start it. */
export interface RunningPod {
  readonly pod: PodPlan;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Whether it is still running. */
  alive(): boolean;
  /** Settles when the process ends: its exit code, or null when a signal ended it. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** The directory of each of the pod's volumes, for another container of the same pod. */
  readonly volumes: ReadonlyMap<string, string>;
}

export interface StartOptions {
  /** The container to run. @default the pod's first */
  readonly container?: string;
  /** The local binary that stands for the image's entrypoint. */
  readonly program: string;
  /** Values of Secrets the output refers to but does not hold (the user's), by name and key. */
  readonly externalSecrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Arguments of a stand-in that replaces a program the tier may not run (an AGPL program, whose
   * API a small fake serves at the same address). @default the container's own
   */
  readonly standInArgs?: readonly string[];
  /** Changes the container's own arguments, e.g. to add a checker's sub-command. @default none */
  readonly adjustArgs?: (args: string[]) => string[];
  /**
   * Restart the container once when it exits by itself, as the kubelet restarts one of a pod
   * whose restartPolicy is Always (with its volumes kept): a one-time crash at start (an upstream
   * race) is what a cluster shrugs off, while a crash loop still ends the pod. @default false
   */
  readonly restartOnce?: boolean;
  /**
   * Another container of the same pod, started before: this one mounts the same volume
   * directories, as containers of one pod do. @default volumes of its own
   */
  readonly volumesOf?: RunningPod;
  /**
   * Programs of the image by their path in it (`/vmbackup-prod`), for a container whose command is
   * a `/bin/sh` script that runs them (init containers too): the script runs under busybox's sh
   * with its applets (the shell of alpine images) and each argument that names such a path runs
   * the local program instead. A bare name (`curl`) is a program the image has on its PATH: the
   * script finds the local one by that name. @default none
   */
  readonly inImage?: Readonly<Record<string, string>>;
}

/**
 * Starts one container of a pod of the output inside the loopback cluster, from the manifests
 * themselves: each volume's files (ConfigMap and Secret data, with `items`) are written out and
 * bound at the container's mount paths in a private mount namespace; emptyDirs and volume claims are
 * fresh directories; env takes literal values, the downward API (pod name, namespace, IP, node) and
 * Secret and ConfigMap keys; `$(VAR)` in args is expanded from that env. The image's entrypoint is
 * the local binary of the same program at the pinned version. Init containers of the busybox
 * image run first, to completion, under busybox with its own applets (what the image has); a pod
 * whose init container fails does not start, as the kubelet would keep it.
 */
export function startPod(manifests: Manifest[], pod: PodPlan, options: StartOptions): RunningPod {
  const spec = podSpecOf(pod.workload);
  const container = options.container ? spec.containers.find((c: any) => c.name === options.container) : spec.containers[0];
  if (!container) throw new Error(`no container ${options.container} in ${pod.name}`);
  const root = mkdtempSync(join(tmpdir(), `obs-e2e-${pod.name}-`));
  const namespace = pod.workload.metadata.namespace!;
  const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name && m.metadata.namespace === namespace);
  const secretData = (name: string): Record<string, string> => {
    const s = find('Secret', name);
    if (s) return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf8')]));
    // A Secret the output has a generator Job for is made as that Job makes it, once per output.
    const generated = generatedSecretValues(manifests, namespace, name);
    if (generated) return generated;
    // A Secret a cert-manager Certificate of the output makes is issued by one test CA, as its issuer would.
    const certificate = issuedCertificateValues(manifests, namespace, name);
    if (certificate) return certificate;
    const external = options.externalSecrets?.[name];
    if (!external) throw new Error(`${pod.name} needs Secret ${name}, which is neither in the output, nor made by a Job or a Certificate of it, nor given`);
    return { ...external };
  };

  // Volumes: files of ConfigMaps and Secrets, empty directories for the rest (emptyDir, claims).
  const volumeDirs = new Map<string, string>(options.volumesOf?.volumes ?? []);
  const claims = (pod.workload.spec.volumeClaimTemplates ?? []).map((c: any) => ({ name: c.metadata.name }));
  // A second container of a pod mounts the first one's volumes (which that one removes at its end).
  for (const volume of options.volumesOf ? [] : [...(spec.volumes ?? []), ...claims]) {
    const dir = join(root, 'volumes', volume.name);
    mkdirSync(dir, { recursive: true });
    volumeDirs.set(volume.name, dir);
    const source = volume.configMap ? find('ConfigMap', volume.configMap.name)?.data : volume.secret ? secretData(volume.secret.secretName) : undefined;
    if (!source) continue;
    const items: Array<{ key: string; path: string }> = (volume.configMap ?? volume.secret).items ?? Object.keys(source).map((key) => ({ key, path: key }));
    for (const item of items) {
      const file = join(dir, item.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, source[item.key]);
    }
  }

  /** The command line that runs `c` as `program` in the pod's network and a mount namespace of its own. */
  const commandOf = (c: any, program: string, adjust: (own: string[]) => string[], path = '/usr/local/bin:/usr/bin:/bin'): string[] => {
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) env[e.name] = envValue(e, pod, namespace, secretData, (name) => find('ConfigMap', name)?.data);
    const expand = (arg: string) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name) => env[name] ?? whole);
    const own: string[] = [...(c.command ?? []).slice(1), ...(c.args ?? [])].map(expand);
    const mounts = (c.volumeMounts ?? []).map((m: any) => {
      const dir = volumeDirs.get(m.name);
      if (!dir) throw new Error(`${pod.name} mounts volume ${m.name}, which it does not have`);
      return { source: m.subPath ? join(dir, m.subPath) : dir, target: m.mountPath, file: Boolean(m.subPath) };
    });
    const command = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', mountScript(mounts), 'pod', 'env', '-i'];
    const envArgs = Object.entries({ PATH: path, HOSTNAME: pod.name, ...env }).map(([k, v]) => `${k}=${v}`);
    const argv = [...command, ...envArgs, program, ...adjust(own)];
    // A pod without a network namespace of its own (a config check) runs in the test's.
    return pod.netns ? ['ip', 'netns', 'exec', pod.netns, ...argv] : argv;
  };

  const inImage = options.inImage ?? {};
  const shellScript = (c: any) => c.command?.[0] === '/bin/sh' && Object.keys(inImage).length > 0;
  const localPrograms = (own: string[]) => own.map((arg) => inImage[arg] ?? arg);
  for (const init of (spec.initContainers ?? []).filter((c: any) => c.restartPolicy !== 'Always')) {
    const applets = busyboxApplets(shellScript(init) ? BUSYBOX_IMAGE : init.image);
    const [program, ...rest] = commandOf(init, join(applets, basename(init.command[0])), localPrograms, applets);
    const done = spawnSync(program, rest, { encoding: 'utf8' });
    if (done.status !== 0) {
      rmSync(root, { recursive: true, force: true });
      throw new Error(`${pod.name}: init container ${init.name} failed (${done.status}): ${done.stdout}${done.stderr}`);
    }
  }

  const argv = shellScript(container)
    ? commandOf(container, join(busyboxApplets(BUSYBOX_IMAGE), 'sh'), localPrograms, imagePath(inImage))
    : commandOf(container, options.program, (own) => (options.standInArgs ? [...options.standInArgs] : options.adjustArgs ? options.adjustArgs(own) : own));
  const launch = () => spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  return runningPod(pod, launch, root, options.restartOnce ? 1 : 0, volumeDirs);
}

/** The script that bind-mounts each volume at its mount path, then runs the container's command. */
function mountScript(mounts: ReadonlyArray<{ source: string; target: string; file: boolean }>): string {
  return [
    'set -e',
    ...mounts.map((m: any) =>
      m.file
        ? `mkdir -p ${q(dirname(m.target))} && touch ${q(m.target)} && mount --bind ${q(m.source)} ${q(m.target)}`
        : `mkdir -p ${q(m.target)} && mount --bind ${q(m.source)} ${q(m.target)}`,
    ),
    'exec "$@"',
  ].join('\n');
}

/** Debian's busybox, which stands in for the busybox image of init containers. */
export const BUSYBOX = '/usr/bin/busybox';
/** Any image of busybox: what an alpine image's shell is. */
const BUSYBOX_IMAGE = 'docker.io/library/busybox:any';
let appletsDir: string | undefined;

/** A directory of busybox's applets (sh, sed, cat, ...), made once: the PATH of a busybox container. */
function busyboxApplets(image: string): string {
  if (!image.startsWith('docker.io/library/busybox:')) throw new Error(`init containers of image ${image} are not emulated`);
  if (appletsDir) return appletsDir;
  // Not under /tmp, which the pod's own /tmp volume covers.
  const dir = join(E2E_CACHE, 'busybox-applets');
  mkdirSync(dir, { recursive: true });
  const list = spawnSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const applet of list) {
    if (existsSync(join(dir, applet))) continue;
    try {
      symlinkSync(BUSYBOX, join(dir, applet));
    } catch (e) {
      // Another worker of the tier made it in the meantime.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return (appletsDir = dir);
}

/** The PATH of a script of an alpine image: the programs it has by name (`curl`), then busybox's applets. */
function imagePath(inImage: Readonly<Record<string, string>>): string {
  const named = Object.entries(inImage).filter(([name]) => !name.includes('/'));
  const applets = busyboxApplets(BUSYBOX_IMAGE);
  if (named.length === 0) return applets;
  // Not under /tmp either; one directory per set of programs, shared by the tier's workers.
  const dir = join(
    E2E_CACHE,
    'image-path',
    named
      .map(([name]) => name)
      .sort()
      .join('+'),
  );
  mkdirSync(dir, { recursive: true });
  for (const [name, local] of named) {
    try {
      symlinkSync(local, join(dir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return `${dir}:${applets}`;
}

function envValue(
  e: any,
  pod: PodPlan,
  namespace: string,
  secretData: (name: string) => Record<string, string>,
  configMap: (name: string) => Record<string, string> | undefined,
): string {
  if (e.value !== undefined) return String(e.value);
  const from = e.valueFrom ?? {};
  if (from.fieldRef) {
    const fields: Record<string, string> = { 'metadata.name': pod.name, 'metadata.namespace': namespace, 'status.podIP': pod.ip, 'spec.nodeName': 'node-0' };
    // Labels: the template's, and those the StatefulSet controller adds to each pod (its ordinal and name).
    const label = /^metadata\.labels\['([^']+)'\]$/.exec(from.fieldRef.fieldPath)?.[1];
    const ordinal = pod.workload.kind === 'StatefulSet' ? pod.name.slice(pod.name.lastIndexOf('-') + 1) : undefined;
    const labels: Record<string, string | undefined> = {
      ...(pod.workload.spec.template.metadata?.labels ?? {}),
      'apps.kubernetes.io/pod-index': ordinal,
      'statefulset.kubernetes.io/pod-name': ordinal === undefined ? undefined : pod.name,
    };
    const value = label === undefined ? fields[from.fieldRef.fieldPath] : labels[label];
    if (value === undefined) throw new Error(`${pod.name}: field ${from.fieldRef.fieldPath} is not emulated`);
    return value;
  }
  if (from.secretKeyRef) return secretData(from.secretKeyRef.name)[from.secretKeyRef.key];
  if (from.configMapKeyRef) return configMap(from.configMapKeyRef.name)?.[from.configMapKeyRef.key] ?? '';
  throw new Error(`${pod.name}: env ${e.name} has a source that is not emulated`);
}

/** How long the runner waits before it restarts a container that exited (the kubelet's first back-off is 10 s). */
const RESTART_DELAY_MS = 1000;

function runningPod(pod: PodPlan, launch: () => ChildProcess, root: string, restarts: number, volumes: ReadonlyMap<string, string>): RunningPod {
  let text = '';
  let exited = false;
  let stopping = false;
  let child: ChildProcess;
  let settle: (code: number | null) => void = () => undefined;
  const done = new Promise<number | null>((resolve) => (settle = resolve));
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-200_000);
  };
  const start = (left: number) => {
    child = launch();
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code, signal) => {
      text += `\n[${pod.name} exited: ${signal ?? `code ${code}`}]\n`;
      if (!stopping && left > 0) {
        text += `[${pod.name} restarted, as the kubelet restarts a container of a pod with restartPolicy Always]\n`;
        setTimeout(() => (stopping ? settleExit(code) : start(left - 1)), RESTART_DELAY_MS);
        return;
      }
      settleExit(code);
    });
  };
  const settleExit = (code: number | null) => {
    exited = true;
    settle(code);
  };
  start(restarts);
  return {
    pod,
    volumes,
    output: () => text,
    alive: () => !exited,
    exited: done,
    async stop(graceMs = 10_000) {
      stopping = true;
      if (!exited) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          /* gone already, or between a restart's exit and its start */
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, graceMs);
        await done;
        clearTimeout(timer);
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Single-quotes a string for sh. */
function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
