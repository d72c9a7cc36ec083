import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BalenaRedisError, createServerAuth, redisTokenStore } from '../src/index.ts';
import {
  onCleanup,
  type RedisServer,
  redisClient,
  startRedisServer,
  tempDirectory,
  within,
} from './support.ts';

const HOUR = 60 * 60;
const COMMAND_TIMEOUT_MS = 500;

/** How long `promise` takes to settle, and what it rejected with (undefined when it resolved). */
async function settle(promise: Promise<unknown> | undefined) {
  const started = performance.now();
  const error = await promise?.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error, ms: performance.now() - started };
}

describe('Redis killed and restarted in the middle of a session', () => {
  let emulator: Emulator;
  let server: RedisServer;
  const email = 'restart@example.com';
  beforeAll(async () => {
    emulator = await startEmulator();
    await emulator.createUser({ email, password: 'restart-password' });
  });
  afterAll(async () => {
    await Promise.all([emulator?.close(), server?.stop()]);
  });

  it('calls that need Redis reject with BalenaRedisError within the command timeout; the token is still there after, and the session goes on', async () => {
    // A Redis with persistence (an append-only file fsynced on every write), as a deployment that
    // must not lose its data on a restart has; with no persistence a restart empties it.
    server = await startRedisServer({ dataDirectory: await tempDirectory('adapter-redis-') });
    const key = 'balena-auth:restart';
    const stale = await emulator.sessionToken(email, { iat: Math.floor(Date.now() / 1000) - 25 * HOUR });
    const admin = await redisClient(server.url);
    await admin.set(key, stale);
    const clients = await Promise.all(
      [1, 2].map(async () => {
        const redis = await redisClient(server.url);
        const client = createServerAuth({
          apiUrl: emulator.url,
          redis,
          key,
          commandTimeoutMs: COMMAND_TIMEOUT_MS,
        });
        onCleanup(() => client.stop());
        await client.ready();
        return { redis, ...client };
      }),
    );
    const [a, b] = clients;
    expect(await a.auth.getToken()).toBe(stale);
    const store = redisTokenStore({ client: a.redis, key, commandTimeoutMs: COMMAND_TIMEOUT_MS });
    emulator.clearRequests();

    await server.kill('SIGKILL');
    const outage = [
      await settle(a.auth.whoami()), // a refresh is due: it needs the lock first
      await settle(store.get()),
      await settle(store.set('another-token')),
      await settle(store.remove()),
      await settle(store.exclusive?.(async () => 'ran')),
    ];
    console.log(
      `[restart] during the outage: ${outage.map(({ error, ms }) => `${(error as Error)?.name} in ${ms.toFixed(0)} ms`).join(', ')}`,
    );
    for (const { error, ms } of outage) {
      expect(error).toBeInstanceOf(BalenaRedisError);
      expect((error as Error).message).not.toContain(stale);
      expect((error as Error).message).not.toContain('another-token');
      expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS + 500);
    }
    expect(emulator.requests()).toEqual([]); // no refresh without the lock
    expect(await a.auth.getToken()).toBe(stale); // the session is kept in memory meanwhile

    await server.restart();
    await within(10_000, () => clients.every((client) => client.redis.isReady) && admin.isReady);
    expect(await admin.get(key)).toBe(stale); // no token lost

    expect((await a.auth.getUserInfo()).username).toBe('restart');
    const refreshes = emulator.requests().filter((request) => request.path === '/user/v1/refresh-token');
    expect(refreshes.map((request) => request.status)).toEqual([200]);
    const fresh = await a.auth.getToken();
    expect(fresh).not.toBe(stale);
    expect(await admin.get(key)).toBe(fresh);
    const ms = await within(1_000, async () => (await b.auth.getToken()) === fresh);
    console.log(
      `[restart] after the restart: one refresh; the other client held the new token ${ms.toFixed(0)} ms after the refreshing call returned`,
    );
    expect(await b.auth.isLoggedIn()).toBe(true);
  }, 60_000);
});
