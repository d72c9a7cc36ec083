import { type Actor, createActor, waitFor } from 'xstate';
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
  UserInfo,
} from './auth.types.ts';
import {
  BalenaExpiredToken,
  BalenaMalformedToken,
  BalenaNotLoggedIn,
  BalenaSettingsPermissionError,
} from './errors.ts';
import { guardInspector } from './inspector-guard.ts';
import { validateAuthOptions } from './options.ts';
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
  const settings = validateAuthOptions(options);
  const { now } = settings;
  const authApi = createApiClient(settings);
  const store = withoutOwnEchoes(guardTokenStore(settings.store));
  const actor = createActor(authMachine, {
    input: { services: createAuthServices({ api: authApi, store, now }) },
    inspect: guardInspector(settings.inspect),
  });

  const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  let lastRequestId = 0;
  actor.on('auth.reply', (reply: AuthReply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(reply.error);
  });
  const unsubscribe = store.subscribe?.((token) => actor.send({ type: 'store.changed', token }));
  actor.start();

  const request = <T extends RequestType>(
    type: T,
    ...[payload]: object extends RequestTable[T]['payload'] ? [] : [RequestTable[T]['payload']]
  ): Promise<RequestResult<T>> =>
    new Promise((resolve, reject) => {
      if (actor.getSnapshot().status !== 'active')
        return reject(new Error('The auth client has been stopped'));
      const id = ++lastRequestId;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      actor.send({ type, id, at: now(), ...payload } as AuthRequest);
    });

  const isRestoring = (snapshot = actor.getSnapshot()) => snapshot.matches({ session: 'restoring' });
  const ready = async () => {
    if (isRestoring()) await waitFor(actor, (snapshot) => !isRestoring(snapshot));
  };

  /** The held token for local answers; mirrors balena-auth's getters. */
  const heldToken = async () => {
    await ready();
    const { token, claims, error } = actor.getSnapshot().context;
    if (token === undefined)
      throw error instanceof BalenaSettingsPermissionError ? error : new BalenaMalformedToken();
    if (isPastExpiry(claims, now())) throw new BalenaExpiredToken(token);
    return { token, claims };
  };

  /**
   * The whoami answer the chart gives at once (ready, nothing queued, the user cached: its
   * `hasUser` transition), read off the snapshot without a round trip through the actor.
   */
  const cachedUser = () => {
    const snapshot = actor.getSnapshot();
    const { user, queue } = snapshot.context;
    return user !== undefined && queue.length === 0 && snapshot.matches({ activity: 'ready' })
      ? user
      : undefined;
  };
  const whoami = (): Promise<WhoamiResult> => {
    const user = cachedUser();
    return user ? Promise.resolve(user) : request('auth.whoami');
  };
  const getUserInfo = async (): Promise<UserInfo> => {
    const actorInfo = await whoami();
    if (actorInfo.actorType !== 'user') throw new Error(NOT_A_USER);
    return {
      id: actorInfo.actorTypeId,
      actor: actorInfo.id,
      email: actorInfo.email,
      username: actorInfo.username,
    };
  };
  const auth: BalenaAuth = {
    authenticate: async (credentials) =>
      request('auth.authenticate', parseInput(CredentialsSchema, credentials, 'credentials')),
    login: async (credentials) => {
      await request('auth.login', parseInput(CredentialsSchema, credentials, 'credentials'));
    },
    loginWithToken: async (authToken) => {
      const token = parseInput(TokenSchema, authToken, 'authToken');
      if (parseStoredToken(token).malformed) throw new BalenaMalformedToken();
      await request('auth.loginWithToken', { token, claims: decodeClaims(token) });
    },
    logout: async () => {
      if (actor.getSnapshot().status !== 'active') {
        await store.remove().catch(() => {});
        return;
      }
      await request('auth.logout');
    },
    isLoggedIn: async () => {
      try {
        await request('auth.isLoggedIn');
        return true;
      } catch (error) {
        if (error instanceof BalenaNotLoggedIn || error instanceof BalenaExpiredToken) return false;
        throw error;
      }
    },
    whoami: async () => {
      try {
        return await whoami();
      } catch (error) {
        if (error instanceof BalenaNotLoggedIn) return undefined;
        throw error;
      }
    },
    getActorId: async () => (await whoami()).id,
    getUserInfo,
    getToken: async () => {
      try {
        return (await heldToken()).token;
      } catch (error) {
        throw error instanceof BalenaMalformedToken ? new BalenaNotLoggedIn() : error;
      }
    },
    register: async (credentials) =>
      request('auth.register', { credentials: parseInput(RegistrationSchema, credentials, 'credentials') }),
    verifyEmail: async (payload) =>
      request('auth.verifyEmail', parseInput(VerificationSchema, payload, 'verificationPayload')),
    requestVerificationEmail: async () => {
      const { id } = await getUserInfo();
      await request('auth.requestVerificationEmail', { userId: id });
    },
    twoFactor: {
      isEnabled: async () => twoFactorStatusOf((await heldToken()).claims) !== 'not_required',
      isPassed: async () => twoFactorStatusOf((await heldToken()).claims) !== 'pending',
      verify: async (code) => request('auth.totp.verify', { code: parseInput(SecretSchema, code, 'code') }),
      challenge: async (code) =>
        request('auth.totp.challenge', { code: parseInput(SecretSchema, code, 'code') }),
      enable: async (code) => request('auth.totp.enable', { code: parseInput(SecretSchema, code, 'code') }),
      getSetupKey: async () => request('auth.totp.getSetupKey'),
      disable: async (password) =>
        request('auth.totp.disable', { password: parseInput(SecretSchema, password, 'password') }),
    },
  };

  // The session view and client.api are made on first use: an idle client pays for neither.
  let session: ReturnType<typeof createSessionView> | undefined;
  let watching: { unsubscribe(): void } | undefined;
  const sessionView = () => {
    if (session) return session;
    const view = createSessionView(actor.getSnapshot(), () => {
      auth.whoami().catch(() => {});
    });
    watching = actor.subscribe((snapshot) => view.update(snapshot));
    session = view;
    return view;
  };
  let api: AuthApi | undefined;

  return {
    auth,
    actor,
    ready,
    get api() {
      api ??= createAppApi({
        apiUrl: settings.apiUrl,
        fetch: settings.fetch,
        requestTimeoutMs: settings.requestTimeoutMs,
        credential: () => request('auth.credential'),
        rejected: (token) => {
          request('auth.credentialRejected', { token }).catch(() => {});
        },
      });
      return api;
    },
    getSession: () => sessionView().get(),
    onAuthStateChange: (listener) => sessionView().listen(listener),
    stop() {
      unsubscribe?.();
      watching?.unsubscribe();
      session?.clear();
      actor.stop();
      for (const waiter of pending.values()) waiter.reject(new Error('The auth client has been stopped'));
      pending.clear();
    },
  };
}
