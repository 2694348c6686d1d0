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

/** The start of a node server: HTTPS with the pod's certificate (`tls.crt`, `tls.key`) when given, else HTTP. */
function serverOf(tls: Readonly<Record<string, string>> | undefined): string {
  return tls
    ? `require('https').createServer({ cert: ${JSON.stringify(tls['tls.crt'])}, key: ${JSON.stringify(tls['tls.key'])} }, `
    : `require('http').createServer(`;
}

/**
 * A recording fake of a Loki role's HTTP API (Loki is AGPL and never runs here): it listens on
 * `port` inside the network namespace `netns`, appends every request to `file` as one JSON line,
 * and answers as Loki would a client that got through: 204 to pushes, an empty result to queries.
 * `/ready` answers without being recorded. With `tls` it serves HTTPS only, from that certificate.
 */
export function startRecordingLoki(netns: string, role: string, port: number, file: string, tls?: Readonly<Record<string, string>>): ChildProcess {
  const code = `const zlib = require('zlib'); const fs = require('fs');
    ${serverOf(tls)}(q, r) => {
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

/**
 * A recording stand-in for any HTTP backend (vminsert and vmselect, which the Go module proxy does
 * not serve): every request but `/health` is appended to `file` as one JSON line and answered 200
 * with an empty Prometheus-style result, which is what a proxy in front of it needs to pass on.
 * With `tls` (the pod's certificate Secret: `tls.crt`, `tls.key`) it serves HTTPS only, as the
 * program with serving TLS would.
 */
export function startRecordingHttp(netns: string, role: string, port: number, file: string, tls?: Readonly<Record<string, string>>): ChildProcess {
  const code = `const fs = require('fs');
    ${serverOf(tls)}(q, r) => {
      if (q.url === '/health') return r.end('OK');
      const chunks = []; q.on('data', (d) => chunks.push(d));
      q.on('end', () => {
        fs.appendFileSync(${JSON.stringify(file)}, JSON.stringify({ role: ${JSON.stringify(role)}, method: q.method, url: q.url, headers: q.headers, body: Buffer.concat(chunks).toString('latin1') }) + '\\n');
        r.setHeader('content-type', 'application/json');
        r.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
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

/**
 * A fake of the Pushgateway's push and scrape API (the Pushgateway is not served by the Go module
 * proxy): `PUT`/`POST /metrics/job/<job>[/<label>/<value>...]` keeps the pushed text-format samples
 * of that group; `GET /metrics` serves every group's samples with the group's labels (and an empty
 * `instance` unless pushed with one), a `push_time_seconds` per group, and one metric of its own
 * without a job label, as the real one does.
 */
export function startFakePushgateway(netns: string, port: number): ChildProcess {
  const code = `const groups = new Map();
    const esc = (v) => v.replace(/\\\\/g, '\\\\\\\\').replace(/"/g, '\\\\"');
    require('http').createServer((q, r) => {
      const chunks = []; q.on('data', (d) => chunks.push(d));
      q.on('end', () => {
        if (q.url === '/-/ready' || q.url === '/-/healthy') return r.end('OK');
        const m = /^\\/metrics\\/(job\\/.+)$/.exec(q.url);
        if (m && (q.method === 'PUT' || q.method === 'POST')) {
          const parts = m[1].split('/'); const labels = {};
          for (let i = 0; i + 1 < parts.length; i += 2) labels[parts[i]] = decodeURIComponent(parts[i + 1]);
          if (!('instance' in labels)) labels.instance = '';
          groups.set(m[1], { labels, body: Buffer.concat(chunks).toString(), at: Date.now() / 1000 });
          r.statusCode = 200; return r.end();
        }
        if (q.url === '/metrics') {
          const out = ['pushgateway_build_info{version="fake"} 1'];
          for (const g of groups.values()) {
            const ls = Object.entries(g.labels).map(([k, v]) => k + '="' + esc(v) + '"').join(',');
            for (const line of g.body.split('\\n').filter((l) => l && !l.startsWith('#'))) {
              const s = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)$/.exec(line);
              if (s) out.push(s[1] + '{' + [ls, s[2]].filter(Boolean).join(',') + '} ' + s[3]);
            }
            out.push('push_time_seconds{' + ls + '} ' + g.at);
          }
          r.setHeader('content-type', 'text/plain; version=0.0.4');
          return r.end(out.join('\\n') + '\\n');
        }
        r.statusCode = 404; r.end();
      });
    }).listen(${port}, '0.0.0.0');`;
  return spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', code], { stdio: 'ignore' });
}

/** The spans a collector's file exporter wrote (OTLP JSON, one export request per line). */
export function recordedSpans(file: string): Array<{ traceId: string; name: string }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) =>
      (JSON.parse(line).resourceSpans ?? []).flatMap((rs: any) =>
        (rs.scopeSpans ?? []).flatMap((ss: any) => (ss.spans ?? []).map((s: any) => ({ traceId: String(s.traceId), name: String(s.name) }))),
      ),
    );
}
