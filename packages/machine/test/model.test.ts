import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { type AuthClient, createAuth, memoryTokenStore, type TokenStore } from '../src/index.ts';
import { authModel } from './auth.model.ts';

const DAY = 24 * 60 * 60 * 1000;

/** What one walk of the model drives: a fresh client, users and clock. */
interface Walk {
  client: AuthClient;
  store: TokenStore;
  clock: { now: number };
  login?: Promise<void>;
  user: { email: string; password: string };
  twoFactorUser: { email: string; password: string };
}

let emulator: Emulator;
let walks = 0;
let walk: Walk;
let emulatorClock = Date.now();

beforeAll(async () => {
  emulator = await startEmulator({ now: () => emulatorClock, loginRateLimit: false });
});
afterAll(async () => {
  walk?.client.stop();
  await emulator.close();
});

async function newWalk(stored?: (w: Omit<Walk, 'client' | 'store'>) => Promise<string>) {
  walk?.client.stop();
  emulatorClock = Date.now();
  const n = ++walks;
  const user = { email: `model-${n}@example.com`, password: 'model-password-1' };
  const twoFactorUser = { email: `model-2fa-${n}@example.com`, password: 'model-password-2' };
  await emulator.createUser(user);
  await emulator.createUser({ ...twoFactorUser, twoFactor: true });
  const clock = { now: Date.now() };
  const partial = { clock, user, twoFactorUser };
  const store = memoryTokenStore(stored ? await stored(partial) : undefined);
  const client = createAuth({ apiUrl: emulator.url, store, now: () => clock.now });
  walk = { ...partial, client, store };
}

const forged = async (w: Omit<Walk, 'client' | 'store'>) =>
  `${await emulator.sessionToken(w.user.email)}forged`;
const topLevel = (value: unknown) => (typeof value === 'string' ? value : Object.keys(value as object)[0]);

/** What must hold in the real client in each model state. */
const states = {
  restoring: async () => {
    walk?.client.stop();
    const fresh = createAuth({ apiUrl: emulator.url, store: memoryTokenStore() });
    expect(fresh.actor.getSnapshot().matches('restoring')).toBe(true);
    fresh.stop();
  },
  anonymous: async () => {
    await walk.client.ready();
    expect(walk.client.actor.getSnapshot().matches('anonymous')).toBe(true);
    await expect(walk.client.auth.getToken()).rejects.toMatchObject({ code: 'BalenaNotLoggedIn' });
    expect(await walk.store.get()).toBeUndefined();
  },
  authenticating: async () => {
    expect(walk.client.actor.getSnapshot().matches('authenticating')).toBe(true);
  },
  awaitingTwoFactor: async () => {
    expect(walk.client.actor.getSnapshot().matches('awaitingTwoFactor')).toBe(true);
    expect(await walk.client.auth.twoFactor.isPassed()).toBe(false);
    expect(await walk.store.get()).toBe(await walk.client.auth.getToken());
  },
  'unverified.genuine': async () => {
    await walk.client.ready();
    expect(walk.client.actor.getSnapshot().matches({ unverified: 'idle' })).toBe(true);
    expect(await walk.store.get()).toBe(await walk.client.auth.getToken());
  },
  'unverified.forged': async () => {
    await walk.client.ready();
    expect(walk.client.actor.getSnapshot().matches({ unverified: 'idle' })).toBe(true);
  },
  'unverified.rejected': async () => {
    expect(walk.client.actor.getSnapshot().matches({ unverified: 'rejected' })).toBe(true);
    expect(await walk.store.get()).toBe(await walk.client.auth.getToken());
  },
  authenticated: async () => {
    expect(walk.client.actor.getSnapshot().matches('authenticated')).toBe(true);
    expect(await walk.client.auth.twoFactor.isPassed()).toBe(true);
    expect(await walk.store.get()).toBe(await walk.client.auth.getToken());
  },
};

const startLogin = async (credentials: { email: string; password: string }) => {
  await walk.client.ready();
  emulator.faults.next('/login_', { kind: 'delay', ms: 30 });
  walk.login = walk.client.auth.login(credentials);
  walk.login.catch(() => {});
  await waitFor(walk.client.actor, (s) => s.matches('authenticating'));
};

