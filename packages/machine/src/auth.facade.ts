import { type Actor, createActor, type SnapshotFrom, waitFor } from 'xstate';
import { createApiClient } from './api.ts';
import { createAppApi } from './app-api.ts';
import { createAuthServices } from './auth.actors.ts';
import { authMachine } from './auth.machine.ts';
import type { RequestResult, RequestTable, RequestType } from './auth.requests.ts';
import { createSessionView } from './auth.session.ts';
import type {
  AuthApi,
  AuthChangeEvent,
  AuthOptions,
  AuthReply,
  AuthRequest,
  AuthSession,
  BalenaAuth,
  BalenaTwoFactor,
  TokenStore,
  UserInfo,
} from './auth.types.ts';
import { BOUND, type BoundMethods, boundMethods, replacedBy } from './bound-methods.ts';
import {
  BalenaExpiredToken,
  BalenaMalformedToken,
  BalenaNotLoggedIn,
  BalenaSettingsPermissionError,
} from './errors.ts';
import { guardInspector } from './inspector-guard.ts';
import { type ValidatedAuthOptions, validateAuthOptions } from './options.ts';
import { withoutOwnEchoes } from './own-writes.ts';
import {
  CredentialsSchema,
  parseInput,
  RegistrationSchema,
  SecretSchema,
  TokenSchema,
  VerificationSchema,
  type WhoamiResult,
} from './schemas.ts';
import { guardTokenStore } from './store-guard.ts';
import { decodeClaims, isPastExpiry, parseStoredToken, twoFactorStatusOf } from './token.ts';

/** A running auth client: the balena-shaped API and the actor behind it. */
export interface AuthClient {
  /** The 19 methods of balena-sdk's `sdk.auth`. */
  auth: BalenaAuth;
  /** The running statechart: `subscribe`, `getSnapshot`, `on('auth.reply')`. */
  actor: Actor<typeof authMachine>;
  /** Resolves once the stored credential has been read (the machine has left `restoring`). */
  ready(): Promise<void>;
  /** Stops the machine, its timers, the store subscription and every `onAuthStateChange` listener. Pending calls reject. */
  stop(): void;
  /**
   * An ofetch instance for the rest of the balena API on `apiUrl`'s origin. It sends the held
   * credential as `Authorization: Bearer …` (none when signed out), refreshes a day-old session
   * token first through the same single refresh as the auth methods, rejects `BalenaExpiredToken`
   * for an expired one without sending anything, refuses any URL on another origin
   * (`BalenaForeignOriginError`), and tells the machine when the server answers 401 to a session
   * token (the session becomes `signedOut`). API keys are never refreshed.
   *
   * @example
   * const { d } = await client.api<{ d: { uuid: string }[] }>('/v7/device', { query: { $select: 'uuid' } });
   */
  api: AuthApi;
  /**
   * The session as apps render it: `restoring`, `signedOut`, `twoFactorRequired`, or `signedIn`
   * with the `user` once the server confirmed it. The same object until something changes.
   *
   * @example
   * if (client.getSession().status === 'signedOut') showLoginForm();
   */
  getSession(): AuthSession;
  /**
   * Calls `listener` with `INITIAL_SESSION` once the stored session has been read, then with every
   * change (`SIGNED_IN`, `SIGNED_OUT`, `TWO_FACTOR_REQUIRED`, `TOKEN_REFRESHED`, `USER_UPDATED`),
   * including changes made by another tab or process. Listeners run after the change, are never
   * awaited, and cannot break the client by throwing. While one is subscribed, a held credential
   * whose user is unknown is confirmed with one whoami. Returns the unsubscribe function.
   *
   * @example
   * const unsubscribe = client.onAuthStateChange((event, session) => {
   *   if (session.status === 'signedIn') console.log(event, session.user?.username);
   * });
   */
  onAuthStateChange(listener: (event: AuthChangeEvent, session: AuthSession) => void): () => void;
}

