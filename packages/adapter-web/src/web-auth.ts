import { type AuthClient, type AuthOptions, createAuth } from '@balena-auth/machine';
import { localStorageTokenStore } from './local-storage-store.ts';

/** `createAuth`'s options, `store` optional; `storage` (default `localStorage`) backs the default store. */
export type WebAuthOptions = { apiUrl?: string; storage?: Storage } & Partial<AuthOptions>;

/**
 * A browser auth client: the session in `localStorage['balena-token']` (as balena-sdk's), kept
 * across reloads and shared by the site's tabs. Gate the first paint on `ready()`.
 *
 * @example
 * const { auth, actor, ready } = createWebAuth({ apiUrl: 'https://api.balena-cloud.com' });
 * await ready(); // the stored session has been read: no login-screen flash
 * render(actor.getSnapshot().matches({ session: 'anonymous' }) ? loginForm() : dashboard());
 */
export function createWebAuth(options: WebAuthOptions = {}): AuthClient {
  const { storage, store, ...rest } = options;
  return createAuth({ ...rest, store: store ?? localStorageTokenStore(storage) });
}
