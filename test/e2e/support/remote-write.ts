/**
 * A Prometheus remote-write request, made by hand: a protobuf `WriteRequest` in a snappy block.
 * Enough for a test client to write a few samples where no agent can (through a gateway, as a
 * tenant of its choosing); the encoding follows the remote-write 1.0 spec.
 */

/** One series: its labels (with `__name__`) and one sample. */
export interface SampleToWrite {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly timestampMs: number;
}

function varint(n: number | bigint): Buffer {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

/** A length-delimited field (wire type 2). */
function bytesField(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
}

function label(name: string, value: string): Buffer {
  return Buffer.concat([bytesField(1, Buffer.from(name)), bytesField(2, Buffer.from(value))]);
}

function sample(value: number, timestampMs: number): Buffer {
  const double = Buffer.alloc(8);
  double.writeDoubleLE(value);
  // value: field 1, fixed64 (wire type 1); timestamp: field 2, varint.
  return Buffer.concat([varint((1 << 3) | 1), double, varint(2 << 3), varint(timestampMs)]);
}

/** The protobuf `WriteRequest` of these samples, labels sorted by name as the spec requires. */
export function writeRequest(samples: readonly SampleToWrite[]): Buffer {
  return Buffer.concat(
    samples.map((s) => {
      const labels = Object.keys(s.labels)
        .sort()
        .map((name) => bytesField(1, label(name, s.labels[name])));
      return bytesField(1, Buffer.concat([...labels, bytesField(2, sample(s.value, s.timestampMs))]));
    }),
  );
}

/** A snappy block of literals only: valid snappy, not compressed, which every decoder reads. */
export function snappyLiterals(data: Buffer): Buffer {
  const parts: Buffer[] = [varint(data.length)];
  for (let at = 0; at < data.length; at += 65536) {
    const chunk = data.subarray(at, at + 65536);
    const n = chunk.length - 1;
    // Tag: literal (low bits 00); lengths up to 60 in the tag, longer ones in 1 or 2 more bytes.
    const tag = n < 60 ? Buffer.from([n << 2]) : n < 256 ? Buffer.from([60 << 2, n]) : Buffer.from([61 << 2, n & 0xff, n >> 8]);
    parts.push(tag, chunk);
  }
  return Buffer.concat(parts);
}

/** The body and headers of a remote-write request of these samples. */
export function remoteWrite(samples: readonly SampleToWrite[]): { bodyBase64: string; headers: Record<string, string> } {
  return {
    bodyBase64: snappyLiterals(writeRequest(samples)).toString('base64'),
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
  };
}
