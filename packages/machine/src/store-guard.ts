import type { TokenStore } from './auth.types.ts';
import { warnOnConsole } from './console-warning.ts';
import { BalenaTokenStoreError } from './errors.ts';
import { isHeaderSafeCredential } from './schemas.ts';
import { parseStoredToken } from './token.ts';

type Listener = (token: string | undefined) => void;

/**
 * The store as the machine may rely on it, whatever the store does: every method answers a
 * promise (a synchronous throw becomes a rejection), a failure that is not an `Error` becomes a
 * `BalenaTokenStoreError` (an `Error` the store throws passes through as it is), `get()` and
 * `subscribe` only ever report a usable credential string or `undefined`, and `exclusive` runs the
 * task exactly once or fails. A stored value that is not a usable credential (not a string, or not
 * something an HTTP header can carry) counts as no credential, and `warn` is told once per store.
 *
 * @example
 * const store = guardTokenStore(options.store);
 */
export function guardTokenStore(
  store: TokenStore,
  warn: (message: string) => void = warnOnConsole,
): TokenStore {
  return new GuardedTokenStore(store, warn);
}

/** The guarded store: the methods on the prototype; per store only what it wraps. */
class GuardedTokenStore implements TokenStore {
  readonly #store: TokenStore;
  // The store's methods as they were when it was handed over, each called on the store.
  readonly #get: TokenStore['get'];
  readonly #set: TokenStore['set'];
  readonly #remove: TokenStore['remove'];
  readonly #exclusive: TokenStore['exclusive'];
  readonly #subscribe: TokenStore['subscribe'];
  readonly #warn: (message: string) => void;
  #warned = false;

  constructor(store: TokenStore, warn: (message: string) => void) {
    this.#store = store;
    this.#get = store.get;
    this.#set = store.set;
    this.#remove = store.remove;
    this.#exclusive = store.exclusive;
    this.#subscribe = store.subscribe;
    this.#warn = warn;
    // A store without a lock or without change reports has none here either.
    if (!this.#exclusive) this.exclusive = undefined;
    if (!this.#subscribe) this.subscribe = undefined;
  }

  async get(): Promise<string | undefined> {
    return this.usable(await call('get', () => this.#get.call(this.#store)));
  }

  async set(token: string): Promise<void> {
    await call('set', () => this.#set.call(this.#store, token));
  }

  async remove(): Promise<void> {
    await call('remove', () => this.#remove.call(this.#store));
  }

  /** The store's lock around `task` (see `runExclusively`). */
  exclusive?<T>(task: () => Promise<T>): Promise<T> {
    return runExclusively(this.#store, this.#exclusive as NonNullable<TokenStore['exclusive']>, task);
  }

  /** The store's subscription, reporting only usable credentials, never throwing. */
  subscribe?(listener: Listener): () => void {
    let unsubscribe: unknown;
    try {
      unsubscribe = this.#subscribe?.call(this.#store, (token) => listener(this.usable(token)));
    } catch {
      this.#warn(
        'balena-auth: the token store could not subscribe to changes; changes made elsewhere are not followed.',
      );
    }
    return () => {
      try {
        if (typeof unsubscribe === 'function') unsubscribe();
      } catch {
        // the store failed to unsubscribe: nothing more to do
      }
    };
  }

  /** `value` when it is a usable credential string; otherwise undefined, and `warn` told once. */
  usable(value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    const reason =
      typeof value !== 'string'
        ? `a ${Array.isArray(value) ? 'array' : typeof value}, not a string`
        : unusableReason(value);
    if (reason === undefined) return value as string;
    if (!this.#warned) {
      this.#warned = true;
      this.#warn(
        `balena-auth: the token store holds a value that is not a usable credential (${reason}); it counts as no credential.`,
      );
    }
    return undefined;
  }
}

/** Why a stored string is not a usable credential, or undefined when it is one. */
function unusableReason(raw: string): string | undefined {
  const { token, malformed } = parseStoredToken(raw);
  if (malformed) return 'JSON that is not a string';
  if (token !== undefined && !isHeaderSafeCredential(token))
    return 'characters an HTTP header cannot carry, or longer than 8192';
  return undefined;
}

/** Runs a store method; whatever it throws or rejects with becomes an `Error`. */
async function call<T>(operation: string, method: () => T | Promise<T>): Promise<T> {
  try {
    return await method();
  } catch (error) {
    throw storeFailure(operation, error);
  }
}

function storeFailure(operation: string, error: unknown): Error {
  return error instanceof Error
    ? error
    : new BalenaTokenStoreError(operation, `it threw ${error === null ? 'null' : `a ${typeof error}`}`);
}

/**
 * `task` under the store's lock: started at most once, its own result or error passed on as they
 * are, whatever `exclusive` itself returns; an `exclusive` that settles without starting the task
 * fails with `BalenaTokenStoreError`.
 */
async function runExclusively<T>(
  store: TokenStore,
  exclusive: NonNullable<TokenStore['exclusive']>,
  task: () => Promise<T>,
): Promise<T> {
  let started: Promise<T> | undefined;
  const start = () => {
    started ??= Promise.resolve().then(task);
    return started;
  };
  try {
    await exclusive.call(store, start);
  } catch (error) {
    if (started === undefined) throw storeFailure('exclusive', error);
    await started;
    throw storeFailure('exclusive', error);
  }
  if (started === undefined)
    throw new BalenaTokenStoreError('exclusive', 'it settled without running the task');
  return started;
}
