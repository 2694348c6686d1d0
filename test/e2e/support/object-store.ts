import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Manifest } from '../../support/synth';
import { generatedSecretValues } from '../../support/generated-secrets';
import { LoopbackCluster } from './loopback-cluster';
import { startPod } from './pod-runner';
import type { PodToRun } from './run-pods';

/**
 * The platform's embedded object store, run as its pod runs it: SeaweedFS' `weed` at the pinned
 * version with the pod's own flags, environment and volume (Apache-2.0, so the tier runs the real
 * server, where MinIO, AGPL, could only be stood in for).
 */
export const EMBEDDED_STORE: PodToRun = ['StatefulSet', 'seaweedfs-server', 0, 'weed'];

/** The Job of the output that creates the embedded store's buckets. */
export function bucketJobOf(manifests: readonly Manifest[]): Manifest {
  const job = manifests.find(
    (m) =>
      m.kind === 'Job' && m.metadata.labels?.['app.kubernetes.io/name'] === 'seaweedfs' && m.metadata.labels?.['app.kubernetes.io/component'] === 'buckets',
  );
  if (!job) throw new Error('the output has no bucket Job of SeaweedFS');
  return job;
}

/** How many bucket Job pods each cluster has run. */
const runs = new WeakMap<LoopbackCluster, number>();

/**
 * Runs the output's bucket Job to completion in `cluster`, as its pod runs: its script under
 * busybox's sh (the alpine image's shell) with curl, its environment and its Secret's keys. It
 * waits for the store itself, so it may start before the store is ready. Resolves with its log;
 * rejects, with that log, when it fails or takes longer than `withinMs`.
 */
export async function runBucketJob(cluster: LoopbackCluster, manifests: Manifest[], withinMs = 90_000): Promise<string> {
  // Each run is a pod of its own name, as the pods of a Job are.
  const run = runs.get(cluster) ?? 0;
  runs.set(cluster, run + 1);
  const plan = cluster.addPod(bucketJobOf(manifests), run);
  const pod = startPod(manifests, plan, { program: 'sh', inImage: { curl: '/usr/bin/curl' } });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), withinMs)));
  const code = await Promise.race([pod.exited, late]);
  clearTimeout(timer);
  if (code === 'late') await pod.stop();
  if (code !== 0)
    throw new Error(`the bucket Job ${code === 'late' ? `did not finish within ${withinMs / 1000} s` : `failed (exit ${code})`}:\n${pod.output()}`);
  return pod.output();
}

/** A signed S3 call's answer. */
export interface S3Answer {
  readonly status: number;
  readonly body: string;
  /** The response headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A client of the embedded store from the network namespace `netns`, signing with SigV4 (curl's
 * `--aws-sigv4`) with the keys the output's generator Job makes: `call(path, curlArgs, body)`.
 * curl 7.88 signs a query as written: give its parameters sorted, and a sub-resource with `=`
 * (`?versioning=`).
 * With `caFile`, HTTPS checked against that CA alone.
 */
export function embeddedStoreClient(manifests: readonly Manifest[], netns: string, options: { namespace?: string; caFile?: string } = {}) {
  const ns = options.namespace ?? 'observability';
  const keys = generatedSecretValues(manifests, ns, 'seaweedfs-credentials');
  if (!keys) throw new Error(`the output makes no seaweedfs-credentials Secret in ${ns}`);
  const base = `${options.caFile ? 'https' : 'http'}://seaweedfs.${ns}.svc.cluster.local:8333`;
  const headerFile = join(mkdtempSync(join(tmpdir(), 'obs-e2e-s3-')), 'headers');
  return (path: string, args: readonly string[] = [], input?: string): S3Answer => {
    // Headers go to a file: curl 7.88 crashes dumping them to a piped stderr.
    const curl = ['curl', '--silent', '--dump-header', headerFile, '--aws-sigv4', 'aws:amz:us-east-1:s3'];
    curl.push('--user', `${keys.AWS_ACCESS_KEY_ID}:${keys.AWS_SECRET_ACCESS_KEY}`, '--write-out', '\n%{http_code}');
    if (options.caFile) curl.push('--cacert', options.caFile);
    // A body goes on stdin with its hash, which curl 7.88 leaves out of the signature.
    if (input !== undefined) curl.push('--data-binary', '@-', '-H', `x-amz-content-sha256: ${createHash('sha256').update(input).digest('hex')}`);
    const run = () => spawnSync('ip', ['netns', 'exec', netns, ...curl, ...args, `${base}${path}`], { encoding: 'utf8', input, timeout: 30_000 });
    let r = run();
    // A name not resolved (6) or a connection refused (7) sent nothing: try again, as a client would.
    for (let tries = 1; (r.status === 6 || r.status === 7) && tries < 5; tries++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      r = run();
    }
    if (r.status !== 0) throw new Error(`curl ${path} ended with ${r.status ?? r.signal}: ${r.stderr}`);
    const at = r.stdout.lastIndexOf('\n');
    const headers = Object.fromEntries(
      readFileSync(headerFile, 'utf8')
        .split('\r\n')
        .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1].toLowerCase(), m[2]]),
    );
    return { status: Number(r.stdout.slice(at + 1)), body: r.stdout.slice(0, at), headers };
  };
}
