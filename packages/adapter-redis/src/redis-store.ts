import { BalenaInvalidParameterError, type TokenStore } from '@balena-auth/machine';
import type { RedisClientType } from 'redis';
import { changeFeed } from './change-feed.ts';
import { BalenaRedisError } from './errors.ts';
import { leaseLock } from './lease-lock.ts';

/** What the store uses of a node-redis client: `createClient()` of the `redis` package. */
// biome-ignore lint/suspicious/noExplicitAny: any modules, functions, scripts, RESP version and type mapping
export type RedisClient = Pick<RedisClientType<any, any, any, any, any>, 'sendCommand' | 'duplicate'>;
/** One Redis command, bounded by the command timeout; `what` names it in errors. */
export type Command = (what: string, args: string[]) => Promise<unknown>;

/** Options of `redisTokenStore`. Only `client` is required. */
export interface RedisTokenStoreOptions {
  /** A node-redis client, connected (or connecting) by you; the store never closes it. */
  client: RedisClient;
  /** Holds the bare token. Default `'balena-auth:token'`; `<key>:lock` and `<key>:changed` go with it. */
  key?: string;
  /** Every command rejects with `BalenaRedisError` after this long without an answer. Default 2 000. */
  commandTimeoutMs?: number;
  /** The lock's lease, renewed while its holder works. Default 10 000. */
  leaseMs?: number;
  /** How long `exclusive` waits for the lock before `BalenaRedisLockTimeout`. Default 30 000. */
  lockWaitMs?: number;
}

/** Writes (ARGV[2]) or deletes the token and announces it, in one step. */
const WRITE =
  "if ARGV[2] then redis.call('set', KEYS[1], ARGV[2]) else redis.call('del', KEYS[1]) end return redis.call('publish', ARGV[1], 'changed')";

/**
 * A token store in Redis, shared by every process on `key`: the bare token under `key`, a lease
 * lock as `exclusive` (one refresh or write at a time across the fleet) and `subscribe` on the
 * channel `<key>:changed`, so every process hears a change made anywhere. While Redis is away,
 * every call rejects with `BalenaRedisError` within `commandTimeoutMs`.
 *
 * @example
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).on('error', console.error).connect();
 * const { auth } = createAuth({ store: redisTokenStore({ client, key: 'balena-auth:ops-bot' }) });
 */
export function redisTokenStore(options: RedisTokenStoreOptions): TokenStore {
  const { client, key = 'balena-auth:token' } = options ?? {};
  if (typeof client?.sendCommand !== 'function' || typeof client.duplicate !== 'function')
    throw new BalenaInvalidParameterError('client', client);
  if (typeof key !== 'string' || !key || key.length > 1024) throw new BalenaInvalidParameterError('key', key);
  const setting = (name: 'commandTimeoutMs' | 'leaseMs' | 'lockWaitMs', fallback: number, min: number) => {
    const value = options[name] ?? fallback;
    if (Number.isInteger(value) && value >= min && value <= 3_600_000) return value;
    throw new BalenaInvalidParameterError(name, value);
  };
  const timeout = setting('commandTimeoutMs', 2_000, 1);
  const command: Command = (what, args) =>
    client.sendCommand<unknown>(args, { timeout, typeMapping: {} }).catch((error: Error) => {
      throw new BalenaRedisError(`Redis could not ${what} (${key}): ${error?.message || error?.name}`, error);
    });
  const announced = (what: string, token: string[] = []) =>
    command(what, ['EVAL', WRITE, '1', key, `${key}:changed`, ...token]).then(() => {});
  const get = async () => {
    const value = await command('read the token', ['GET', key]);
    if (value === null) return undefined;
    if (typeof value === 'string' && value.length <= 16_384) return value;
    throw new BalenaRedisError(`Redis holds no token under ${key}, but a value of another kind`);
  };

  return {
    get,
    async set(token) {
      if (typeof token !== 'string' || !token) throw new BalenaInvalidParameterError('token', token);
      await announced('store the token', [token]);
    },
    remove: () => announced('remove the token'),
    exclusive: leaseLock(
      command,
      `${key}:lock`,
      setting('leaseMs', 10_000, 100),
      setting('lockWaitMs', 30_000, 0),
    ),
    subscribe: changeFeed(client, `${key}:changed`, get),
  };
}