const NOT_A_USER = 'The authentication credentials in use are not of a user';
const STOPPED = 'The auth client has been stopped';

type Waiter = { resolve(value: unknown): void; reject(error: unknown): void };
type RequestArguments<T extends RequestType> = object extends RequestTable[T]['payload']
  ? []
  : [RequestTable[T]['payload']];

/**
 * Creates an auth client: the statechart running with the given store and API, behind a facade
 * with balena-sdk's `auth` methods.
 *
 * @example
 * import { createAuth, memoryTokenStore } from '@balena-auth/machine';
 * const { auth, ready } = createAuth({ apiUrl: 'https://api.balena-cloud.com', store: memoryTokenStore() });
 * await ready();
 * await auth.login({ email: 'me@example.com', password: 'secret' });
 * console.log(await auth.whoami());
 */
export function createAuth(options: AuthOptions): AuthClient {
  return new RunningAuthClient(validateAuthOptions(options));
}

/**
 * One running client. What every client has in common (the methods) is on the prototypes; a client
 * holds its actor, store, settings and what it is waiting for. The public members are own,
 * enumerable properties (accessors shared by every client, see `boundMethods`), so
 * `const { auth, ready } = createAuth(…)`, `{ ...client }` and `onClick={auth.logout}` all work,
 * and an idle client carries no function of its own.
 */
class RunningAuthClient implements AuthClient {
  declare readonly auth: BalenaAuth;
  declare readonly api: AuthApi;
  readonly actor: Actor<typeof authMachine>;
  readonly #settings: ValidatedAuthOptions;
  readonly #store: TokenStore;
  readonly #unsubscribe: (() => void) | undefined;
  #pending: Map<number, Waiter> | undefined;
  #lastRequestId = 0;
  #auth: AuthMethods | undefined;
  #session: SessionView | undefined;
  #watching: { unsubscribe(): void } | undefined;
  #api: AuthApi | undefined;
  declare [BOUND]?: BoundMethods;

