import { stateIn } from 'xstate';
import type { AuthContext, AuthEvent } from './auth.types.ts';
import { BalenaExpiredToken, BalenaNetworkError, BalenaNotLoggedIn, BalenaRequestError } from './errors.ts';
import { isPastExpiry, isRefreshDueOf, twoFactorStatusOf } from './token.ts';

type GuardArgs = { context: AuthContext; event: AuthEvent };

const errorOf = (event: AuthEvent): unknown => ('error' in event ? event.error : undefined);
/** The claims of the token a service just produced (read from the store, or issued by the server). */
const outputClaims = (event: AuthEvent) =>
  'output' in event && event.output && typeof event.output === 'object' && 'claims' in event.output
    ? event.output.claims
    : undefined;

/** The machine's guards: synchronous questions about the context and the event. */
export const authGuards = {
  isSignedOut: stateIn('#auth.session.anonymous'),
  hasUser: ({ context }: GuardArgs) => context.user !== undefined,
  hasToken: ({ context }: GuardArgs) => context.token !== undefined,
  isTwoFactorPending: ({ context }: GuardArgs) => twoFactorStatusOf(context.claims) === 'pending',
  isTokenExpired: ({ context, event }: GuardArgs) =>
    'at' in event && context.token !== undefined && isPastExpiry(context.claims, event.at),
  isRefreshDue: ({ context, event }: GuardArgs) =>
    'at' in event &&
    context.token !== undefined &&
    isRefreshDueOf(context.claims, event.at, context.clockSkew),
  isGivenTokenExpired: ({ event }: GuardArgs) =>
    event.type === 'auth.loginWithToken' && isPastExpiry(event.claims, event.at),
  isGivenTokenTwoFactorPending: ({ event }: GuardArgs) =>
    event.type === 'auth.loginWithToken' && twoFactorStatusOf(event.claims) === 'pending',
  isStoredTokenMissing: ({ event }: GuardArgs) =>
    event.type === 'xstate.done.actor.readStoredToken' && event.output.token === undefined,
  isIssuedTokenTwoFactorPending: ({ event }: GuardArgs) =>
    twoFactorStatusOf(outputClaims(event)) === 'pending',
  isSameToken: ({ context, event }: GuardArgs) =>
    event.type === 'store.changed' && event.token === context.token,
  isStoreChangedMeanwhile: ({ event }: GuardArgs) =>
    event.type === 'xstate.done.actor.refreshToken' && event.output.source === 'store',
  isTransientFailure: ({ event }: GuardArgs) => {
    const error = errorOf(event);
    return (
      error instanceof BalenaNetworkError ||
      (error instanceof BalenaRequestError && (error.statusCode >= 500 || error.statusCode === 429))
    );
  },
  /** The app's own request was refused with the session token still held (API keys are left alone). */
  isRejectedSessionHeld: ({ context, event }: GuardArgs) =>
    event.type === 'auth.credentialRejected' && event.token === context.token && context.claims !== undefined,
  isVerifyOnly: ({ context }: GuardArgs) => context.current?.type === 'auth.totp.verify',
  isCredentialRejected: ({ event }: GuardArgs) => errorOf(event) instanceof BalenaNotLoggedIn,
  isExpiredTokenRejected: ({ event }: GuardArgs) => errorOf(event) instanceof BalenaExpiredToken,
};

export type AuthGuards = typeof authGuards;
