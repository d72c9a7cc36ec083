import type { AuthContext, AuthEvent } from './auth.types.ts';
import { BalenaExpiredToken, BalenaNetworkError, BalenaNotLoggedIn, BalenaRequestError } from './errors.ts';
import { isExpired, isRefreshDue, parseStoredToken, twoFactorStatus } from './token.ts';

type GuardArgs = { context: AuthContext; event: AuthEvent };
type OutputEvent = { output?: { raw?: string; token?: string } };
type ErrorEvent = { error?: unknown };

const outputToken = (event: unknown): string | undefined => {
  const output = (event as OutputEvent).output;
  return output?.token ?? parseStoredToken(output?.raw).token;
};

/** When the caller made the request (client clock, stamped by the facade): the time guards judge by. */
const requestTime = (event: AuthEvent): number =>
  'at' in event && typeof event.at === 'number' ? event.at : Date.now();

/** The machine's guards: synchronous questions about the context and the event. */
export const authGuards = {
  hasQueuedRequest: ({ context }: GuardArgs) => context.queue.length > 0,
  hasActor: ({ context }: GuardArgs) => context.actor !== undefined,
  hasToken: ({ context }: GuardArgs) => context.token !== undefined,
  isTwoFactorPending: ({ context }: GuardArgs) =>
    context.token !== undefined && twoFactorStatus(context.token) === 'pending',
  isTokenExpired: ({ context, event }: GuardArgs) =>
    context.token !== undefined && isExpired(context.token, requestTime(event)),
  isRefreshDue: ({ context, event }: GuardArgs) =>
    context.token !== undefined && isRefreshDue(context.token, requestTime(event), context.clockSkew),
  isGivenTokenExpired: ({ event }: GuardArgs) =>
    'token' in event && typeof event.token === 'string' && isExpired(event.token, requestTime(event)),
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
  isExpiredTokenRejected: ({ event }: GuardArgs) => (event as ErrorEvent).error instanceof BalenaExpiredToken,
};

export type AuthGuards = typeof authGuards;
