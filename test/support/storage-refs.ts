import { parseAllDocuments } from 'yaml';
import { Manifest, containersOf, dataOf, podSpecOf, workloads } from './synth';

/** A bucket a component's config names, with the region it is told to use. */
export interface BucketReference {
  /** `ConfigMap/loki-config` and the file. */
  readonly source: string;
  readonly bucket: string;
  readonly region?: string;
  /** The endpoint it is told to use, if any. */
  readonly endpoint?: string;
  readonly insecure?: boolean;
}

/**
 * Every bucket named in the config files of ConfigMaps and Secrets: Loki's `bucket_name` (its
 * Thanos-objstore clients) or legacy `s3.bucketnames` (a comma list), the Thanos objstore's `config.bucket` and Tempo's `storage.trace.s3.bucket`. It walks the parsed YAML, so a bucket
 * in any section of any file is found. Programs configured by flags (vmbackup's `-dst=s3://<bucket>/...`,
 * vmrestore's `-src`) are read from their containers' arguments.
 */
export function bucketReferences(manifests: Manifest[]): BucketReference[] {
  const found: BucketReference[] = workloads(manifests).flatMap(flagBucketReferences);
  for (const m of manifests.filter((x) => x.kind === 'ConfigMap' || x.kind === 'Secret')) {
    for (const [file, text] of Object.entries(dataOf(m))) {
      if (!/\.ya?ml$/.test(file)) continue;
      for (const doc of parseAllDocuments(text)) walk(doc.toJS(), `${m.kind}/${m.metadata.name} ${file}`, found);
    }
  }
  return found;
}

/** The buckets a workload's containers name in `-dst=s3://` or `-src=s3://` flags, with their region and endpoint. */
function flagBucketReferences(w: Manifest): BucketReference[] {
  const spec = podSpecOf(w);
  return [...(spec.initContainers ?? []), ...spec.containers].flatMap((c: any) => {
    const args: string[] = [...(c.command ?? []), ...(c.args ?? [])];
    const flag = (name: string) => args.find((a) => a.startsWith(`-${name}=`))?.slice(name.length + 2);
    const endpoint = flag('customS3Endpoint');
    const region = (c.env ?? []).find((e: any) => e.name === 'AWS_REGION')?.value;
    return args.flatMap((arg) => {
      const m = /^-(?:dst|src)=s3:\/\/([^/]+)\//.exec(arg);
      if (!m) return [];
      return [
        {
          source: `${w.kind}/${w.metadata.name} ${c.name}`,
          bucket: m[1],
          region,
          endpoint: endpoint?.replace(/^https?:\/\//, ''),
          insecure: endpoint ? endpoint.startsWith('http:') : false,
        },
      ];
    });
  });
}

function walk(node: unknown, source: string, found: BucketReference[]): void {
  if (Array.isArray(node)) {
    node.forEach((n) => walk(n, source, found));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, any>;
  // Loki's Thanos-objstore clients: storage_config.object_store.s3 and ruler_storage.s3 { bucket_name, ... }.
  if (typeof o.bucket_name === 'string') {
    found.push({ source, bucket: o.bucket_name, region: o.region, endpoint: o.endpoint, insecure: o.insecure });
  }
  if (typeof o.bucketnames === 'string') {
    for (const bucket of o.bucketnames.split(',')) found.push({ source, bucket: bucket.trim(), region: o.region, endpoint: o.endpoint, insecure: o.insecure });
  }
  if (o.type === 'S3' && typeof o.config?.bucket === 'string') {
    found.push({ source, bucket: o.config.bucket, region: o.config.region, endpoint: o.config.endpoint, insecure: o.config.insecure });
  }
  // Tempo: storage.trace { backend: s3, s3: { bucket, region, endpoint, insecure } }.
  if (o.backend === 's3' && typeof o.s3?.bucket === 'string') {
    found.push({ source, bucket: o.s3.bucket, region: o.s3.region, endpoint: o.s3.endpoint, insecure: o.s3.insecure });
  }
  Object.values(o).forEach((v) => walk(v, source, found));
}

/** The buckets each ServiceAccount's pods are configured to use, through the files they mount. */
export function bucketsByServiceAccount(manifests: Manifest[]): Map<string, Set<string>> {
  const byConfig = new Map<string, string[]>();
  for (const ref of bucketReferences(manifests)) {
    const key = ref.source.split(' ')[0];
    byConfig.set(key, [...(byConfig.get(key) ?? []), ref.bucket]);
  }
  const result = new Map<string, Set<string>>();
  for (const w of workloads(manifests)) {
    const pod = podSpecOf(w);
    const sa = `${w.metadata.namespace}/${pod.serviceAccountName ?? 'default'}`;
    const mounted = (pod.volumes ?? [])
      .flatMap((v: any) => [
        v.configMap && `ConfigMap/${v.configMap.name}`,
        v.secret && `Secret/${v.secret.secretName}`,
        ...(v.projected?.sources ?? []).map((s: any) => (s.configMap ? `ConfigMap/${s.configMap.name}` : s.secret ? `Secret/${s.secret.name}` : undefined)),
      ])
      .filter(Boolean);
    const buckets = [...mounted.flatMap((key: string) => byConfig.get(key) ?? []), ...flagBucketReferences(w).map((r) => r.bucket)];
    if (buckets.length === 0) continue;
    const set = result.get(sa) ?? new Set<string>();
    buckets.forEach((b: string) => set.add(b));
    result.set(sa, set);
  }
  return result;
}

/** Names of every env var of every container. */
export function envNames(manifests: Manifest[]): string[] {
  return workloads(manifests).flatMap((w) => containersOf(podSpecOf(w)).flatMap((c) => (c.env ?? []).map((e: any) => e.name)));
}
