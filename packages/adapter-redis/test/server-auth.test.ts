import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { BalenaInvalidParameterError } from '@balena-auth/machine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerAuth } from '../src/index.ts';
import { onCleanup, type RedisServer, redisClient, sleep, startRedisServer, within } from './support.ts';

describe('createServerAuth', () => {
  let emulator: Emulator;
  let server: RedisServer;
  let keys = 0;
  const freshKey = () => `server-auth-test:${++keys}`;
  const ada = { email: 'ada@example.com', password: 'ada-password' };
  beforeAll(async () => {
    [emulator, server] = await Promise.all([startEmulator({ loginRateLimit: false }), startRedisServer()]);
    await emulator.createUser(ada);
  });
  afterAll(async () => {
    await Promise.all([emulator?.close(), server?.stop()]);
  });

  /** `count` clients on `key`, each with a Redis client of its own, ready; stopped after the test. */
  const fleet = async (key: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const client = createServerAuth({ apiUrl: emulator.url, redis: await redisClient(server.url), key });
        onCleanup(() => client.stop());
        await client.ready();
        return client.auth;
      }),
    );
  const heldToken = (auth: Awaited<ReturnType<typeof fleet>>[number]) =>
    auth.getToken().catch(() => undefined);

  it('a login on one client is taken up by the others; a logout on one logs all of them out', async () => {
    const [first, ...others] = await fleet(freshKey(), 3);
    await first.login(ada);
    const token = await first.getToken();
    const ms = await within(1_000, async () =>
      (await Promise.all(others.map(heldToken))).every((held) => held === token),
    );
    expect(await Promise.all(others.map((auth) => auth.isLoggedIn()))).toEqual([true, true]);
    await others[1].logout();
    const logoutMs = await within(1_000, async () =>
      (await Promise.all([first, others[0]].map(heldToken))).every((held) => held === undefined),
    );
    console.log(
      `[server auth] login reached 2 clients in ${ms.toFixed(0)} ms, a logout in ${logoutMs.toFixed(0)} ms`,
    );
    expect(await Promise.all([first, ...others].map((auth) => auth.isLoggedIn()))).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('stop() closes the subscriber connection it opened, and leaves the given client open', async () => {
    const key = freshKey();
    const observer = await redisClient(server.url);
    const connections = async () => (await observer.clientList()).length;
    const subscribers = async () => Number((await observer.pubSubNumSub(`${key}:changed`))[`${key}:changed`]);
    const redis = await redisClient(server.url);
    const before = await connections();
    const client = createServerAuth({ apiUrl: emulator.url, redis, key });
    await client.ready();
    await within(2_000, async () => (await subscribers()) === 1);
    expect(await connections()).toBe(before + 1);
    client.stop();
    await within(1_000, async () => (await subscribers()) === 0);
    await sleep(50);
    expect(await connections()).toBe(before);
    expect(await redis.ping()).toBe('PONG');
  });

  it('refuses to start without a Redis client, before anything is created', () => {
    expect(() => createServerAuth(undefined as never)).toThrow(BalenaInvalidParameterError);
    expect(() => createServerAuth({ apiUrl: emulator.url } as never)).toThrow(
      "Invalid parameter: undefined is not a valid value for parameter 'client'",
    );
  });
});
