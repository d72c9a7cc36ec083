import type { AuthClient } from '@balena-auth/machine';

/** A client whose subscriptions are counted: what the hooks hold on to, at any moment. */
export interface CountingClient {
  client: AuthClient;
  /** `onAuthStateChange` listeners and `actor.subscribe` observers not unsubscribed yet. */
  listeners(): { session: number; actor: number };
  /** How many subscriptions were made in all (StrictMode makes and drops some). */
  subscriptions(): number;
}

/**
 * Wraps a real client: `onAuthStateChange` and `actor.subscribe` still reach it, and each
 * subscription counts until its own unsubscribe runs (once).
 */
export function countingClient(client: AuthClient): CountingClient {
  let session = 0;
  let actor = 0;
  let made = 0;
  const once = (release: () => void, uncount: () => void) => {
    let released = false;
    return () => {
      if (!released) uncount();
      released = true;
      release();
    };
  };
  const countedActor = new Proxy(client.actor, {
    get(target, key) {
      if (key === 'subscribe')
        return (...args: Parameters<typeof target.subscribe>) => {
          const subscription = target.subscribe(...args);
          actor++;
          made++;
          return {
            unsubscribe: once(
              () => subscription.unsubscribe(),
              () => actor--,
            ),
          };
        };
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    client: {
      ...client,
      actor: countedActor,
      onAuthStateChange(listener) {
        const unsubscribe = client.onAuthStateChange(listener);
        session++;
        made++;
        return once(unsubscribe, () => session--);
      },
    },
    listeners: () => ({ session, actor }),
    subscriptions: () => made,
  };
}
