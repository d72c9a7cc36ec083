import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createClient } from 'redis';

/** A `redis-server` of our own on 127.0.0.1, started for a test file and stopped after it. */
export interface RedisServer {
  port: number;
  url: string;
  /** Ends the server with `signal` (default SIGKILL: a crash) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (and data directory, if it has one). */
  restart(): Promise<void>;
  /** Stops it; idempotent. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts Debian's `redis-server` on a free loopback port with no persistence. With `dataDirectory`,
 * it keeps an append-only file there fsynced on every write instead, so its data survives a
 * SIGKILL and a restart, as on a Redis deployed with persistence.
 *
 * @example
 * const redis = await startRedisServer();
 * afterAll(() => redis.stop());
 */
export async function startRedisServer(options: { dataDirectory?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  const persistence = options.dataDirectory
    ? ['--dir', options.dataDirectory, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always']
    : ['--save', '', '--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--loglevel', 'warning'];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const started = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    started.once('error', (error) => {
      stderr += `${error.message} (install Debian's redis-server: apt-get install -y redis-server)`;
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child = started;
    exited = new Promise((resolve) => {
      started.once('exit', () => resolve());
      started.once('error', () => resolve());
    });
    process.once('exit', () => started.kill('SIGKILL')); // never outlive the test process
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (started.exitCode !== null || started.pid === undefined)
        throw new Error(`redis-server did not start (exit code ${started.exitCode}): ${stderr}`);
      const probe = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        probe.destroy();
        return;
      } catch {
        probe.destroy();
        if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port}: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, kill, restart: start, stop: () => kill('SIGTERM') };
}