/** How each model event is driven on the real client. */
const events = {
  START_EMPTY: () => newWalk(),
  START_WITH_SESSION: () => newWalk((w) => emulator.sessionToken(w.user.email)),
  START_WITH_FORGED_TOKEN: () => newWalk(forged),
  START_WITH_PENDING_2FA: () =>
    newWalk((w) => emulator.sessionToken(w.twoFactorUser.email, { twoFactorRequired: true })).then(() =>
      walk.client.ready(),
    ),
  LOGIN: () => startLogin(walk.user),
  LOGIN_2FA_USER: () => startLogin(walk.twoFactorUser),
  LOGIN_WRONG_PASSWORD: () => startLogin({ ...walk.user, password: 'not-the-password' }),
  SERVER_ANSWERS: async () => {
    await walk.login?.catch((error) =>
      expect(error).toMatchObject({ code: 'BalenaInvalidLoginCredentials' }),
    );
  },
  LOGIN_WITH_API_KEY: async () => {
    await walk.client.auth.loginWithToken(await emulator.createApiKey(walk.user.email));
  },
  LOGIN_WITH_FORGED_TOKEN: async () => {
    await walk.client.auth.loginWithToken(await forged(walk));
  },
  WHOAMI: async () => {
    const snapshot = walk.client.actor.getSnapshot();
    const expectLoggedIn = snapshot.matches('authenticated') || snapshot.matches({ unverified: 'idle' });
    const forgedToken =
      snapshot.matches('unverified') && (await walk.client.auth.getToken()).endsWith('forged');
    expect(await walk.client.auth.isLoggedIn()).toBe(expectLoggedIn && !forgedToken);
  },
  CHALLENGE: async () => {
    await walk.client.auth.twoFactor.challenge(emulator.totp(walk.twoFactorUser.email));
  },
  CHALLENGE_WRONG_CODE: async () => {
    const code = emulator.totp(walk.twoFactorUser.email) === '000000' ? '111111' : '000000';
    await expect(walk.client.auth.twoFactor.challenge(code)).rejects.toMatchObject({ statusCode: 401 });
  },
  LOGOUT: () => walk.client.auth.logout(),
  SIGNED_OUT_ELSEWHERE: async () => {
    const other = createAuth({ apiUrl: emulator.url, store: walk.store });
    await other.auth.logout();
    other.stop();
    await waitFor(walk.client.actor, (s) => s.matches('anonymous'));
  },
  DAY_PASSES: async () => {
    walk.clock.now += DAY + 1000;
    emulatorClock += DAY + 1000;
    const before = (await walk.client.auth.getToken()) as string;
    emulator.clearRequests();
    expect(await walk.client.auth.isLoggedIn()).toBe(true);
    const refreshes = emulator.requests().filter((r) => r.path === '/user/v1/refresh-token');
    expect(refreshes.length).toBe(before.includes('.') ? 1 : 0);
  },
  SERVER_FAILS: async () => {
    const before = await walk.store.get();
    emulator.faults.next('/actor/v1/whoami', { kind: 'status', status: 503, body: 'Service Unavailable' });
    await expect(walk.client.auth.isLoggedIn()).rejects.toMatchObject({ statusCode: 503 });
    expect(await walk.store.get()).toBe(before);
  },
};

const model = createTestModel(authModel);
const TOP_LEVEL_STATES = [
  'anonymous',
  'authenticated',
  'authenticating',
  'awaitingTwoFactor',
  'restoring',
  'unverified',
];
const MODEL_EVENTS = Object.keys(events).sort();
/** Shortest paths to every (state, incoming event) pair: every transition, self-loops included. */
const shortest = model.getShortestPaths({
  serializeState: (state, event) => `${JSON.stringify(state.value)} via ${event?.type ?? 'start'}`,
  limit: 5_000,
});
/** Every simple path over state values. */
const simple = model.getSimplePaths({ serializeState: (state) => JSON.stringify(state.value), limit: 5_000 });
const visitedStates = (paths: typeof shortest) =>
  [
    ...new Set(paths.flatMap((p) => [p.state, ...p.steps.map((s) => s.state)].map((s) => topLevel(s.value)))),
  ].sort();
const usedEvents = (paths: typeof shortest) =>
  [...new Set(paths.flatMap((p) => p.steps.map((s) => s.event.type)))]
    .filter((t) => t !== 'xstate.init')
    .sort();

describe(`model-based: ${shortest.length} shortest paths (one per state and incoming event)`, () => {
  it('visit every top-level state and use every model event', () => {
    expect(visitedStates(shortest)).toEqual(TOP_LEVEL_STATES);
    expect(usedEvents(shortest)).toEqual(MODEL_EVENTS);
  });
  for (const path of shortest) {
    it(path.description, async () => {
      await path.test({ states, events });
    });
  }
});

describe(`model-based: ${simple.length} simple paths over state values`, () => {
  it('visit every top-level state', () => {
    expect(visitedStates(simple)).toEqual(TOP_LEVEL_STATES);
  });
  for (const path of simple) {
    it(path.description, async () => {
      await path.test({ states, events });
    });
  }
});

export const pathCounts = { shortest: shortest.length, simple: simple.length };