  static readonly #members: PropertyDescriptorMap = {
    auth: {
      enumerable: true,
      configurable: true,
      get(this: RunningAuthClient) {
        this.#auth ??= new AuthMethods(this);
        return this.#auth;
      },
      set: replacedBy('auth'),
    },
    api: {
      enumerable: true,
      configurable: true,
      get(this: RunningAuthClient) {
        return this.#appApi();
      },
      set: replacedBy('api'),
    },
    ...boundMethods(RunningAuthClient.prototype, ['ready', 'stop', 'getSession', 'onAuthStateChange']),
  };

  constructor(settings: ValidatedAuthOptions) {
    Object.defineProperties(this, RunningAuthClient.#members);
    this.#settings = settings;
    const store = withoutOwnEchoes(guardTokenStore(settings.store));
    this.#store = store;
    const api = createApiClient(settings);
    const actor = createActor(authMachine, {
      input: { services: createAuthServices({ api, store, now: settings.now }) },
      inspect: guardInspector(settings.inspect),
    });
    this.actor = actor;
    actor.on('auth.reply', (reply: AuthReply) => this.#settle(reply));
    this.#unsubscribe = store.subscribe?.((token) => actor.send({ type: 'store.changed', token }));
    actor.start();
  }

  #appApi(): AuthApi {
    const { apiUrl, fetch, requestTimeoutMs } = this.#settings;
    this.#api ??= createAppApi({
      apiUrl,
      fetch,
      requestTimeoutMs,
      credential: () => this.request('auth.credential'),
      rejected: (token) => {
        this.request('auth.credentialRejected', { token }).catch(() => {});
      },
    });
    return this.#api;
  }

  async ready(): Promise<void> {
    const restoring = (snapshot: SnapshotFrom<typeof authMachine>) =>
      snapshot.matches({ session: 'restoring' });
    if (restoring(this.actor.getSnapshot())) await waitFor(this.actor, (snapshot) => !restoring(snapshot));
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#watching?.unsubscribe();
    this.#session?.clear();
    this.actor.stop();
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) for (const waiter of pending.values()) waiter.reject(new Error(STOPPED));
  }

  getSession(): AuthSession {
    return this.#sessionView().get();
  }

  onAuthStateChange(listener: (event: AuthChangeEvent, session: AuthSession) => void): () => void {
    return this.#sessionView().listen(listener);
  }

  /** Sends request `type` to the machine and resolves or rejects with its `auth.reply`. */
  request<T extends RequestType>(type: T, ...[payload]: RequestArguments<T>): Promise<RequestResult<T>> {
    return new Promise((resolve, reject) => {
      if (this.actor.getSnapshot().status !== 'active') return reject(new Error(STOPPED));
      const id = ++this.#lastRequestId;
      this.#pending ??= new Map();
      this.#pending.set(id, { resolve: resolve as Waiter['resolve'], reject });
      this.actor.send({ type, id, at: this.#settings.now(), ...payload } as AuthRequest);
    });
  }

  /** The held token and its claims for local answers; mirrors balena-auth's getters. */
  async heldToken() {
    await this.ready();
    const { token, claims, error } = this.actor.getSnapshot().context;
    if (token === undefined)
      throw error instanceof BalenaSettingsPermissionError ? error : new BalenaMalformedToken();
    if (isPastExpiry(claims, this.#settings.now())) throw new BalenaExpiredToken(token);
    return { token, claims };
  }

  /**
   * The whoami answer: at once when the chart would give it at once (ready, nothing queued, the
   * user cached: its `hasUser` transition), read off the snapshot without a round trip through the
   * actor; otherwise a request.
   */
  whoami(): Promise<WhoamiResult> {
    const snapshot = this.actor.getSnapshot();
    const { user, queue } = snapshot.context;
    return user !== undefined && queue.length === 0 && snapshot.matches({ activity: 'ready' })
      ? Promise.resolve(user)
      : this.request('auth.whoami');
  }

  /** Removes the stored token of a stopped client (its machine can no longer do it). */
  removeStoredToken(): Promise<void> {
    return this.#store.remove();
  }

  #settle(reply: AuthReply): void {
    const waiter = this.#pending?.get(reply.id);
    if (!waiter) return;
    this.#pending?.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(reply.error);
  }

  // The session view is made on first use: an idle client pays for none.
  #sessionView(): SessionView {
    if (this.#session) return this.#session;
    const view = createSessionView(this.actor.getSnapshot(), () => {
      this.auth.whoami().catch(() => {});
    });
    this.#watching = this.actor.subscribe((snapshot) => view.update(snapshot));
    this.#session = view;
    return view;
  }
}

type SessionView = ReturnType<typeof createSessionView>;

/** balena-sdk's `auth` namespace over one client. */
class AuthMethods implements BalenaAuth {
  declare readonly twoFactor: BalenaTwoFactor;
  readonly #client: RunningAuthClient;
  #twoFactor: TwoFactorMethods | undefined;
  declare [BOUND]?: BoundMethods;

  static readonly #members: PropertyDescriptorMap = {
    twoFactor: {
      enumerable: true,
      configurable: true,
      get(this: AuthMethods) {
        this.#twoFactor ??= new TwoFactorMethods(this.#client);
        return this.#twoFactor;
      },
      set: replacedBy('twoFactor'),
    },
    ...boundMethods(AuthMethods.prototype),
  };

  constructor(client: RunningAuthClient) {
    Object.defineProperties(this, AuthMethods.#members);
    this.#client = client;
  }

  async authenticate(credentials: { email: string; password: string }): Promise<string> {
    return this.#client.request(
      'auth.authenticate',
      parseInput(CredentialsSchema, credentials, 'credentials'),
    );
  }

  async login(credentials: { email: string; password: string }): Promise<void> {
    await this.#client.request('auth.login', parseInput(CredentialsSchema, credentials, 'credentials'));
  }

  async loginWithToken(authToken: string): Promise<void> {
    const token = parseInput(TokenSchema, authToken, 'authToken');
    if (parseStoredToken(token).malformed) throw new BalenaMalformedToken();
    await this.#client.request('auth.loginWithToken', { token, claims: decodeClaims(token) });
  }

  async logout(): Promise<void> {
    const client = this.#client;
    if (client.actor.getSnapshot().status !== 'active') {
      await client.removeStoredToken().catch(() => {});
      return;
    }
    await client.request('auth.logout');
  }

  async isLoggedIn(): Promise<boolean> {
    try {
      await this.#client.request('auth.isLoggedIn');
      return true;
    } catch (error) {
      if (error instanceof BalenaNotLoggedIn || error instanceof BalenaExpiredToken) return false;
      throw error;
    }
  }

  async whoami(): Promise<WhoamiResult | undefined> {
    try {
      return await this.#client.whoami();
    } catch (error) {
      if (error instanceof BalenaNotLoggedIn) return undefined;
      throw error;
    }
  }

  async getActorId(): Promise<number> {
    return (await this.#client.whoami()).id;
  }

  async getUserInfo(): Promise<UserInfo> {
    const actorInfo = await this.#client.whoami();
    if (actorInfo.actorType !== 'user') throw new Error(NOT_A_USER);
    return {
      id: actorInfo.actorTypeId,
      actor: actorInfo.id,
      email: actorInfo.email,
      username: actorInfo.username,
    };
  }

  async getToken(): Promise<string> {
    try {
      return (await this.#client.heldToken()).token;
    } catch (error) {
      throw error instanceof BalenaMalformedToken ? new BalenaNotLoggedIn() : error;
    }
  }

  async register(credentials: {
    email: string;
    password: string;
    'g-recaptcha-response'?: string;
  }): Promise<string> {
    return this.#client.request('auth.register', {
      credentials: parseInput(RegistrationSchema, credentials, 'credentials'),
    });
  }

  async verifyEmail(verificationPayload: { email: string; token: string }): Promise<string> {
    return this.#client.request(
      'auth.verifyEmail',
      parseInput(VerificationSchema, verificationPayload, 'verificationPayload'),
    );
  }

  async requestVerificationEmail(): Promise<void> {
    const { id } = await this.getUserInfo();
    await this.#client.request('auth.requestVerificationEmail', { userId: id });
  }
}

