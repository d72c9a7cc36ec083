import type { TokenStore } from './auth.types.ts';

/**
 * The store as one client sees it: a store that reports every change to every subscriber (such as
 * `memoryTokenStore`) also reports this client's own writes back to it; each such echo is dropped
 * once, so only changes made elsewhere reach the machine as `store.changed`.
 */
export function withoutOwnEchoes(store: TokenStore): TokenStore {
  let expectedEcho: { token: string | undefined } | undefined;
  const subscribe = store.subscribe?.bind(store);
  return {
    get: () => store.get(),
    set(token) {
      expectedEcho = { token };
      return store.set(token);
    },
    remove() {
      expectedEcho = { token: undefined };
      return store.remove();
    },
    exclusive: store.exclusive?.bind(store),
    subscribe:
      subscribe &&
      ((listener) =>
        subscribe((token) => {
          const echo = expectedEcho;
          expectedEcho = undefined;
          if (echo === undefined || echo.token !== token) listener(token);
        })),
  };
}
