import type { RedisClient } from './redis-store.ts';

type Token = string | undefined;

/**
 * Changes announced on `channel`, reported as what `read` (a GET) finds afterwards, so a lost or
 * reordered message cannot leave a listener on a stale token. The first listener opens a connection
 * of its own (`duplicate()`): it reads once subscribed and after every reconnect (a change may have
 * been missed), tries a refused SUBSCRIBE again each second, and never keeps the process alive.
 * The last unsubscribe destroys it.
 */
export function changeFeed(client: RedisClient, channel: string, read: () => Promise<Token>) {
  const listeners = new Set<(token: Token) => void>();
  let connection: { destroy(): void } | undefined;
  let reads = Promise.resolve();
  let queued = false;
  const report = (token: Token) => {
    for (const listener of [...listeners]) listener(token);
  };
  const reread = () => {
    if (queued) return; // the read waiting to start sees this change too
    queued = true;
    reads = reads.then(() => {
      queued = false;
      return read().then(report, () => {}); // Redis is away: the read after the reconnect reports
    });
  };

  const listen = () => {
    const subscriber = client.duplicate().on('error', () => {}); // it reconnects by itself
    const retry = () => {
      if (connection !== subscriber) return; // destroyed by the last unsubscribe
      subscriber.destroy();
      setTimeout(() => connection === subscriber && listen(), 1_000).unref();
    };
    const subscribe = () => subscriber.subscribe(channel, reread);
    const readNowAndAfterReconnects = () => {
      subscriber.on('ready', reread);
      reread();
    };
    subscriber.unref();
    subscriber.connect().then(subscribe).then(readNowAndAfterReconnects, retry);
    connection = subscriber;
  };

  return (listener: (token: Token) => void): (() => void) => {
    listeners.add(listener);
    if (!connection) listen();
    return () => {
      if (!listeners.delete(listener) || listeners.size > 0) return;
      connection?.destroy();
      connection = undefined;
    };
  };
}
