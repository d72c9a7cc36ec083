import type { SnapshotFrom } from 'xstate';
import type { authMachine } from './auth.machine.ts';
import type { AuthChangeEvent, AuthContext, AuthSession } from './auth.types.ts';
import { twoFactorStatusOf } from './token.ts';

type SessionSnapshot = SnapshotFrom<typeof authMachine>;

const RESTORING: AuthSession = { status: 'restoring' };
const SIGNED_OUT: AuthSession = { status: 'signedOut' };
const TWO_FACTOR_REQUIRED: AuthSession = { status: 'twoFactorRequired' };

/**
 * The session an app sees in a snapshot of the chart: its `session` region (while a new login is
 * in flight, the credential still held), and the user once known.
 */
function statusOf(snapshot: SessionSnapshot): AuthSession['status'] {
  if (snapshot.matches({ session: 'restoring' })) return 'restoring';
  if (snapshot.matches({ session: 'awaitingTwoFactor' })) return 'twoFactorRequired';
  if (snapshot.matches({ session: 'authenticated' })) return 'signedIn';
  if (snapshot.matches({ session: { unverified: 'pending' } })) return 'signedIn';
  if (snapshot.matches({ session: 'authenticating' }) && snapshot.context.token !== undefined)
    return twoFactorStatusOf(snapshot.context.claims) === 'pending' ? 'twoFactorRequired' : 'signedIn';
  return 'signedOut';
}

const sessionWith = (status: AuthSession['status'], user: AuthContext['user']): AuthSession =>
  status === 'signedIn'
    ? { status, user }
    : status === 'signedOut'
      ? SIGNED_OUT
      : status === 'twoFactorRequired'
        ? TWO_FACTOR_REQUIRED
        : RESTORING;

/**
 * A view of the chart for apps: `get()` answers the current session (the same object until it
 * changes, so it suits `useSyncExternalStore`), `listen` adds an `onAuthStateChange` listener.
 * `update(snapshot)` is fed every snapshot; listeners run after it, never awaited, and a listener
 * that throws or rejects is ignored. `confirmUser` is asked for (at most once per token) while a
 * listener is subscribed and a credential is held whose user is unknown.
 */
export function createSessionView(initial: SessionSnapshot, confirmUser: () => void) {
  type Listener = (event: AuthChangeEvent, session: AuthSession) => void;
  const listeners = new Set<Listener>();
  let session = RESTORING;
  let token: string | undefined;
  let confirmedToken: string | undefined;
  let refreshed = false;

  /** Listeners that have not had their `INITIAL_SESSION` yet: they get it before anything else. */
  const waiting = new Set<Listener>();
  const tell = (listener: Listener, event: AuthChangeEvent) => {
    const told = waiting.delete(listener) ? 'INITIAL_SESSION' : event;
    try {
      Promise.resolve(listener(told, session)).catch(() => {});
    } catch {}
  };
  const confirmIfUnknown = () => {
    if (listeners.size === 0 || session.status !== 'signedIn' || session.user || token === confirmedToken)
      return;
    confirmedToken = token;
    confirmUser();
  };

  /** What changed from the session told last, or undefined when nothing an app sees did. */
  function changeTo(status: AuthSession['status'], user: AuthContext['user'], next: string | undefined) {
    if (status !== session.status) {
      if (status === 'signedIn') return 'SIGNED_IN';
      return status === 'signedOut' ? 'SIGNED_OUT' : 'TWO_FACTOR_REQUIRED';
    }
    if (status !== 'signedIn') return undefined;
    if (next !== token) return refreshed ? 'TOKEN_REFRESHED' : 'SIGNED_IN';
    return user !== undefined && session.status === 'signedIn' && user !== session.user
      ? 'USER_UPDATED'
      : undefined;
  }

  function update(snapshot: SessionSnapshot) {
    if (snapshot.matches({ activity: 'refreshing' })) refreshed = true;
    const status = statusOf(snapshot);
    if (status === 'restoring') return;
    const { user } = snapshot.context;
    const next = snapshot.context.token;
    const event: AuthChangeEvent | undefined =
      session.status === 'restoring' ? 'INITIAL_SESSION' : changeTo(status, user, next);
    if (event === undefined) return;
    session = sessionWith(status, user);
    token = next;
    refreshed = false;
    for (const listener of [...listeners]) tell(listener, event);
    confirmIfUnknown();
  }
  update(initial);

  return {
    get: () => session,
    update,
    listen(listener: Listener): () => void {
      listeners.add(listener);
      waiting.add(listener);
      if (session.status !== 'restoring')
        queueMicrotask(() => {
          if (waiting.has(listener)) tell(listener, 'INITIAL_SESSION');
        });
      confirmIfUnknown();
      return () => {
        listeners.delete(listener);
        waiting.delete(listener);
      };
    },
    clear: () => {
      listeners.clear();
      waiting.clear();
    },
  };
}
