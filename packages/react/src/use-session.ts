import type { AuthSession } from '@balena-auth/machine';
import { useCallback, useSyncExternalStore } from 'react';
import { useAuth } from './auth-context.ts';

const RESTORING: AuthSession = Object.freeze({ status: 'restoring' });
const serverSession = () => RESTORING;

/**
 * The session to render from: `{ status: 'restoring' }` while the stored credential is read, then
 * `signedOut`, `twoFactorRequired`, or `signedIn` with the `user` once the server confirmed it
 * (see `client.getSession()`). The component re-renders only when the session changes, not on
 * every step of the chart. On the server, and in the first render of a hydration, it is
 * `restoring`: the server cannot know the browser's stored session, so the markup always matches.
 * While a component uses it, a held credential whose user is unknown is confirmed with one whoami.
 *
 * @example
 * function Account() {
 *   const session = useSession();
 *   if (session.status === 'restoring') return <p>Loading…</p>;
 *   if (session.status === 'twoFactorRequired') return <TotpForm />;
 *   if (session.status === 'signedOut') return <LoginForm />;
 *   return <p>Signed in as {session.user?.username ?? '…'}</p>;
 * }
 */
export function useSession(): AuthSession {
  const client = useAuth();
  const subscribe = useCallback(
    (onChange: () => void) => client.onAuthStateChange(() => onChange()),
    [client],
  );
  return useSyncExternalStore(subscribe, client.getSession, serverSession);
}
