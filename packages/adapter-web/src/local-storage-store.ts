import { BalenaSettingsPermissionError, memoryTokenStore, type TokenStore } from '@balena-auth/machine';
import { changeNotices } from './cross-tab.ts';
import { BalenaStorageQuotaExceeded } from './errors.ts';
import { webLock } from './web-lock.ts';

const KEY = 'balena-token';

/**
 * A token store on `localStorage['balena-token']` (balena-sdk's key), shared by the site's tabs:
 * fresh reads, other tabs' changes through `subscribe`, a Web Lock as `exclusive`. If the storage is
 * unusable it warns once and keeps the token in memory; a full quota rejects `set` with
 * `BalenaStorageQuotaExceeded`, and storage that turns unusable later (the browser denies access:
 * a SecurityError) rejects with `BalenaSettingsPermissionError`.
 *
 * @example
 * const { auth } = createAuth({ store: localStorageTokenStore() });
 */
export function localStorageTokenStore(storage?: Storage): TokenStore {
  const usable = usableStorage(storage);
  if (!usable) {
    console.warn('balena-auth: localStorage is not usable here, so the session is kept in memory only.');
    return memoryTokenStore();
  }
  const notices = changeNotices(usable, KEY);
  const read = () => usable.getItem(KEY) ?? undefined;
  return {
    async get() {
      try {
        return read();
      } catch (error) {
        throw storageError(error, 'read');
      }
    },
    async set(token) {
      try {
        usable.setItem(KEY, token);
      } catch (error) {
        throw storageError(error, 'save');
      }
      notices.announce(token);
    },
    async remove() {
      try {
        usable.removeItem(KEY);
      } catch (error) {
        throw storageError(error, 'remove');
      }
      notices.announce(undefined);
    },
    subscribe: (onExternalChange) => notices.listen(read, onExternalChange),
    exclusive: webLock(`balena-auth:${KEY}`),
  };
}

/**
 * What a `Storage` call that threw becomes: a full quota and denied access as typed errors, others
 * as they are. Judged by the exception's name, which holds for a frame's storage too (its
 * `DOMException` is another window's class).
 */
function storageError(error: unknown, action: 'read' | 'save' | 'remove'): unknown {
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name !== 'string') return error;
  if (action === 'save' && /quota/i.test(name)) return new BalenaStorageQuotaExceeded(error); // any browser's name
  if (name !== 'SecurityError') return error;
  const denied = new BalenaSettingsPermissionError(
    `Cannot ${action} the balena token: the browser denied access to localStorage (SecurityError). ` +
      'Allow this site to keep data, or reload the page.',
  );
  Object.defineProperty(denied, 'cause', { value: error, enumerable: false });
  return denied;
}

/** `storage` (default `localStorage`) if a random `__NNN` key can be written, read and removed. */
function usableStorage(storage?: Storage): Storage | undefined {
  try {
    const candidate = storage ?? globalThis.localStorage;
    const key = `__${Math.floor(Math.random() * 1e9)}`;
    candidate.setItem(key, key);
    const works = candidate.getItem(key) === key;
    candidate.removeItem(key);
    return works ? candidate : undefined;
  } catch {
    return undefined; // private modes, blocked site data, sandboxed frames
  }
}
