import type { TokenStore } from './auth.types.ts';
import { afterPrevious } from './one-at-a-time.ts';

type Listener = (token: string | undefined) => void;

/**
 * A token store in memory: nothing touches the disk or browser storage. Clients created on the same store
 * object share one session and hear each other's changes through `subscribe`.
 *
 * The store is a plain object whose methods are shared by every memory store and find its state
 * through `this`, so `{ ...memoryTokenStore(), get }` makes a store on the same state; call them as
 * methods of the store (as `createAuth` does).
 *
 * @example
 * const { auth } = createAuth({ store: memoryTokenStore() });
 */
export function memoryTokenStore(initial?: string): TokenStore {
  return {
    [STATE]: new MemoryState(initial),
    get: getToken,
    set: setToken,
    remove: removeToken,
    exclusive: runExclusively,
    subscribe,
  } as MemoryStore;
}

const STATE = Symbol('memory store state');
type MemoryStore = TokenStore & { [STATE]: MemoryState };

/** The token, its listeners and the queue of exclusive tasks (private: never shown when the store is logged). */
class MemoryState {
  #token: string | undefined;
  #listeners: Set<Listener> | undefined;
  #queue: Promise<unknown> | undefined;

  constructor(initial: string | undefined) {
    this.#token = initial;
  }

  read(): string | undefined {
    return this.#token;
  }

  change(next: string | undefined): void {
    this.#token = next;
    if (this.#listeners) for (const listener of this.#listeners) listener(next);
  }

  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const { run, tail } = afterPrevious(this.#queue, task);
    this.#queue = tail;
    return run;
  }

  listen(listener: Listener): () => void {
    this.#listeners ??= new Set();
    const listeners = this.#listeners;
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }
}

async function getToken(this: MemoryStore): Promise<string | undefined> {
  return this[STATE].read();
}
async function setToken(this: MemoryStore, token: string): Promise<void> {
  this[STATE].change(token);
}
async function removeToken(this: MemoryStore): Promise<void> {
  this[STATE].change(undefined);
}
function runExclusively<T>(this: MemoryStore, task: () => Promise<T>): Promise<T> {
  return this[STATE].exclusive(task);
}
function subscribe(this: MemoryStore, listener: Listener): () => void {
  return this[STATE].listen(listener);
}
