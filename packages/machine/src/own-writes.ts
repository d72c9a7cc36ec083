import type { TokenStore } from './auth.types.ts';

type Listener = (token: string | undefined) => void;

/**
 * The store as one client sees it: a store that reports every change to every subscriber (such as
 * `memoryTokenStore`) also reports this client's own writes back to it; each such echo is dropped
 * once, so only changes made elsewhere reach the machine as `store.changed`.
 */
export function withoutOwnEchoes(store: TokenStore): TokenStore {
  return new OwnEchoFilter(store);
}

class OwnEchoFilter implements TokenStore {
  readonly #store: TokenStore;
  #expectedEcho: { token: string | undefined } | undefined;

  constructor(store: TokenStore) {
    this.#store = store;
    // A store without a lock or without change reports has none here either.
    if (!store.exclusive) this.exclusive = undefined;
    if (!store.subscribe) this.subscribe = undefined;
  }

  get(): Promise<string | undefined> {
    return this.#store.get();
  }

  set(token: string): Promise<void> {
    this.#expectedEcho = { token };
    return this.#store.set(token);
  }

  remove(): Promise<void> {
    this.#expectedEcho = { token: undefined };
    return this.#store.remove();
  }

  /** The wrapped store's lock. */
  exclusive?<T>(task: () => Promise<T>): Promise<T> {
    const store = this.#store as Required<TokenStore>;
    return store.exclusive(task);
  }

  /** The wrapped store's changes, without the echo of this client's last write. */
  subscribe?(listener: Listener): () => void {
    return (this.#store.subscribe as NonNullable<TokenStore['subscribe']>).call(this.#store, (token) => {
      const echo = this.#expectedEcho;
      this.#expectedEcho = undefined;
      if (echo === undefined || echo.token !== token) listener(token);
    });
  }
}
