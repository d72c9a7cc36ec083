import { type AnyActorRef, fromPromise } from 'xstate';
import type { ApiClient } from './api.ts';
import type { TokenStore } from './auth.types.ts';
import {
  BalenaError,
  BalenaExpiredToken,
  BalenaInvalidLoginCredentials,
  BalenaInvalidTotpCode,
  BalenaNotLoggedIn,
  BalenaRequestError,
  BalenaTooManyRequests,
} from './errors.ts';
import { afterPrevious } from './one-at-a-time.ts';
import { SetupKeyResponseSchema, TokenResponseSchema, type WhoamiResult, WhoamiSchema } from './schemas.ts';
import { decodeClaims, isPastExpiry, parseStoredToken, type SessionClaims } from './token.ts';

/** What the services of one client share: the HTTP client, the token store and the clock. */
export interface AuthPlatform {
  api: ApiClient;
  store: TokenStore;
  /** The client's clock (ms epoch). Default `Date.now`. */
  now?: () => number;
}

type WithToken = { token: string };
type Credentials = { email: string; password: string };
/** A token the server has just issued, its claims (decoded once, here), and when it arrived (client clock). */
export type IssuedToken = { token: string; claims: SessionClaims | undefined; receivedAt: number };
/** The stored credential, if any, with its claims. */
export type StoredToken = { token: string | undefined; claims: SessionClaims | undefined };

/** What a refresh found: a new token from the server, or a token another client already stored. */
export type RefreshOutcome = ({ source: 'server' } & IssuedToken) | { source: 'store' };

/**
 * One client's services: a method per API call or store operation, taking the invoked actor's
 * input and abort signal. `createAuth` builds them once per client and hands them to the machine
 * as its input; the machine's actors (shared by every client) call them. Token results are
 * wrapped as `{ token }` so redaction finds them by key. The methods live on the prototype, so a
 * client holds only its API client, store, clock and store-operation chain.
 */
export class AuthServices {
  readonly #api: ApiClient;
  readonly #store: TokenStore;
  readonly #now: () => number;
  // Without a store lock, this client's own store operations still run one after another, so a
  // removal (logout) always lands after a write that started before it.
  #ownTurn: Promise<unknown> | undefined;

  constructor({ api, store, now = Date.now }: AuthPlatform) {
    this.#api = api;
    this.#store = store;
    this.#now = now;
  }

  async readStoredToken(_input: undefined, _signal: AbortSignal): Promise<StoredToken> {
    const { token } = parseStoredToken(await this.#store.get());
    return { token, claims: token === undefined ? undefined : decodeClaims(token) };
  }

  saveToken(input: WithToken, _signal: AbortSignal): Promise<void> {
    return this.#exclusive(() => this.#store.set(input.token));
  }

  removeStoredToken(_input: undefined, _signal: AbortSignal): Promise<void> {
    return this.#exclusive(() => this.#store.remove());
  }

  async loginWithPassword(input: Credentials, signal: AbortSignal): Promise<IssuedToken> {
    const session = await this.#requestSessionToken(input, signal);
    if (isPastExpiry(session.claims, this.#now())) throw new BalenaExpiredToken();
    return session;
  }

  authenticate(input: Credentials, signal: AbortSignal): Promise<IssuedToken> {
    return this.#requestSessionToken(input, signal);
  }

  register(input: { credentials: Record<string, unknown> }, signal: AbortSignal): Promise<IssuedToken> {
    return this.#issued(
      this.#api({
        method: 'POST',
        path: '/user/register',
        body: input.credentials,
        schema: TokenResponseSchema,
        signal,
      }),
    );
  }

