import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { connect } from 'node:net';
import { testWith } from './support/programs';
import { argsOf, get } from './support/synth';
import { lokiChart } from './loki/support';
import { itemSizeBytes } from '../lib/memcached/memcached';

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Sends `stats settings` and returns the reply, retrying while memcached starts. */
async function statsSettings(port: number, gaveUp: () => boolean = () => false): Promise<string> {
  for (let attempt = 0; attempt < 50 && !gaveUp(); attempt++) {
    try {
      return await new Promise<string>((resolve, reject) => {
        let reply = '';
        const socket = connect(port, '127.0.0.1', () => socket.write('stats settings\r\n'));
        socket.on('data', (d) => {
          reply += d;
          if (reply.includes('END\r\n')) {
            socket.end();
            resolve(reply);
          }
        });
        socket.on('error', reject);
      });
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('memcached did not answer');
}

testWith('memcached')('the real memcached starts with the generated flags and applies them', async () => {
  const args = argsOf(get(lokiChart({ chunksCache: { memoryMb: 96, maxItemSize: '2m' } }).manifests, 'StatefulSet', 'loki-chunks-cache'), 'memcached');
  const port = await freePort();
  // Same flags, but on a free loopback port (and -u, which memcached demands when run as root).
  const local = args.map((a) => (a.startsWith('--port=') ? `--port=${port}` : a)).concat(['--listen=127.0.0.1', '-u', 'nobody']);
  const proc = spawn('memcached', local, { stdio: 'ignore' });
  try {
    const stats = await statsSettings(port);
    expect(stats).toContain('STAT maxbytes 100663296'); // 96 MiB
    expect(stats).toContain('STAT item_size_max 2097152'); // 2m
    expect(stats).toContain('STAT maxconns 16384');
  } finally {
    proc.kill();
  }
});

/** Starts memcached with `args` on a free port; resolves to its exit code, or undefined when it stays up. */
async function startsOrExits(args: string[]): Promise<number | undefined> {
  const port = await freePort();
  const proc = spawn('memcached', [...args, `--port=${port}`, '--listen=127.0.0.1', '-u', 'nobody'], { stdio: 'ignore' });
  let gone = false;
  const exited = new Promise<number>((resolve) =>
    proc.on('exit', (code) => {
      gone = true;
      resolve(code ?? -1);
    }),
  );
  const answered = statsSettings(port, () => gone).then(
    () => undefined,
    () => undefined,
  );
  const result = await Promise.race([exited, answered]);
  proc.kill();
  return result;
}

testWith('memcached')(
  'the item sizes the library refuses are the ones the real memcached refuses, and the ones it allows start',
  async () => {
    // 64 MiB of memory: memcached allows items up to half of it.
    expect(await startsOrExits(['--memory-limit=64', '--max-item-size=32m'])).toBeUndefined();
    expect(await startsOrExits(['--memory-limit=64', '--max-item-size=33m'])).toBeGreaterThan(0);
    expect(await startsOrExits(['--memory-limit=1024', '--max-item-size=2g'])).toBeGreaterThan(0);
    expect(itemSizeBytes('32m')).toBe(32 * 2 ** 20);
    expect(() => lokiChart({ chunksCache: { memoryMb: 64, maxItemSize: '32m' } })).not.toThrow();
    expect(() => lokiChart({ chunksCache: { memoryMb: 64, maxItemSize: '33m' } })).toThrow('chunksCache.maxItemSize = "33m"');
    expect(() => lokiChart({ chunksCache: { maxItemSize: '2g' } })).toThrow('chunksCache.maxItemSize = "2g"');
  },
  20_000,
);
