/** What the bucket Job of a SeaweedFS sets up. */
export interface BucketSetup {
  /** `http(s)://host:port` of the S3 API. */
  readonly url: string;
  /** Region the requests are signed for. */
  readonly region: string;
  readonly buckets: readonly string[];
  /** CA file that signs the server's certificate, with HTTPS. */
  readonly caFile?: string;
  /** Versioning on, or off (see {@link versioningXml}). */
  readonly versioning: boolean;
  /** Days previous versions are kept, with versioning. */
  readonly noncurrentVersionDays?: number;
}

// The documents carry no xmlns: S3 does not need it, and a URL in the Job's script would read as
// a call out of the cluster to the network plan.

/**
 * The lifecycle of a versioned bucket: previous versions expire after `days`, delete markers left
 * with no version behind them go, and multipart uploads abandoned for a day are aborted. The
 * current versions are the components' own to expire (their compactors apply retention).
 */
export function noncurrentLifecycleXml(days: number): string {
  return [
    '<LifecycleConfiguration>',
    '<Rule><ID>expire-noncurrent-versions</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>',
    `<NoncurrentVersionExpiration><NoncurrentDays>${days}</NoncurrentDays></NoncurrentVersionExpiration>`,
    '<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>',
    '<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
    '</Rule></LifecycleConfiguration>',
  ].join('');
}

/** A bucket's versioning: on (`Enabled`) or off (`Suspended`, as S3 cannot turn it off once on). */
export function versioningXml(enabled: boolean): string {
  return `<VersioningConfiguration><Status>${enabled ? 'Enabled' : 'Suspended'}</Status></VersioningConfiguration>`;
}

/**
 * A POSIX sh script (busybox's, in the alpine image) that waits for the S3 API, then for every
 * bucket: checks it exists and creates it if not, and PUTs its versioning and lifecycle. Every
 * request is signed with SigV4 by curl (`--aws-sigv4`, curl 7.75 and later) with the keys in the
 * environment; every step is idempotent, so a retried Job converges. Bucket names are checked
 * S3 names (lower-case letters, digits, dots, dashes), safe in a URL and in the script unquoted.
 */
export function bucketSetupScript(setup: BucketSetup): string {
  const ca = setup.caFile ? ` --cacert ${setup.caFile}` : '';
  const lines = [
    'set -eu',
    `CURL="curl --silent --show-error --fail-with-body${ca}"`,
    `s3() { $CURL --aws-sigv4 "aws:amz:${setup.region}:s3" --user "\${AWS_ACCESS_KEY_ID}:\${AWS_SECRET_ACCESS_KEY}" "$@"; }`,
    'bucket() { s3 -o /dev/null --head "$1" || s3 -o /dev/null -X PUT "$1"; }',
    // A body's hash is part of the signature, and curl before 8.x does not send it.
    'put() { s3 -o /dev/null -X PUT -H "Content-Type: application/xml" -H "x-amz-content-sha256: $(printf %s "$2" | sha256sum | cut -d" " -f1)" --data-binary "$2" "$1"; }',
    // `retry N step...`: N tries 2 s apart. The store may take minutes to be scheduled and start,
    // and its S3 port answers a moment before it has loaded its keys (signed requests are refused).
    'retry() { left=$1; shift; until "$@"; do left=$((left - 1)); [ "$left" -le 0 ] && return 1; sleep 2; done; }',
    `retry 150 $CURL -o /dev/null ${setup.url}/healthz`,
  ];
  for (const bucket of setup.buckets) {
    const at = `${setup.url}/${bucket}`;
    lines.push(`retry 30 bucket ${at}`);
    // `?versioning=`, not `?versioning`: curl before 8.x signs a bare key as if it had no `=`.
    lines.push(`retry 30 put "${at}?versioning=" '${versioningXml(setup.versioning)}'`);
    if (setup.versioning && setup.noncurrentVersionDays !== undefined) {
      lines.push(`retry 30 put "${at}?lifecycle=" '${noncurrentLifecycleXml(setup.noncurrentVersionDays)}'`);
    }
    lines.push(`echo "bucket ${bucket}: versioning ${setup.versioning ? 'Enabled' : 'Suspended'}"`);
  }
  return lines.join('\n');
}
