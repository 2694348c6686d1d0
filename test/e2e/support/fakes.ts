import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** One request a recording fake received. */
export interface Recorded {
  readonly role: string;
  readonly method: string;
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Record<string, string>;
  /** The body, gunzipped when it came compressed, as latin1 text: protobuf strings stay readable. */
  readonly body: string;
}

/**
 * A recording fake of a Loki role's HTTP API (Loki is AGPL and never runs here): it listens on
 * `port` inside the network namespace `netns`, appends every request to `file` as one JSON line,
 * and answers as Loki would a client that got through: 204 to pushes, an empty result to queries.
 * `/ready` answers without being recorded.
 */
export function startRecordingLoki(netns: string, role: string, port: number, file: string): ChildProcess {
  const code = `const zlib = require('zlib'); const fs = require('fs');
    require('http').createServer((q, r) => {
      if (q.url === '/ready') return r.end('ready');
      const chunks = []; q.on('data', (d) => chunks.push(d));
      q.on('end', () => {
        let body = Buffer.concat(chunks);
        if (q.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        fs.appendFileSync(${JSON.stringify(file)}, JSON.stringify({ role: ${JSON.stringify(role)}, method: q.method, url: q.url, headers: q.headers, body: body.toString('latin1') }) + '\\n');
        if (q.method === 'POST' && /push|logs/.test(q.url)) { r.statusCode = 204; return r.end(); }
        r.setHeader('content-type', 'application/json');
        r.end(JSON.stringify({ status: 'success', data: { resultType: 'streams', result: [] } }));
      });
    }).listen(${port}, '0.0.0.0');`;
  return spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', code], { stdio: 'ignore' });
}

/** Every request recorded in `file` so far. */
export function recorded(file: string): Recorded[] {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
}