  verifyEmail(input: { email: string; token: string }, signal: AbortSignal): Promise<IssuedToken> {
    return this.#issued(
      this.#api({
        method: 'POST',
        path: '/user/v1/verify-email',
        body: { verificationToken: input.token, email: input.email },
        schema: TokenResponseSchema,
        signal,
      }),
    );
  }

  async fetchUser(input: WithToken, signal: AbortSignal): Promise<{ user: WhoamiResult }> {
    try {
      const user = await this.#api({
        path: '/actor/v1/whoami',
        token: input.token,
        schema: WhoamiSchema,
        signal,
      });
      return { user: user as WhoamiResult };
    } catch (error) {
      throw hasStatus(error, 401) ? new BalenaNotLoggedIn() : error;
    }
  }

  refreshToken(input: WithToken, signal: AbortSignal): Promise<RefreshOutcome> {
    return this.#exclusive(async (): Promise<RefreshOutcome> => {
      const stored = parseStoredToken(await this.#store.get().catch(() => input.token)).token;
      if (stored !== input.token) return { source: 'store' };
      let fresh: IssuedToken;
      try {
        fresh = await this.#issued(
          this.#api({
            path: '/user/v1/refresh-token',
            token: input.token,
            schema: TokenResponseSchema,
            signal,
          }),
        );
      } catch (error) {
        const refused = hasStatus(error, 401);
        throw refused && isPastExpiry(decodeClaims(input.token), this.#now())
          ? new BalenaExpiredToken(input.token)
          : error;
      }
      if (!signal.aborted) await this.#store.set(fresh.token).catch(() => {});
      return { source: 'server', ...fresh };
    });
  }

  verifyTotp(input: WithToken & { code: string }, signal: AbortSignal): Promise<IssuedToken> {
    return this.#issued(
      this.#api({
        method: 'POST',
        path: '/auth/totp/verify',
        token: input.token,
        body: { code: input.code },
        schema: TokenResponseSchema,
        signal,
      }).catch((error: unknown) => {
        if (!hasStatus(error, 401)) throw error;
        const { body, requestOptions } = error as BalenaRequestError;
        throw new BalenaInvalidTotpCode(body, requestOptions);
      }),
    );
  }

  async fetchSetupKey(input: WithToken, signal: AbortSignal): Promise<{ secret: string }> {
    const secret = await this.#api({
      path: '/auth/totp/setup',
      token: input.token,
      schema: SetupKeyResponseSchema,
      signal,
    });
    return { secret: secret as string };
  }

  disableTwoFactor(input: WithToken & { password: string }, signal: AbortSignal): Promise<IssuedToken> {
    return this.#issued(
      this.#api({
        method: 'POST',
        path: '/auth/totp/disable',
        token: input.token,
        body: { password: input.password },
        schema: TokenResponseSchema,
        signal,
      }),
    );
  }

  async markVerificationEmailSent(input: WithToken & { userId: number }, signal: AbortSignal): Promise<void> {
    await this.#api({
      method: 'PATCH',
      path: `/v7/user(${input.userId})`,
      token: input.token,
      body: { has_been_sent_verification_email: true },
      signal,
    });
  }

  async #issued(response: Promise<unknown>): Promise<IssuedToken> {
    const token = String(await response);
    return { token, claims: decodeClaims(token), receivedAt: this.#now() };
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const store = this.#store;
    if (store.exclusive) return store.exclusive(task);
    const { run, tail } = afterPrevious(this.#ownTurn, task);
    this.#ownTurn = tail;
    return run;
  }

  #requestSessionToken(input: Credentials, signal: AbortSignal): Promise<IssuedToken> {
    return this.#issued(
      this.#api({
        method: 'POST',
        path: '/login_',
        body: { username: input.email, password: input.password },
        schema: TokenResponseSchema,
        signal,
      }).catch((error: unknown) => {
        throw loginError(error);
      }),
    );
  }
}

/**
 * One client's services.
 *
 * @example
 * const actor = createActor(authMachine, { input: { services: createAuthServices({ api, store }) } });
 */
export function createAuthServices(platform: AuthPlatform): AuthServices {
  return new AuthServices(platform);
}

/** The names of the services, each the name of the machine actor that runs it. */
export type ServiceName = Exclude<keyof AuthServices, symbol>;

function loginError(error: unknown): unknown {
  if (hasStatus(error, 401)) return new BalenaInvalidLoginCredentials();
  if (hasStatus(error, 429)) return new BalenaTooManyRequests();
  return error;
}

/** True for the server's own answer with `status`, not a redirect refused or a body too large. */
function hasStatus(error: unknown, status: number): boolean {
  return (
    error instanceof BalenaRequestError && error.code === 'BalenaRequestError' && error.statusCode === status
  );
}

/**
 * The services of the client that runs `self`: the input its root actor was created with
 * (`createActor(authMachine, { input: { services } })`). Every service actor is a child of the root.
 */
function servicesOf(self: AnyActorRef): AuthServices {
  const root = self._parent as
    | (AnyActorRef & { options?: { input?: { services?: AuthServices } } })
    | undefined;
  const services = root?.options?.input?.services;
  if (!services) {
    throw new BalenaError(
      'No services: create the client with createAuth(), or start authMachine with input: { services }',
    );
  }
  return services;
}

/** An actor that runs the client's service `name` with the invoked input. */
function service<N extends ServiceName>(name: N) {
  type Output = Awaited<ReturnType<AuthServices[N]>>;
  type Input = Parameters<AuthServices[N]>[0];
  return fromPromise<Output, Input>(({ input, signal, self }) => {
    const services = servicesOf(self);
    const run = services[name] as (this: AuthServices, input: Input, signal: AbortSignal) => Promise<Output>;
    return run.call(services, input, signal);
  });
}

/**
 * The machine's actors, shared by every client: one `fromPromise` per service, named as a verb. Each
 * finds its client's services in the input of the machine actor that invoked it, so nothing
 * platform-specific is in the machine's context or in a child of its own.
 */
export const authActors = {
  readStoredToken: service('readStoredToken'),
  saveToken: service('saveToken'),
  removeStoredToken: service('removeStoredToken'),
  loginWithPassword: service('loginWithPassword'),
  authenticate: service('authenticate'),
  register: service('register'),
  verifyEmail: service('verifyEmail'),
  fetchUser: service('fetchUser'),
  refreshToken: service('refreshToken'),
  verifyTotp: service('verifyTotp'),
  fetchSetupKey: service('fetchSetupKey'),
  disableTwoFactor: service('disableTwoFactor'),
  markVerificationEmailSent: service('markVerificationEmailSent'),
};

export type AuthActors = typeof authActors;
