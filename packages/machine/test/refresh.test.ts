import { describe, expect, it } from 'vitest';
import { memoryTokenStore } from '../src/index.ts';
import { decodeClaims } from '../src/testing.ts';
import { useEmulator } from './emulated.ts';

const env = useEmulator();
const HOUR_S = 3600;

async function dayOldSession() {
  const user = await env.user();
  const now = Math.floor(Date.now() / 1000);
  return env.emulator.sessionToken(user.email, { iat: now - 25 * HOUR_S, exp: now + 100 * HOUR_S });
}

const refreshRequests = () => env.emulator.requests().filter((r) => r.path === '/user/v1/refresh-token');

describe('token refresh', () => {
  it('20 concurrent authenticated calls with a 25-hour-old JWT make exactly one refresh request', async () => {
    const stale = await dayOldSession();
    const { auth, store } = await env.client({ stored: stale });
    env.emulator.clearRequests();
    const calls = [
      ...Array.from({ length: 10 }, () => auth.isLoggedIn()),
      ...Array.from({ length: 5 }, () => auth.whoami()),
      ...Array.from({ length: 5 }, () => auth.getUserInfo()),
    ];
    const results = await Promise.all(calls);
    expect(results.slice(0, 10)).toEqual(Array(10).fill(true));
    expect(refreshRequests()).toHaveLength(1);
    expect(refreshRequests()[0].status).toBe(200);
    const fresh = (await store.get()) as string;
    expect(fresh).not.toBe(stale);
    expect(decodeClaims(fresh)?.iat).toBeGreaterThan(decodeClaims(stale)?.iat as number);
  });

  it('sends the refreshed token on the request that needed the refresh', async () => {
    const { auth, store, actor } = await env.client({ stored: await dayOldSession() });
    const states: unknown[] = [];
    actor.subscribe((snapshot) => {
      if (JSON.stringify(states.at(-1)) !== JSON.stringify(snapshot.value)) states.push(snapshot.value);
    });
    env.emulator.clearRequests();
    expect(await auth.isLoggedIn()).toBe(true);
    expect(states).toEqual([
      { session: { unverified: 'pending' }, activity: 'refreshing' },
      { session: { unverified: 'pending' }, activity: 'fetchingUser' },
      { session: 'authenticated', activity: { ready: 'idle' } },
    ]);
    expect(env.emulator.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /user/v1/refresh-token 200',
      'GET /actor/v1/whoami 200',
    ]);
    expect(await auth.getToken()).toBe(await store.get());
  });

  it('two clients on one store with a day-old token make one refresh between them', async () => {
    const stale = await dayOldSession();
    const shared = memoryTokenStore(stale);
    const first = await env.client({ store: shared });
    const second = await env.client({ store: shared });
    env.emulator.clearRequests();
    expect(await Promise.all([first.auth.isLoggedIn(), second.auth.isLoggedIn()])).toEqual([true, true]);
    expect(refreshRequests()).toHaveLength(1);
    const stored = await shared.get();
    expect(stored).not.toBe(stale);
    expect(await first.auth.getToken()).toBe(stored);
    expect(await second.auth.getToken()).toBe(stored);
  });

  it('a refresh in flight when logout happens never writes its token back', async () => {
    const { auth, store } = await env.client({ stored: await dayOldSession() });
    env.emulator.faults.next('/user/v1/refresh-token', { kind: 'delay', ms: 50 });
    const check = auth.isLoggedIn();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await auth.logout();
    expect(await check).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.get()).toBeUndefined();
  });

  it('a refresh refused (401) for an expired day-old token deletes the stored token', async () => {
    const user = await env.user();
    const now = Math.floor(Date.now() / 1000);
    const expired = await env.emulator.sessionToken(user.email, {
      iat: now - 30 * HOUR_S,
      exp: now - HOUR_S,
    });
    const { auth, store, actor } = await env.client({ stored: expired });
    env.emulator.clearRequests();
    expect(await auth.isLoggedIn()).toBe(false);
    expect(refreshRequests().map((r) => r.status)).toEqual([401]);
    expect(await store.get()).toBeUndefined();
    expect(actor.getSnapshot().value).toEqual({ session: 'anonymous', activity: { ready: 'idle' } });
  });

  it('never refreshes an API key', async () => {
    const { auth } = await env.client();
    await auth.loginWithToken(await env.emulator.createApiKey((await env.user()).email));
    env.emulator.clearRequests();
    await auth.isLoggedIn();
    expect(refreshRequests()).toHaveLength(0);
  });

  it('with the client clock a day ahead of the server, a token the server just issued is not refreshed', async () => {
    const clock = { now: Date.now() + 25 * HOUR_S * 1000 };
    const user = await env.user();
    const { auth } = await env.client({ now: () => clock.now });
    await auth.login(user);
    env.emulator.clearRequests();
    for (let i = 0; i < 5; i++) expect(await auth.isLoggedIn()).toBe(true);
    expect(refreshRequests()).toHaveLength(0);
  });

  it('with the client clock a day ahead, a restored token is refreshed once, then the skew is known', async () => {
    const clock = { now: Date.now() + 25 * HOUR_S * 1000 };
    const user = await env.user();
    const { auth } = await env.client({
      now: () => clock.now,
      stored: await env.emulator.sessionToken(user.email),
    });
    env.emulator.clearRequests();
    for (let i = 0; i < 5; i++) expect(await auth.isLoggedIn()).toBe(true);
    expect(refreshRequests()).toHaveLength(1);
  });
});
