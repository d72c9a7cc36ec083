export { BalenaRedisError, BalenaRedisLockTimeout } from './errors.ts';
export { type RedisClient, type RedisTokenStoreOptions, redisTokenStore } from './redis-store.ts';
export { createServerAuth, type ServerAuthOptions } from './server-auth.ts';
