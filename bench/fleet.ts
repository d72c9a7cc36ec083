/**
 * Fleet: 8 processes holding one 25-hour-old session JWT, each firing 20 concurrent calls
 * (isLoggedIn and whoami alternately): how many refresh requests reach the API in all.
 *
 * - ours: each process a `createServerAuth` client of its own on one Redis key
 *   (`packages/adapter-redis/test/fixtures/fleet-member.ts`), against a `redis-server` started for
 *   the run (Debian's package, no persistence, 127.0.0.1);
 * - balena-sdk: each process its own `getSdk({ dataDirectory: false })` started with the same token
 *   (`bench/fleet-balena-sdk-child.ts`): replicas with no shared store.
 *
 * Run alone: `pnpm bench:fleet`
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { startRedisServer } from '../packages/adapter-redis/test/redis-server.ts';
import { type EmulatorProcess, REPO_ROOT } from './lib/emulator.ts';
import type { Section } from './lib/report.ts';
import { times } from './lib/stats.ts';

const PROCESSES = 8;
const CALLS = 20;
const HOUR_S = 3600;
const KEY = 'balena-auth:bench-fleet';

/** A child process speaking the fleet member protocol: `ready`, then `go` → `done {json}`, `exit`. */
function member(file: string, args: string[]) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  const line = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${prefix}" line from ${file}:\n${out}`)), 60_000);
      const check = () => {
        const found = out.split('\n').find((candidate) => candidate.startsWith(prefix));
        if (found === undefined) return;
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve(found);
      };
      child.stdout?.on('data', check);
      check();
    });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { send: (text: string) => child.stdin?.write(`${text}\n`), line, exited };
}

/** Starts the members, waits until all are ready, sends `go` to all at once, counts refreshes. */
async function run(emulator: EmulatorProcess, members: ReturnType<typeof member>[]) {
  await Promise.all(members.map((m) => m.line('ready')));
  await emulator.clearRequests();
  for (const m of members) m.send('go');
  const done = await Promise.all(members.map((m) => m.line('done ')));
  const failures = done.flatMap((text) => JSON.parse(text.slice('done '.length)).failures as string[]);
  const log = await emulator.requests();
  for (const m of members) m.send('exit');
  await Promise.all(members.map((m) => m.exited));
  if (failures.length > 0) throw new Error(`fleet calls failed: ${failures.join('; ')}`);
  return {
    refreshes: log.filter((r) => r.path === '/user/v1/refresh-token').length,
    requests: log.length,
  };
}

export async function measureFleet(emulator: EmulatorProcess): Promise<Section> {
  const user = { email: 'bench-fleet@example.com', password: 'bench-password-1' };
  await emulator.createUser(user);
  const now = Math.floor(Date.now() / 1000);
  const stale = () => emulator.sessionToken(user.email, { iat: now - 25 * HOUR_S, exp: now + 100 * HOUR_S });

  const redisServer = await startRedisServer();
  let ours: Awaited<ReturnType<typeof run>>;
  try {
    const redis = await createClient({ url: redisServer.url })
      .on('error', () => {})
      .connect();
    await redis.set(KEY, await stale());
    await redis.close();
    const file = fileURLToPath(
      new URL('../packages/adapter-redis/test/fixtures/fleet-member.ts', import.meta.url),
    );
    ours = await run(
      emulator,
      Array.from({ length: PROCESSES }, () =>
        member(file, [emulator.url, redisServer.url, KEY, String(CALLS)]),
      ),
    );
  } finally {
    await redisServer.stop();
  }

  const token = await stale();
  const sdkFile = fileURLToPath(new URL('./fleet-balena-sdk-child.ts', import.meta.url));
  const sdkMembers = Array.from({ length: PROCESSES }, () => member(sdkFile, [emulator.url, String(CALLS)]));
  for (const m of sdkMembers) m.send(token);
  const balenaSdk = await run(emulator, sdkMembers);

  return {
    name: 'fleet',
    rows: [
      {
        figure: `fleet refresh requests (${PROCESSES} processes × ${CALLS} calls, 25 h-old token)`,
        balenaSdk: String(balenaSdk.refreshes),
        ours: `${ours.refreshes} (Redis store)`,
        ratio: times(ours.refreshes / balenaSdk.refreshes),
        target: '1',
        met: ours.refreshes === 1,
      },
    ],
    details: { processes: PROCESSES, callsEach: CALLS, ours, balenaSdk },
  };
}
