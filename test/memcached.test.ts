import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { connect } from 'node:net';
import { haveProgram } from './support/programs';
import { argsOf, get } from './support/synth';
import { lokiChart } from './loki/support';

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
async function statsSettings(port: number): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return await new Promise<string>((resolve, reject) => {
        let reply = '';
        const socket = connect(port, '127.0.0.1', () => socket.write('stats settings\r\n'));
        socket.on('data', (d) => { reply += d; if (reply.includes('END\r\n')) { socket.end(); resolve(reply); } });
        socket.on('error', reject);
      });
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('memcached did not answer');
}

test('the real memcached starts with the generated flags and applies them', async () => {
  if (!haveProgram('memcached')) return;
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