/** balena-sdk's `auth.twoFactor` over one client. */
class TwoFactorMethods implements BalenaTwoFactor {
  readonly #client: RunningAuthClient;
  declare [BOUND]?: BoundMethods;

  constructor(client: RunningAuthClient) {
    Object.defineProperties(this, TWO_FACTOR_MEMBERS);
    this.#client = client;
  }

  async isEnabled(): Promise<boolean> {
    return twoFactorStatusOf((await this.#client.heldToken()).claims) !== 'not_required';
  }

  async isPassed(): Promise<boolean> {
    return twoFactorStatusOf((await this.#client.heldToken()).claims) !== 'pending';
  }

  async verify(code: string): Promise<string> {
    return this.#client.request('auth.totp.verify', { code: parseInput(SecretSchema, code, 'code') });
  }

  async challenge(code: string): Promise<void> {
    return this.#client.request('auth.totp.challenge', { code: parseInput(SecretSchema, code, 'code') });
  }

  async enable(code: string): Promise<string> {
    return this.#client.request('auth.totp.enable', { code: parseInput(SecretSchema, code, 'code') });
  }

  async getSetupKey(): Promise<string> {
    return this.#client.request('auth.totp.getSetupKey');
  }

  async disable(password: string): Promise<string> {
    return this.#client.request('auth.totp.disable', {
      password: parseInput(SecretSchema, password, 'password'),
    });
  }
}

const TWO_FACTOR_MEMBERS = boundMethods(TwoFactorMethods.prototype);
