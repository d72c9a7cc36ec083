import { memoryTokenStore, type TokenStore } from '@balena-auth/machine';
import { changeNotices } from './cross-tab.ts';
import { BalenaStorageQuotaExceeded } from './errors.ts';
import { webLock } from './web-lock.ts';

const KEY = 'balena-token';

/**
 * A token store on `localStorage['balena-token']` (balena-sdk's key), shared by the site's tabs:
 * fresh reads, other tabs' changes through `subscribe`, a Web Lock as `exclusive`. If the storage is
 * unusable it warns once and keeps the token in memory; a full quota rejects `set` with
 * `BalenaStorageQuotaExceeded`.
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
    get: async () => read(),
    async set(token) {
      try {
        usable.setItem(KEY, token);
      } catch (error) {
        const full = error instanceof DOMException && /quota/i.test(error.name); // any browser's name
        throw full ? new BalenaStorageQuotaExceeded(error) : error;
      }
      notices.announce(token);
    },
    async remove() {
      usable.removeItem(KEY);
      notices.announce(undefined);
    },
    subscribe: (onExternalChange) => notices.listen(read, onExternalChange),
    exclusive: webLock(`balena-auth:${KEY}`),
  };
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
