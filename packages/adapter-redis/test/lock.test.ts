import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BalenaRedisError, BalenaRedisLockTimeout, redisTokenStore } from '../src/index.ts';
import { type RedisServer, redisClient, runTs, sleep, startRedisServer } from './support.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const CONTENDERS = 8;
const CYCLES_EACH = 130;

describe('redisTokenStore: exclusive (a lease lock in Redis)', () => {
  let server: RedisServer;
  let keys = 0;
  const freshKey = () => `lock-test:${++keys}`;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());

  it(`never has two holders at once: ${CONTENDERS} processes x ${CYCLES_EACH} cycles, 0 overlaps, 0 lost updates`, async () => {
    const key = freshKey();
    const contenders = Array.from({ length: CONTENDERS }, () =>
      runTs(path.join(FIXTURES, 'lock-contender.ts'), [server.url, key, String(CYCLES_EACH)]),
    );
    await Promise.all(contenders.map((contender) => contender.line(/^ready$/, 60_000)));
    for (const contender of contenders) contender.send('go');
    const results = (await Promise.all(contenders.map((c) => c.line(/^done /, 120_000)))).map(
      (line) =>
        JSON.parse(line.slice('done '.length)) as {
          cycles: number;
          overlaps: number;
          failures: string[];
          ms: number;
        },
    );
    const client = await redisClient(server.url);
    const total = results.reduce((sum, result) => sum + result.cycles, 0);
    const overlaps = results.reduce((sum, result) => sum + result.overlaps, 0);
    const counter = Number(await client.get(`${key}:counter`));
    console.log(
      `[lock] ${CONTENDERS} processes, ${total} lock cycles in ${Math.max(...results.map((r) => r.ms))} ms: ` +
        `overlaps ${overlaps}, counter ${counter} (lost updates ${total - counter})`,
    );
    expect(results.flatMap((result) => result.failures)).toEqual([]);
    expect(total).toBeGreaterThanOrEqual(1000);
    expect(overlaps).toBe(0);
    expect(counter).toBe(total);
    expect(await client.exists(`${key}:lock`)).toBe(0);
    expect(await Promise.all(contenders.map((contender) => contender.exited))).toEqual(
      contenders.map(() => 0),
    );
  }, 180_000);

  it('a holder killed with SIGKILL stops renewing: its lease expires and the next one proceeds', async () => {
    const key = freshKey();
    const leaseMs = 1_000;
    const holder = runTs(path.join(FIXTURES, 'lock-holder.ts'), [server.url, key, String(leaseMs)]);
    await holder.line(/^holding$/, 30_000);
    await sleep(2 * leaseMs); // held past its first lease: it renews while alive
    const client = await redisClient(server.url);
    expect(await client.exists(`${key}:lock`)).toBe(1);
    holder.process.kill('SIGKILL');
    await holder.exited;
    const started = performance.now();
    const store = redisTokenStore({ client, key, leaseMs });
    await expect(store.exclusive?.(async () => 'ran')).resolves.toBe('ran');
    const waitedMs = performance.now() - started;
    console.log(`[lock] after SIGKILL of the holder, the next one got the lock in ${waitedMs.toFixed(0)} ms`);
    expect(waitedMs).toBeGreaterThan(leaseMs / 3); // it did wait for the lease...
    expect(waitedMs).toBeLessThan(leaseMs + 500); // ...and no longer than the lease
  }, 60_000);

  it('is renewed while its holder works: a task three leases long keeps others out, and they give up with BalenaRedisLockTimeout', async () => {
    const key = freshKey();
    const leaseMs = 300;
    const holder = runTs(path.join(FIXTURES, 'lock-holder.ts'), [server.url, key, String(leaseMs)]);
    await holder.line(/^holding$/, 30_000);
    const client = await redisClient(server.url);
    const store = redisTokenStore({ client, key, leaseMs, lockWaitMs: 3 * leaseMs });
    let ran = false;
    const started = performance.now();
    const error = await store
      .exclusive?.(async () => {
        ran = true;
      })
      .catch((caught: unknown) => caught);
    const waitedMs = performance.now() - started;
    expect(error).toBeInstanceOf(BalenaRedisLockTimeout);
    expect(error).toBeInstanceOf(BalenaRedisError);
    expect((error as Error).message).toBe(
      `The lock ${key}:lock stayed taken for more than ${3 * leaseMs} ms`,
    );
    expect(ran).toBe(false);
    expect(waitedMs).toBeGreaterThanOrEqual(3 * leaseMs);
    expect(waitedMs).toBeLessThan(3 * leaseMs + 500);
    holder.send('release');
    await holder.line(/^released$/);
    await expect(store.exclusive?.(async () => 'after')).resolves.toBe('after');
    expect(await holder.exited).toBe(0);
  }, 60_000);

  it('is released when the task fails, and rejects with the task’s error', async () => {
    const client = await redisClient(server.url);
    const key = freshKey();
    const store = redisTokenStore({ client, key });
    await expect(
      store.exclusive?.(async () => {
        throw new Error('task failed');
      }),
    ).rejects.toThrow('task failed');
    expect(await client.exists(`${key}:lock`)).toBe(0);
    await expect(store.exclusive?.(async () => 'next')).resolves.toBe('next');
  });

  it('is released only by its owner: a holder whose lease ran out leaves the next holder’s lock alone', async () => {
    const client = await redisClient(server.url);
    const key = freshKey();
    const first = redisTokenStore({ client, key, leaseMs: 60_000 });
    const second = redisTokenStore({ client, key, lockWaitMs: 10_000 });
    let releaseSecond = () => {};
    const secondMayFinish = new Promise<void>((resolve) => {
      releaseSecond = resolve;
    });
    let secondTask: Promise<unknown> | undefined;
    await first.exclusive?.(async () => {
      await client.del(`${key}:lock`); // as if the lease ran out while this holder was paused
      await new Promise<void>((holding) => {
        secondTask = second.exclusive?.(async () => {
          holding();
          await secondMayFinish;
        });
      });
    });
    expect(await client.exists(`${key}:lock`)).toBe(1); // the first one's release did not delete it
    releaseSecond();
    await secondTask;
    expect(await client.exists(`${key}:lock`)).toBe(0);
  });
});
