import { type Actor, createActor, waitFor } from 'xstate';
import { createApiClient } from './api.ts';
import { createAuthServices } from './auth.actors.ts';
import { authMachine } from './auth.machine.ts';
import type { AuthOptions, AuthReply, AuthRequest, BalenaAuth, UserInfo } from './auth.types.ts';
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
import { isExpired, parseStoredToken, twoFactorStatus } from './token.ts';

/** A running auth client: the balena-shaped API and the actor behind it. */
export interface AuthClient {
  /** The 19 methods of balena-sdk's `sdk.auth`. */
  auth: BalenaAuth;
  /** The running statechart: `subscribe`, `getSnapshot`, `on('auth.reply')`. */
  actor: Actor<typeof authMachine>;
  /** Resolves once the stored credential has been read (the machine has left `restoring`). */
  ready(): Promise<void>;
  /** Stops the machine, its timers and the store subscription. Pending calls reject. */
  stop(): void;
}

const NOT_A_USER = 'The authentication credentials in use are not of a user';

type RequestPayload<T extends AuthRequest['type']> = Omit<Extract<AuthRequest, { type: T }>, 'type' | 'id'>;

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
  const api = createApiClient(settings);
  const store = withoutOwnEchoes(guardTokenStore(settings.store));
  const actor = createActor(authMachine, {
    input: { services: createAuthServices({ api, store, now }) },
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

  const request = <T extends AuthRequest['type']>(type: T, payload?: RequestPayload<T>): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (actor.getSnapshot().status !== 'active')
        return reject(new Error('The auth client has been stopped'));
      const id = ++lastRequestId;
      pending.set(id, { resolve, reject });
      actor.send({ type, id, at: now(), ...payload } as AuthRequest);
    });

  const ready = async () => {
    await waitFor(actor, (snapshot) => !snapshot.matches('restoring'));
  };

  /** The held token for local answers; mirrors balena-auth's getters. */
  const heldToken = async (): Promise<string> => {
    await ready();
    const { token, error } = actor.getSnapshot().context;
    if (token === undefined)
      throw error instanceof BalenaSettingsPermissionError ? error : new BalenaMalformedToken();
    if (isExpired(token, now())) throw new BalenaExpiredToken(token);
    return token;
  };

  const whoami = () => request('auth.whoami') as Promise<WhoamiResult>;
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
  const totp = (type: 'auth.totp.verify' | 'auth.totp.challenge' | 'auth.totp.enable', code: string) =>
    request(type, { code: parseInput(SecretSchema, code, 'code') });

  const auth: BalenaAuth = {
    authenticate: async (credentials) =>
      (await request(
        'auth.authenticate',
        parseInput(CredentialsSchema, credentials, 'credentials'),
      )) as string,
    login: async (credentials) => {
      await request('auth.login', parseInput(CredentialsSchema, credentials, 'credentials'));
    },
    loginWithToken: async (authToken) => {
      const token = parseInput(TokenSchema, authToken, 'authToken');
      if (parseStoredToken(token).malformed) throw new BalenaMalformedToken();
      await request('auth.loginWithToken', { token });
    },
    logout: async () => {
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
        return await heldToken();
      } catch (error) {
        throw error instanceof BalenaMalformedToken ? new BalenaNotLoggedIn() : error;
      }
    },
    register: async (credentials) =>
      (await request('auth.register', {
        credentials: parseInput(RegistrationSchema, credentials, 'credentials'),
      })) as string,
    verifyEmail: async (payload) =>
      (await request(
        'auth.verifyEmail',
        parseInput(VerificationSchema, payload, 'verificationPayload'),
      )) as string,
    requestVerificationEmail: async () => {
      const { id } = await getUserInfo();
      await request('auth.requestVerificationEmail', { userId: id });
    },
    twoFactor: {
      isEnabled: async () => twoFactorStatus(await heldToken()) !== 'not_required',
      isPassed: async () => twoFactorStatus(await heldToken()) !== 'pending',
      verify: async (code) => (await totp('auth.totp.verify', code)) as string,
      challenge: async (code) => {
        await totp('auth.totp.challenge', code);
      },
      enable: async (code) => (await totp('auth.totp.enable', code)) as string,
      getSetupKey: async () => (await request('auth.totp.getSetupKey')) as string,
      disable: async (password) =>
        (await request('auth.totp.disable', {
          password: parseInput(SecretSchema, password, 'password'),
        })) as string,
    },
  };

  return {
    auth,
    actor,
    ready,
    stop() {
      unsubscribe?.();
      actor.stop();
      for (const waiter of pending.values()) waiter.reject(new Error('The auth client has been stopped'));
      pending.clear();
    },
  };
}
