import type { authMachine } from '@balena-auth/machine';
import { useSelector } from '@xstate/react';
import type { SnapshotFrom } from 'xstate';
import { useAuth } from './auth-context.ts';

/** A snapshot of the auth statechart, as `useAuthSelector` hands it to the selector. */
export type AuthSnapshot = SnapshotFrom<typeof authMachine>;

/**
 * A value selected from the live snapshot of the client's statechart (`@xstate/react`'s
 * `useSelector` on `client.actor`). The component re-renders when the selected value changes
 * (by `Object.is`, or by `compare`), so select the smallest value you need: a boolean, a string.
 *
 * @example
 * const loggingIn = useAuthSelector((snapshot) => snapshot.matches({ activity: 'loggingIn' }));
 * const value = useAuthSelector((snapshot) => snapshot.value, (a, b) => JSON.stringify(a) === JSON.stringify(b));
 */
export function useAuthSelector<T>(
  selector: (snapshot: AuthSnapshot) => T,
  compare?: (previous: T, next: T) => boolean,
): T {
  return useSelector(useAuth().actor, selector, compare);
}
