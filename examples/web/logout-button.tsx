import { useAuth } from '@balena-auth/react';
import { useNotices } from './notices.tsx';

/**
 * Logs out (always succeeds locally: the token is forgotten and removed from the store) and says so.
 *
 * @example
 * <LogoutButton label="Cancel and log out" />
 */
export function LogoutButton({ label = 'Log out', onDone }: { label?: string; onDone?: () => void }) {
  const { auth } = useAuth();
  const { say } = useNotices();
  return (
    <button
      type="button"
      className="logout"
      onClick={async () => {
        await auth.logout();
        onDone?.();
        say('Logged out.');
      }}
    >
      {label}
    </button>
  );
}
