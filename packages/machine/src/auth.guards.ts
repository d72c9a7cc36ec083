import type { AuthContext, AuthEvent } from './auth.types.ts';
import { BalenaNetworkError, BalenaNotLoggedIn, BalenaRequestError } from './errors.ts';
import { isExpired, isRefreshDue, parseStoredToken, twoFactorStatus } from './token.ts';

type GuardArgs = { context: AuthContext; event: AuthEvent };
type OutputEvent = { output?: { raw?: string; token?: string } };
type ErrorEvent = { error?: unknown };

const outputToken = (event: unknown): string | undefined => {
  const output = (event as OutputEvent).output;
  return output?.token ?? parseStoredToken(output?.raw).token;
};

/**
 * The machine's guards. Those that depend on time read `now`, so tests and `createAuth` inject the clock.
 */
export function createAuthGuards(now: () => number) {
  return {
    hasQueuedRequest: ({ context }: GuardArgs) => context.queue.length > 0,
    hasActor: ({ context }: GuardArgs) => context.actor !== undefined,
    hasToken: ({ context }: GuardArgs) => context.token !== undefined,
    isTwoFactorPending: ({ context }: GuardArgs) =>
      context.token !== undefined && twoFactorStatus(context.token) === 'pending',
    isTokenExpired: ({ context }: GuardArgs) =>
      context.token !== undefined && isExpired(context.token, now()),
    isRefreshDue: ({ context }: GuardArgs) =>
      context.token !== undefined && isRefreshDue(context.token, now(), context.clockSkew),
    isGivenTokenExpired: ({ event }: GuardArgs) =>
      'token' in event && typeof event.token === 'string' && isExpired(event.token, now()),
    isGivenTokenTwoFactorPending: ({ event }: GuardArgs) =>
      'token' in event && typeof event.token === 'string' && twoFactorStatus(event.token) === 'pending',
    isStoredTokenMissing: ({ event }: GuardArgs) => outputToken(event) === undefined,
    isOutputTwoFactorPending: ({ event }: GuardArgs) => {
      const token = outputToken(event);
      return token !== undefined && twoFactorStatus(token) === 'pending';
    },
    isChangedElsewhere: ({ context, event }: GuardArgs) =>
      event.type === 'store.changed' && event.token?.trim() !== context.token,
    isSameToken: ({ context, event }: GuardArgs) =>
      event.type === 'store.changed' && event.token?.trim() === context.token,
    isStoreChangedMeanwhile: ({ event }: GuardArgs) =>
      (event as { output?: { source?: string } }).output?.source === 'store',
    isTransientFailure: ({ event }: GuardArgs) => {
      const error = (event as ErrorEvent).error;
      return (
        error instanceof BalenaNetworkError ||
        (error instanceof BalenaRequestError && (error.statusCode >= 500 || error.statusCode === 429))
      );
    },
    isVerifyOnly: ({ context }: GuardArgs) => context.current?.type === 'auth.totp.verify',
    isCredentialRejected: ({ event }: GuardArgs) => (event as ErrorEvent).error instanceof BalenaNotLoggedIn,
    isExpiredTokenRejected: ({ context, event }: GuardArgs) => {
      const error = (event as ErrorEvent).error;
      return (
        error instanceof BalenaRequestError &&
        error.statusCode === 401 &&
        context.token !== undefined &&
        isExpired(context.token, now())
      );
    },
  };
}

export type AuthGuards = ReturnType<typeof createAuthGuards>;
