import { get, synthApp } from '../support/synth';
import { anyExited, podLogs } from './support/eventually';
import { LoopbackCluster } from './support/loopback-cluster';
import { RunningPod, startPod } from './support/pod-runner';
import { program, scenario } from './support/programs';
import { embeddedStoreClient, runBucketJob } from './support/object-store';

/**
 * The default platform's embedded object store: the real SeaweedFS (`weed` 4.53, Apache-2.0) run
 * with its pod's flags, environment and volume, and its bucket Job run with its pod's script,
 * under busybox's sh with curl, as the alpine image runs it. The buckets every component declared
 * exist, versioned, with previous versions expiring; and the S3 features the clients use beyond
 * put, get, list and delete (which every other scenario of the tier exercises through Thanos,
 * vmbackup and vmrestore) behave as S3 does: range reads, server-side copy, multipart uploads,
 * versions and delete markers.
 */
const NS = 'observability';
const STORE = `http://seaweedfs.${NS}.svc.cluster.local:8333`;
const CLIENT = `e2e-client.${NS}.svc.cluster.local`;

scenario('weed')(
  'SeaweedFS as its pod runs it: the Job makes every declared bucket versioned, and range reads, copies, multipart uploads and versions work',
  async () => {
    const { manifests } = synthApp('platform');
    const server = get(manifests, 'StatefulSet', 'seaweedfs-server');
    const cluster = new LoopbackCluster();
    const pods: RunningPod[] = [];
    try {
      const plan = cluster.addPod(server, 0);
      const host = cluster.addHost(CLIENT).netns;
      cluster.startDns(manifests);
      pods.push(startPod(manifests, plan, { program: program('weed') }));

      const s3 = embeddedStoreClient(manifests, host);
      const put = (path: string, body: string) => s3(path, ['-X', 'PUT'], body);

      // The Job waits for the store, then creates and configures every declared bucket.
      const log = await runBucketJob(cluster, manifests).catch((e: Error) => {
        throw new Error(`${e.message}\n${podLogs(pods)}`);
      });
      const declared = ['loki-chunks', 'loki-ruler', 'tempo-traces', 'thanos-blocks'];
      for (const bucket of declared) {
        expect(log).toContain(`bucket ${bucket}: versioning Enabled`);
        expect(s3(`/${bucket}?versioning=`).body).toMatch(/<Status>Enabled<\/Status>/);
        const lifecycle = s3(`/${bucket}?lifecycle=`);
        expect(lifecycle.status).toBe(200);
        expect(lifecycle.body).toMatch(/<NoncurrentDays>7<\/NoncurrentDays>/);
      }
      const listed = s3('/').body;
      expect([...listed.matchAll(/<Name>([^<]+)<\/Name>/g)].map((m) => m[1]).sort()).toEqual(declared);
      // A bucket no component declared is refused, not made on first write.
      expect(put('/not-declared/x', 'x').status).toBe(404);
      // Without the keys, nothing.
      expect(cluster.httpGet(`${STORE}/thanos-blocks/`, host).status).toBe(403);
      // A second run of the Job (a retried pod, a new spec) changes nothing and succeeds.
      await runBucketJob(cluster, manifests);

      // Range reads (Thanos' store gateway and Tempo read blocks by range).
      const B = '/thanos-blocks';
      expect(put(`${B}/01/index`, '0123456789abcdef').status).toBe(200);
      const range = s3(`${B}/01/index`, ['-r', '4-9']);
      expect([range.status, range.body]).toEqual([206, '456789']);
      // ListObjectsV2 with a delimiter, as Thanos lists blocks.
      expect(put(`${B}/02/meta.json`, '{}').status).toBe(200);
      const prefixes = s3(`${B}?delimiter=%2F&list-type=2`).body;
      expect([...prefixes.matchAll(/<Prefix>([^<]+)<\/Prefix>/g)].map((m) => m[1])).toEqual(['01/', '02/']);
      // Server-side copy (vmbackup with -origin, Thanos' compactor marks).
      expect(s3(`${B}/03/index`, ['-X', 'PUT', '-H', `x-amz-copy-source: ${B}/01/index`]).status).toBe(200);
      expect(s3(`${B}/03/index`).body).toBe('0123456789abcdef');

      // A multipart upload of two parts (the clients' path for large objects).
      const started = s3(`${B}/04/chunks?uploads=`, ['-X', 'POST']);
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(started.body)?.[1];
      expect(uploadId).toBeDefined();
      const partOne = 'a'.repeat(5 * 1024 * 1024);
      const etags = [partOne, 'tail'].map((body, i) => put(`${B}/04/chunks?partNumber=${i + 1}&uploadId=${encodeURIComponent(uploadId!)}`, body).headers.etag);
      expect(etags.every(Boolean)).toBe(true);
      const complete = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      expect(s3(`${B}/04/chunks?uploadId=${encodeURIComponent(uploadId!)}`, ['-X', 'POST'], complete).status).toBe(200);
      const joined = s3(`${B}/04/chunks`, ['-r', `${partOne.length - 2}-${partOne.length + 3}`]);
      expect([joined.status, joined.body]).toEqual([206, 'aatail']);

      // Versions: an overwrite and a delete keep what was there, readable by version id.
      const K = `/loki-chunks/fake/chunk-1`;
      expect(put(K, 'first').status).toBe(200);
      expect(put(K, 'second').status).toBe(200);
      expect(s3(K, ['-X', 'DELETE']).status).toBe(204);
      expect(s3(K).status).toBe(404);
      const versions = s3('/loki-chunks?prefix=fake%2F&versions=').body;
      const ids = [...versions.matchAll(/<Version>[\s\S]*?<VersionId>([^<]+)<\/VersionId>[\s\S]*?<\/Version>/g)].map((m) => m[1]);
      expect(ids).toHaveLength(2);
      expect(versions).toMatch(/<DeleteMarker>/);
      expect(ids.map((id) => s3(`${K}?versionId=${encodeURIComponent(id)}`).body).sort()).toEqual(['first', 'second']);
      expect(anyExited(pods)).toBe(false);
    } finally {
      await Promise.all(pods.map((p) => p.stop()));
      cluster.stop();
    }
  },
  180_000,
);
