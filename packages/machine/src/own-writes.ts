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
  declare exclusive?: <T>(task: () => Promise<T>) => Promise<T>;
  declare subscribe?: (listener: Listener) => () => void;

  constructor(store: TokenStore) {
    this.#store = store;
    if (store.exclusive) this.exclusive = passExclusive;
    if (store.subscribe) this.subscribe = filteredSubscribe;
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
  lock<T>(task: () => Promise<T>): Promise<T> {
    const store = this.#store as Required<TokenStore>;
    return store.exclusive(task);
  }

  /** The wrapped store's changes, without the echo of this client's last write. */
  listen(listener: Listener): () => void {
    return (this.#store.subscribe as NonNullable<TokenStore['subscribe']>).call(this.#store, (token) => {
      const echo = this.#expectedEcho;
      this.#expectedEcho = undefined;
      if (echo === undefined || echo.token !== token) listener(token);
    });
  }
}

// Shared by every filter over a store that has `exclusive` / `subscribe` (the others have neither).
function passExclusive<T>(this: OwnEchoFilter, task: () => Promise<T>): Promise<T> {
  return this.lock(task);
}
function filteredSubscribe(this: OwnEchoFilter, listener: Listener): () => void {
  return this.listen(listener);
}
