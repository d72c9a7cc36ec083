/**
 * A logout wins over whatever is in flight, with every kind of token store: the memory store, the
 * Node file store, and a bare store without `exclusive` or `subscribe`. The session ends logged out,
 * the store ends empty, and the password or code of an interrupted call was sent at most once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileTokenStore } from '@balena-auth/adapter-node';
import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { type AuthClient, createAuth, memoryTokenStore, type TokenStore } from '@balena-auth/machine';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';

const HOUR_S = 3600;
const nowS = () => Math.floor(Date.now() / 1000);

let emulator: Emulator;
const directories: string[] = [];
const clients: AuthClient[] = [];
let users = 0;

beforeAll(async () => {
  emulator = await startEmulator({ loginRateLimit: false });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.stop();
  emulator.faults.clear();
});
afterAll(async () => {
  await emulator.close();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** A store with only get/set/remove, each taking a moment, as a custom store might. */
function bareStore(): TokenStore {
  let token: string | undefined;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
  return {
    get: async () => {
      await pause();
      return token;
    },
    set: async (next) => {
      await pause();
      token = next;
    },
    remove: async () => {
      await pause();
      token = undefined;
    },
  };
}

const STORES: Record<string, () => TokenStore> = {
  memory: () => memoryTokenStore(),
  file: () => {
    const directory = mkdtempSync(join(tmpdir(), 'balena-auth-logout-'));
    directories.push(directory);
    return fileTokenStore(directory);
  },
  'without exclusive': bareStore,
};

async function setUp(makeStore: () => TokenStore, twoFactor = false) {
  const user = { email: `logout-${++users}@example.com`, password: `password-${users}` };
  const created = await emulator.createUser({ ...user, twoFactor });
  const store = makeStore();
  const client = createAuth({ apiUrl: emulator.url, store });
  clients.push(client);
  await client.ready();
  emulator.clearRequests();
  return { user, store, client, created };
}

const sent = (path: string) => emulator.requests().filter((r) => r.path === path).length;

/** Logged out, nothing stored, nothing in flight — and still so a little later. */
async function expectLoggedOut(client: AuthClient, store: TokenStore) {
  await waitFor(client.actor, (s) => s.matches({ session: 'anonymous', activity: 'ready' }), {
    timeout: 3_000,
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(client.actor.getSnapshot().matches({ session: 'anonymous' })).toBe(true);
  expect(await store.get()).toBeUndefined();
  await expect(client.auth.getToken()).rejects.toMatchObject({ code: 'BalenaNotLoggedIn' });
}

describe.each(Object.entries(STORES))('logout with the %s store', (_name, makeStore) => {
  it('wins over a login in flight: logged out, the password sent once', async () => {
    const { user, store, client } = await setUp(makeStore);
    emulator.faults.next('/login_', { kind: 'delay', ms: 150 });
    const login = client.auth.login(user).then(
      () => 'resolved',
      (error: { code?: string }) => error.code,
    );
    await waitFor(client.actor, (s) => s.matches({ activity: 'loggingIn' }));
    await client.auth.logout();
    expect(await login).toBe('BalenaNotLoggedIn');
    await expectLoggedOut(client, store);
    expect(sent('/login_')).toBeLessThanOrEqual(1);
  });

  it('wins over a loginWithToken being saved', async () => {
    const { user, store, client } = await setUp(makeStore);
    const token = await emulator.sessionToken(user.email);
    const given = client.auth.loginWithToken(token).catch(() => {});
    const logout = client.auth.logout();
    await Promise.all([given, logout]);
    await expectLoggedOut(client, store);
  });

  it('wins over a refresh in flight: the refreshed token is never stored', async () => {
    const { user, store, client } = await setUp(makeStore);
    const dayOld = await emulator.sessionToken(user.email, {
      iat: nowS() - 25 * HOUR_S,
      exp: nowS() + 100 * HOUR_S,
    });
    await client.auth.loginWithToken(dayOld);
    emulator.clearRequests();
    emulator.faults.next('/user/v1/refresh-token', { kind: 'delay', ms: 150 });
    const whoami = client.auth.whoami();
    await waitFor(client.actor, (s) => s.matches({ activity: 'refreshing' }));
    await client.auth.logout();
    expect(await whoami).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expectLoggedOut(client, store);
    expect(sent('/user/v1/refresh-token')).toBeLessThanOrEqual(1);
  });

  it('wins over a 2FA challenge in flight: the code sent once', async () => {
    const { user, store, client } = await setUp(makeStore, true);
    await client.auth.login(user);
    emulator.clearRequests();
    emulator.faults.next('/auth/totp/verify', { kind: 'delay', ms: 150 });
    const challenge = client.auth.twoFactor
      .challenge(emulator.totp(user.email))
      .catch((e: { code?: string }) => e.code);
    await waitFor(client.actor, (s) => s.matches({ activity: 'verifyingTotp' }));
    await client.auth.logout();
    expect(await challenge).toBe('BalenaNotLoggedIn');
    await expectLoggedOut(client, store);
    expect(sent('/auth/totp/verify')).toBeLessThanOrEqual(1);
  });

  it('wins over a write of the store in flight', async () => {
    const { user, store, client } = await setUp(() => slowWrites(makeStore()));
    const login = client.auth.login(user).catch(() => {});
    await waitFor(client.actor, (s) => s.matches({ activity: 'saving' }), { timeout: 3_000 });
    await client.auth.logout();
    await login;
    await expectLoggedOut(client, store);
    expect(sent('/login_')).toBe(1);
  });

  it('lets a register in flight finish, and ends logged out', async () => {
    const { store, client } = await setUp(makeStore);
    emulator.faults.next('/user/register', { kind: 'delay', ms: 100 });
    const register = client.auth.register({ email: `new-${users}@example.com`, password: 'a new password' });
    await client.auth.logout();
    expect(await register).toMatch(/^eyJ/);
    await expectLoggedOut(client, store);
  });

  it('500 logins and logouts without awaiting end logged out, each password sent at most once', async () => {
    const { user, store, client } = await setUp(makeStore);
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 500; i++) {
      calls.push(client.auth.login(user).catch(() => {}));
      calls.push(client.auth.logout());
    }
    await Promise.all(calls);
    await expectLoggedOut(client, store);
    expect(sent('/login_')).toBeLessThanOrEqual(500);
  }, 30_000);
});

/** The store, with each `set` taking 100 ms, so a logout can arrive during it. */
function slowWrites(store: TokenStore): TokenStore {
  return {
    get: () => store.get(),
    set: async (token) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await store.set(token);
    },
    remove: () => store.remove(),
    ...(store.exclusive && { exclusive: store.exclusive.bind(store) }),
    ...(store.subscribe && { subscribe: store.subscribe.bind(store) }),
  };
}
