import {
  BalenaExpiredToken,
  BalenaInvalidLoginCredentials,
  BalenaNotLoggedIn,
  BalenaRequestError,
} from '../../src/errors.ts';
import type { AuthEvent } from '../../src/index.ts';
import type { SessionClaims } from '../../src/token.ts';

/**
 * The events the model-based test walks `authMachine` with: every request a caller can send, store
 * changes, and each invoked service's done and error events with the outputs and errors the
 * services can produce. Tokens are named (`token:<name>`); the real walk swaps each name for a real
 * token minted by the emulator with the same claims.
 */
export const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;
const seconds = (ms: number) => Math.floor(ms / 1000);

/** The claims of each named token, relative to T0 (ms). */
export const TOKEN_CLAIMS = {
  session: { iat: seconds(T0), exp: seconds(T0 + 24.5 * HOUR) },
  pending: { iat: seconds(T0), exp: seconds(T0 + 24.5 * HOUR), twoFactorRequired: true },
  passed: { iat: seconds(T0), exp: seconds(T0 + 24.5 * HOUR), twoFactorRequired: false },
  expired: { iat: seconds(T0 - 2 * HOUR), exp: seconds(T0 - HOUR) },
  fresh: { iat: seconds(T0 + 25 * HOUR), exp: seconds(T0 + 49.5 * HOUR) },
  other: { iat: seconds(T0) - 1, exp: seconds(T0 + 24.5 * HOUR) },
} satisfies Record<string, SessionClaims>;
export type TokenName = keyof typeof TOKEN_CLAIMS;

export const tokenNamed = (name: TokenName) => `token:${name}`;
export const nameOfToken = (token: string | undefined): TokenName | undefined =>
  token?.startsWith('token:') ? (token.slice('token:'.length) as TokenName) : undefined;

const issued = (name: TokenName, receivedAt = TOKEN_CLAIMS[name].iat * 1000) => ({
  token: tokenNamed(name),
  claims: TOKEN_CLAIMS[name],
  receivedAt,
});
const stored = (name: TokenName | undefined) => ({
  token: name && tokenNamed(name),
  claims: name && TOKEN_CLAIMS[name],
});

const user = {
  id: 1001,
  actorType: 'user' as const,
  actorTypeId: 1,
  username: 'model',
  email: 'model@example.com',
};
const unavailable = () => new BalenaRequestError('Service Unavailable', 503);
const refused = (status: number) => new BalenaRequestError('Refused', status);

/** A request event as the facade sends it. */
const request = (event: Record<string, unknown> & { type: string }, at = T0): AuthEvent =>
  ({ id: 1, at, ...event }) as AuthEvent;
const done = (id: string, output: unknown): AuthEvent =>
  ({ type: `xstate.done.actor.${id}`, actorId: id, output }) as AuthEvent;
const failed = (id: string, error: unknown): AuthEvent =>
  ({ type: `xstate.error.actor.${id}`, actorId: id, error }) as AuthEvent;

export const CHART_EVENTS: AuthEvent[] = [
  request({ type: 'auth.login', email: 'login@example.com', password: 'model-password' }),
  request({ type: 'auth.loginWithToken', token: tokenNamed('session'), claims: TOKEN_CLAIMS.session }),
  request({ type: 'auth.loginWithToken', token: tokenNamed('pending'), claims: TOKEN_CLAIMS.pending }),
  request({ type: 'auth.loginWithToken', token: tokenNamed('expired'), claims: TOKEN_CLAIMS.expired }),
  request({ type: 'auth.logout' }),
  request({ type: 'auth.whoami' }),
  request({ type: 'auth.whoami' }, T0 + 25 * HOUR),
  request({ type: 'auth.isLoggedIn' }),
  request({ type: 'auth.totp.challenge', code: '123456' }),
  request({ type: 'auth.totp.verify', code: '123456' }),
  request({ type: 'auth.totp.enable', code: '123456' }),
  request({ type: 'auth.totp.getSetupKey' }),
  request({ type: 'auth.totp.disable', password: 'model-password' }),
  request({ type: 'auth.requestVerificationEmail', userId: 1 }),
  ...(
    [
      'auth.isLoggedIn',
      'auth.totp.challenge',
      'auth.totp.verify',
      'auth.totp.enable',
      'auth.totp.getSetupKey',
      'auth.totp.disable',
      'auth.requestVerificationEmail',
    ] as const
  ).map((type) => request({ type, code: '123456', password: 'model-password', userId: 1 }, T0 + 25 * HOUR)),
  request({ type: 'auth.credential' }),
  request({ type: 'auth.credential' }, T0 + 25 * HOUR),
  request({ type: 'auth.credentialRejected', token: tokenNamed('session') }),
  request({ type: 'auth.authenticate', email: 'query@example.com', password: 'model-password' }),
  request({ type: 'auth.register', credentials: { email: 'query@example.com', password: 'model-password' } }),
  request({ type: 'auth.verifyEmail', email: 'query@example.com', token: 'verification-token' }),
  { type: 'store.changed', token: tokenNamed('other') },
  { type: 'store.changed', token: undefined },

  done('readStoredToken', stored(undefined)),
  done('readStoredToken', stored('session')),
  done('readStoredToken', stored('pending')),
  done('readStoredToken', stored('expired')),
  done('readStoredToken', stored('other')),
  failed('readStoredToken', new Error('EIO: the store could not be read')),
  done('loginWithPassword', issued('session')),
  done('loginWithPassword', issued('pending')),
  failed('loginWithPassword', new BalenaInvalidLoginCredentials()),
  done('saveToken', undefined),
  failed('saveToken', new Error('EIO: the store could not be written')),
  done('removeStoredToken', undefined),
  failed('removeStoredToken', new Error('EIO: the store could not be written')),
  done('refreshToken', { source: 'server', ...issued('fresh') }),
  done('refreshToken', { source: 'store' }),
  failed('refreshToken', new BalenaExpiredToken()),
  failed('refreshToken', unavailable()),
  failed('refreshToken', refused(403)),
  done('fetchUser', { user }),
  failed('fetchUser', unavailable()),
  failed('fetchUser', new BalenaNotLoggedIn()),
  failed('fetchUser', refused(403)),
  done('verifyTotp', issued('passed')),
  done('verifyTotp', issued('pending')),
  failed('verifyTotp', unavailable()),
  failed('verifyTotp', refused(401)),
  done('fetchSetupKey', { secret: 'JBSWY3DPEHPK3PXP' }),
  failed('fetchSetupKey', unavailable()),
  failed('fetchSetupKey', refused(403)),
  done('disableTwoFactor', issued('session')),
  failed('disableTwoFactor', unavailable()),
  failed('disableTwoFactor', refused(401)),
  done('markVerificationEmailSent', undefined),
  failed('markVerificationEmailSent', unavailable()),
  failed('markVerificationEmailSent', refused(403)),
  done('query.0', issued('session')),
  failed('query.0', new BalenaInvalidLoginCredentials()),
];
