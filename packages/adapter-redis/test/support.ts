import { createClient, type RedisClientOptions } from 'redis';
import { onCleanup } from '../../adapter-node/test/support.ts';

export {
  type Child,
  onCleanup,
  runTs,
  sleep,
  tempDirectory,
  within,
} from '../../adapter-node/test/support.ts';
export { type RedisServer, startRedisServer } from './redis-server.ts';

/**
 * A node-redis client on `url`, connected, with errors ignored (it reconnects by itself); destroyed
 * after the test.
 *
 * @example
 * const client = await redisClient(server.url);
 */
export async function redisClient(url: string, options: RedisClientOptions = {}) {
  const client = createClient({ url, ...options }).on('error', () => {});
  await client.connect();
  onCleanup(() => client.destroy());
  return client;
}
