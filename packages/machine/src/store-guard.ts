import type { TokenStore } from './auth.types.ts';
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
  warn: (message: string) => void = (message) => console.warn(message),
): TokenStore {
  const get = store.get;
  const set = store.set;
  const remove = store.remove;
  const { exclusive, subscribe } = store;
  let warned = false;
  const usable = (value: unknown): string | undefined => {
    if (value === undefined || value === null) return undefined;
    const reason =
      typeof value !== 'string'
        ? `a ${Array.isArray(value) ? 'array' : typeof value}, not a string`
        : unusableReason(value);
    if (reason === undefined) return value as string;
    if (!warned) {
      warned = true;
      warn(
        `balena-auth: the token store holds a value that is not a usable credential (${reason}); it counts as no credential.`,
      );
    }
    return undefined;
  };

  return {
    get: async () => usable(await call('get', () => get.call(store))),
    set: async (token) => {
      await call('set', () => set.call(store, token));
    },
    remove: async () => {
      await call('remove', () => remove.call(store));
    },
    exclusive: exclusive && (<T>(task: () => Promise<T>) => runExclusively(store, exclusive, task)),
    subscribe:
      subscribe &&
      ((listener: Listener) => {
        let unsubscribe: unknown;
        try {
          unsubscribe = subscribe.call(store, (token) => listener(usable(token)));
        } catch {
          warn(
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
      }),
  };
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
