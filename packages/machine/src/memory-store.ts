import type { TokenStore } from './auth.types.ts';

/**
 * A token store in memory: nothing touches the disk or browser storage. Clients created on the same store
 * object share one session and hear each other's changes through `subscribe`.
 *
 * @example
 * const { auth } = createAuth({ store: memoryTokenStore() });
 */
export function memoryTokenStore(initial?: string): TokenStore {
  let token = initial;
  const listeners = new Set<(token: string | undefined) => void>();
  const change = (next: string | undefined) => {
    token = next;
    for (const listener of listeners) listener(next);
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    get: async () => token,
    exclusive(task) {
      const run = queue.then(task, task);
      queue = run.catch(() => {});
      return run;
    },
    set: async (next) => change(next),
    remove: async () => change(undefined),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
