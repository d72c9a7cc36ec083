import { BalenaInvalidParameterError } from '@balena-auth/machine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BalenaRedisError, type RedisClient, redisTokenStore } from '../src/index.ts';
import { onCleanup, type RedisServer, redisClient, sleep, startRedisServer, within } from './support.ts';

describe('redisTokenStore', () => {
  let server: RedisServer;
  let keys = 0;
  const freshKey = () => `store-test:${++keys}`;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());

  /** Subscribes to `store`, recording what it hears; unsubscribed after the test. */
  const listen = (store: ReturnType<typeof redisTokenStore>) => {
    const heard: (string | undefined)[] = [];
    const unsubscribe = store.subscribe?.((token) => heard.push(token));
    onCleanup(() => unsubscribe?.());
    return heard;
  };
  /** Subscriber connections on `channel`, as Redis counts them. */
  const subscribers = async (client: Awaited<ReturnType<typeof redisClient>>, channel: string) =>
    Number((await client.pubSubNumSub(channel))[channel]);

  it('keeps the bare token under the key; remove deletes it, and succeeds when there is none', async () => {
    const client = await redisClient(server.url);
    const key = freshKey();
    const store = redisTokenStore({ client, key });
    expect(await store.get()).toBeUndefined();
    await store.set('header.payload.signature');
    expect(await client.get(key)).toBe('header.payload.signature');
    expect(await store.get()).toBe('header.payload.signature');
    await store.remove();
    expect(await client.exists(key)).toBe(0);
    await store.remove();
    expect(await store.get()).toBeUndefined();
  });

  it('a token set through one client is heard by a store on a second client within 100 ms', async () => {
    const key = freshKey();
    const writer = redisTokenStore({ client: await redisClient(server.url), key });
    const reader = redisTokenStore({ client: await redisClient(server.url), key });
    const heard = listen(reader);
    const observer = await redisClient(server.url);
    await within(2_000, async () => (await subscribers(observer, `${key}:changed`)) === 1);
    await within(2_000, () => heard.length === 1); // the read once subscribed
    expect(heard).toEqual([undefined]);
    const started = performance.now();
    await writer.set('token-one');
    const ms = await within(100, () => heard.at(-1) === 'token-one');
    console.log(
      `[store] a set on one client was heard on another ${(performance.now() - started).toFixed(1)} ms after it began (${ms.toFixed(1)} ms after it returned)`,
    );
    await writer.remove();
    await within(100, () => heard.at(-1) === undefined && heard.length === 3);
  });

  it('reports what the key holds, not what a message says: a forged or stale announcement brings the current value', async () => {
    const key = freshKey();
    const client = await redisClient(server.url);
    const heard = listen(redisTokenStore({ client: await redisClient(server.url), key }));
    await within(2_000, () => heard.length === 1);
    await client.set(key, 'the-real-token'); // written without an announcement (a lost message)
    await client.publish(`${key}:changed`, 'forged-token');
    await within(1_000, () => heard.length === 2);
    expect(heard).toEqual([undefined, 'the-real-token']);
  });

  it('reads the key again after its subscriber reconnects: a change missed while it was away is reported', async () => {
    const key = freshKey();
    const client = await redisClient(server.url);
    const heard = listen(redisTokenStore({ client: await redisClient(server.url), key }));
    await within(2_000, () => heard.length === 1);
    await client.clientKill({ filter: 'TYPE', type: 'pubsub' } as never);
    await client.set(key, 'set-while-away'); // no announcement reaches a subscriber that is not there
    await within(2_000, () => heard.at(-1) === 'set-while-away');
    await client.set(key, 'after-the-reconnect');
    await client.publish(`${key}:changed`, 'changed');
    await within(1_000, () => heard.at(-1) === 'after-the-reconnect');
  });

  it('subscribes again every second while Redis refuses the subscription, and reads once it is allowed', async () => {
    const admin = await redisClient(server.url);
    const key = freshKey();
    // A user without access to any channel: its SUBSCRIBE is refused (NOPERM).
    await admin.sendCommand([
      'ACL',
      'SETUSER',
      'reader',
      'on',
      '>reader-password',
      '~*',
      '+@all',
      'resetchannels',
    ]);
    onCleanup(async () => {
      await admin.sendCommand(['ACL', 'DELUSER', 'reader']);
    });
    const reader = await redisClient(`redis://reader:reader-password@127.0.0.1:${server.port}`);
    const heard = listen(redisTokenStore({ client: reader, key }));
    await sleep(1_500);
    expect(heard).toEqual([]);
    await admin.sendCommand(['ACL', 'SETUSER', 'reader', 'allchannels']);
    await within(2_000, () => heard.length === 1);
    await admin.set(key, 'after-the-grant');
    await admin.publish(`${key}:changed`, 'changed');
    await within(500, () => heard.at(-1) === 'after-the-grant');
  });

  it('opens one subscriber connection for any number of listeners, and closes it with the last unsubscribe', async () => {
    const key = freshKey();
    const observer = await redisClient(server.url);
    const store = redisTokenStore({ client: await redisClient(server.url), key });
    const unsubscribers = [store.subscribe?.(() => {}), store.subscribe?.(() => {})];
    await within(2_000, async () => (await subscribers(observer, `${key}:changed`)) === 1);
    await sleep(100);
    expect(await subscribers(observer, `${key}:changed`)).toBe(1);
    unsubscribers[0]?.();
    await sleep(100);
    expect(await subscribers(observer, `${key}:changed`)).toBe(1);
    unsubscribers[1]?.();
    await within(1_000, async () => (await subscribers(observer, `${key}:changed`)) === 0);
  });

  it('rejects with BalenaRedisError, without the token, when the key holds something else', async () => {
    const client = await redisClient(server.url);
    const key = freshKey();
    const store = redisTokenStore({ client, key });
    await client.hSet(key, 'field', 'value');
    const error = await store.get().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BalenaRedisError);
    expect((error as Error).message).toMatch(/^Redis could not read the token \(store-test:\d+\): WRONGTYPE/);
    await client.set(key, 'x'.repeat(20_000));
    await expect(store.get()).rejects.toThrow(
      `Redis holds no token under ${key}, but a value of another kind`,
    );
  });

  it('refuses options that are not what it needs, naming the option', () => {
    const client = { sendCommand: async () => null, duplicate: () => ({}) } as unknown as RedisClient;
    const refused = [
      () => redisTokenStore(undefined as never),
      () => redisTokenStore({ client: {} as RedisClient }),
      () => redisTokenStore({ client, key: '' }),
      () => redisTokenStore({ client, key: 42 as never }),
      () => redisTokenStore({ client, commandTimeoutMs: 0 }),
      () => redisTokenStore({ client, leaseMs: 50 }),
      () => redisTokenStore({ client, lockWaitMs: Number.NaN }),
      () => redisTokenStore({ client, lockWaitMs: 1.5 }),
    ];
    for (const create of refused) expect(create).toThrow(BalenaInvalidParameterError);
    expect(() => redisTokenStore({ client, leaseMs: 50 })).toThrow(
      "Invalid parameter: 50 is not a valid value for parameter 'leaseMs'",
    );
  });
});
