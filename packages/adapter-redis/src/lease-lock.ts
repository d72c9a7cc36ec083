import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BalenaRedisLockTimeout } from './errors.ts';
import type { Command } from './redis-store.ts';

const RENEW =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end";

/**
 * `exclusive` on the lease lock `lockKey`: SET NX PX with a random owner value, renewed every third
 * of the lease while the task runs, deleted only by its owner (compare-and-delete in Lua). Waiters
 * back off (jittered, up to 40 ms) and give up after `waitMs`. A holder that dies stops renewing,
 * so its lease expires and the next waiter proceeds.
 */
export function leaseLock(command: Command, lockKey: string, leaseMs: number, waitMs: number) {
  return async function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    const giveUpAt = Date.now() + waitMs;
    const take = ['SET', lockKey, owner, 'NX', 'PX', `${leaseMs}`];
    for (let attempt = 0; (await command('take the lock', take)) !== 'OK'; attempt++) {
      if (Date.now() >= giveUpAt)
        throw new BalenaRedisLockTimeout(`The lock ${lockKey} stayed taken for more than ${waitMs} ms`);
      await sleep(Math.min(2 ** attempt, 40) * (0.5 + Math.random()));
    }
    const renew = () => command('renew the lock', ['EVAL', RENEW, '1', lockKey, owner, `${leaseMs}`]);
    const renewal = setInterval(() => renew().catch(() => {}), leaseMs / 3).unref();
    try {
      return await task();
    } finally {
      clearInterval(renewal);
      await command('release the lock', ['EVAL', RELEASE, '1', lockKey, owner]).catch(() => {}); // else it expires
    }
  };
}
