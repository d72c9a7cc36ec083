import type { AuthSession } from '@balena-auth/machine';
import { useAuth, useAuthSelector, useSession } from '../src/index.ts';

/** `signedIn ada@example.com`, `signedOut`, …: what an app shows of the session. */
export const describeSession = (session: AuthSession): string =>
  session.status === 'signedIn' && session.user?.actorType === 'user'
    ? `signedIn ${session.user.email}`
    : session.status;

/** Shows `useSession()`; `onRender` counts its renders. */
export function SessionBadge({ onRender }: { onRender?: () => void }) {
  const session = useSession();
  onRender?.();
  return <p className="session">{describeSession(session)}</p>;
}

/** Shows the chart's state value through `useAuthSelector`. */
export function ChartValue({ onRender }: { onRender?: () => void }) {
  const value = useAuthSelector((snapshot) => JSON.stringify(snapshot.value));
  onRender?.();
  return <p className="chart">{value}</p>;
}

/** A button that logs in with `credentials` through `useAuth().auth`. */
export function LoginButton({ credentials }: { credentials: { email: string; password: string } }) {
  const { auth } = useAuth();
  return (
    <button type="button" className="login" onClick={() => void auth.login(credentials)}>
      Log in
    </button>
  );
}

export function LogoutButton() {
  const { auth } = useAuth();
  return (
    <button type="button" className="logout" onClick={() => void auth.logout()}>
      Log out
    </button>
  );
}
