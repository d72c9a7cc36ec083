import { fromPromise } from 'xstate';
import type { ApiClient } from './api.ts';
import type { TokenStore } from './auth.types.ts';
import {
  BalenaError,
  BalenaExpiredToken,
  BalenaInvalidLoginCredentials,
  BalenaNotLoggedIn,
  BalenaRequestError,
  BalenaTooManyRequests,
} from './errors.ts';
import {
  parseResponse,
  SetupKeyResponseSchema,
  TokenResponseSchema,
  type WhoamiResult,
  WhoamiSchema,
} from './schemas.ts';
import { isExpired, parseStoredToken } from './token.ts';

/** What every service of one client shares: the HTTP client and the token store. */
export interface AuthPlatform {
  api: ApiClient;
  store: TokenStore;
  /** The client's clock (ms epoch); a refreshed token's local age counts from when it arrived. */
  now?: () => number;
}

type WithToken = { token: string };

/** What a refresh found: a new token from the server, or a token another client already stored. */
export type RefreshOutcome = { source: 'server'; token: string; receivedAt: number } | { source: 'store' };

/**
 * The machine's services, one `fromPromise` actor per API call or store operation, each taking
 * `{ input }` only. Token results are wrapped as `{ token }` so redaction finds them by key.
 */
export function createAuthActors({ api, store, now = Date.now }: AuthPlatform) {
  const tokenFrom = async (path: string, response: Promise<unknown>) => ({
    token: parseResponse(TokenResponseSchema, await response, path),
    receivedAt: now(),
  });
  type Credentials = { email: string; password: string };
  const exclusive = <T>(task: () => Promise<T>): Promise<T> =>
    store.exclusive ? store.exclusive(task) : task();
  const requestSessionToken = (input: Credentials, signal: AbortSignal) =>
    tokenFrom(
      '/login_',
      api({
        method: 'POST',
        path: '/login_',
        body: { username: input.email, password: input.password },
        signal,
      }).catch((error: unknown) => {
        throw loginError(error);
      }),
    );
  return {
    readStoredToken: fromPromise<{ raw?: string }>(async () => ({ raw: await store.get() })),
    saveToken: fromPromise<void, WithToken>(({ input }) => exclusive(() => store.set(input.token))),
    removeStoredToken: fromPromise<void>(() => exclusive(() => store.remove())),

    loginWithPassword: fromPromise<WithToken, Credentials>(async ({ input, signal }) => {
      const session = await requestSessionToken(input, signal);
      if (isExpired(session.token, now())) throw new BalenaExpiredToken();
      return session;
    }),
    authenticate: fromPromise<WithToken, Credentials>(({ input, signal }) =>
      requestSessionToken(input, signal),
    ),
    register: fromPromise<WithToken, { credentials: Record<string, unknown> }>(({ input, signal }) =>
      tokenFrom(
        '/user/register',
        api({ method: 'POST', path: '/user/register', body: input.credentials, signal }),
      ),
    ),
    verifyEmail: fromPromise<WithToken, { email: string; token: string }>(({ input, signal }) =>
      tokenFrom(
        '/user/v1/verify-email',
        api({
          method: 'POST',
          path: '/user/v1/verify-email',
          body: { verificationToken: input.token, email: input.email },
          signal,
        }),
      ),
    ),

    fetchActor: fromPromise<{ actor: WhoamiResult }, WithToken>(async ({ input, signal }) => {
      try {
        const body = await api({ path: '/actor/v1/whoami', token: input.token, signal });
        return { actor: parseResponse(WhoamiSchema, body, '/actor/v1/whoami') };
      } catch (error) {
        throw error instanceof BalenaRequestError && error.statusCode === 401
          ? new BalenaNotLoggedIn()
          : error;
      }
    }),
    refreshToken: fromPromise<RefreshOutcome, WithToken>(({ input, signal }) =>
      exclusive(async (): Promise<RefreshOutcome> => {
        const stored = parseStoredToken(await store.get().catch(() => input.token)).token;
        if (stored !== input.token) return { source: 'store' };
        const fresh = await tokenFrom(
          '/user/v1/refresh-token',
          api({ path: '/user/v1/refresh-token', token: input.token, signal }),
        );
        if (!signal.aborted) await store.set(fresh.token).catch(() => {});
        return { source: 'server', ...fresh };
      }),
    ),
    verifyTotp: fromPromise<WithToken, WithToken & { code: string }>(({ input, signal }) =>
      tokenFrom(
        '/auth/totp/verify',
        api({
          method: 'POST',
          path: '/auth/totp/verify',
          token: input.token,
          body: { code: input.code },
          signal,
        }),
      ),
    ),
    fetchSetupKey: fromPromise<{ secret: string }, WithToken>(async ({ input, signal }) => ({
      secret: parseResponse(
        SetupKeyResponseSchema,
        await api({ path: '/auth/totp/setup', token: input.token, signal }),
        '/auth/totp/setup',
      ),
    })),
    disableTwoFactor: fromPromise<WithToken, WithToken & { password: string }>(({ input, signal }) =>
      tokenFrom(
        '/auth/totp/disable',
        api({
          method: 'POST',
          path: '/auth/totp/disable',
          token: input.token,
          body: { password: input.password },
          signal,
        }),
      ),
    ),
    markVerificationEmailSent: fromPromise<void, WithToken & { userId: number }>(
      async ({ input, signal }) => {
        await api({
          method: 'PATCH',
          path: `/v7/user(${input.userId})`,
          token: input.token,
          body: { has_been_sent_verification_email: true },
          signal,
        });
      },
    ),
  };
}

export type AuthActors = ReturnType<typeof createAuthActors>;

function loginError(error: unknown): unknown {
  if (!(error instanceof BalenaRequestError)) return error;
  if (error.statusCode === 401) return new BalenaInvalidLoginCredentials();
  if (error.statusCode === 429) return new BalenaTooManyRequests();
  return error;
}

/** The services `authMachine` has before `createAuth` (or your own `provide`) supplies a platform. */
export const unconfiguredActors: AuthActors = createAuthActors({
  api: () =>
    Promise.reject(
      new BalenaError('No API client: create the machine with createAuth() or machine.provide()'),
    ),
  store: {
    get: async () => undefined,
    set: () => Promise.reject(new BalenaError('No token store: create the machine with createAuth()')),
    remove: async () => {},
  },
});
