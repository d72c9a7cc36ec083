import { type AuthClient, type AuthOptions, createAuth } from '@balena-auth/machine';
import { type RedisClient, type RedisTokenStoreOptions, redisTokenStore } from './redis-store.ts';

/** `createAuth`'s options without `store`, the Redis store's settings, and `redis`, the client. */
export type ServerAuthOptions = Omit<AuthOptions, 'store'> &
  Omit<RedisTokenStoreOptions, 'client'> & {
    /** A node-redis client, connected by you; `stop()` leaves it open. */
    redis: RedisClient;
  };

/**
 * An auth client for one process of a fleet: its session is the one under `key` in Redis, shared
 * with every other process on that key. A session token is refreshed once for the whole fleet, and
 * a login or logout anywhere reaches every process. `stop()` closes the store's subscriber.
 *
 * @example
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: process.env.REDIS_URL }).on('error', console.error).connect();
 * const { auth, ready, stop } = createServerAuth({ apiUrl: 'https://api.balena-cloud.com', redis, key: 'balena-auth:fleet' });
 * await ready();
 * console.log(await auth.whoami());
 */
export function createServerAuth(options: ServerAuthOptions): AuthClient {
  const { redis: client, key, commandTimeoutMs, leaseMs, lockWaitMs, ...rest } = options ?? {};
  const store = redisTokenStore({ client, key, commandTimeoutMs, leaseMs, lockWaitMs });
  return createAuth({ ...rest, store });
}
