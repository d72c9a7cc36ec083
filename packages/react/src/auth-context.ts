import type { AuthClient } from '@balena-auth/machine';
import { createContext, useContext } from 'react';

/** The client that `<AuthProvider>` hands down; `null` outside any provider. */
export const AuthContext = createContext<AuthClient | null>(null);
AuthContext.displayName = 'BalenaAuth';

/**
 * The auth client of the nearest `<AuthProvider>`: `auth` (the 19 balena-sdk methods), `api` (an
 * ofetch instance for the rest of the balena API), `actor` (the running statechart), `ready()`,
 * `getSession()`, `onAuthStateChange()`. The same object on every render. Throws when there is no
 * provider above the component.
 *
 * @example
 * function LogoutButton() {
 *   const { auth } = useAuth();
 *   return <button type="button" onClick={() => auth.logout()}>Log out</button>;
 * }
 */
export function useAuth(): AuthClient {
  const client = useContext(AuthContext);
  if (client === null)
    throw new Error(
      'useAuth(), useSession() and useAuthSelector() need an <AuthProvider client={…}> above them',
    );
  return client;
}
