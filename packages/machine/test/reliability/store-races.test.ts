import { describe, expect, it } from 'vitest';
import { createAuth, memoryTokenStore } from '../../src/index.ts';
import { useEmulator } from '../emulated.ts';
import { isSettled } from './settled.ts';
import { describeToken } from './tokens.ts';

/**
 * Races between clients sharing one store, first found by the session property
 * (session.property.test.ts) and pinned down here as plain sequences.
 */
const env = useEmulator();
const HOUR_S = 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function dayOldAndOtherSession() {
  const user = await env.user();
  const dayOld = await env.emulator.sessionToken(user.email, {
    iat: nowSeconds() - 25 * HOUR_S,
    exp: nowSeconds() + 100 * HOUR_S,
  });
  return { user, dayOld, other: await env.emulator.sessionToken(user.email) };
}

/**
 * A transport that lets another process (the balena CLI, which takes no lock) write the store at the
 * moment the refresh request leaves; the request itself goes to the emulator unchanged.
 */
function writingDuringRefresh(store: { set(token: string): Promise<void> }, token: string) {
  const transport: typeof globalThis.fetch = async (input, init) => {
    if (String(input).endsWith('/user/v1/refresh-token')) await store.set(token);
    return globalThis.fetch(input, init);
  };
  return transport;
}

describe('a store change made by another process while a refresh is in flight', () => {
  it('is adopted when the refresh then fails, not left behind in the store', async () => {
    const { dayOld, other } = await dayOldAndOtherSession();
    const store = memoryTokenStore(dayOld);
    const { auth, actor } = await env.client({ store, fetch: writingDuringRefresh(store, other) });
    env.emulator.faults.next('/user/v1/refresh-token', { kind: 'rateLimit', retryAfterSeconds: 60 });
    await auth.isLoggedIn().catch(() => {});
    expect(describeToken(await store.get())).toBe(describeToken(other));
    await expect.poll(() => isSettled(actor.getSnapshot())).toBe(true);
    expect(describeToken(actor.getSnapshot().context.token)).toBe(describeToken(other));
    expect(describeToken(await auth.getToken())).toBe(describeToken(other));
  });

  it('is not overwritten by the refreshed token when the refresh succeeds', async () => {
    const { dayOld, other } = await dayOldAndOtherSession();
    const store = memoryTokenStore(dayOld);
    const { auth } = await env.client({ store, fetch: writingDuringRefresh(store, other) });
    expect(await auth.isLoggedIn()).toBe(true);
    expect(describeToken(await store.get())).toBe(describeToken(other));
    expect(describeToken(await auth.getToken())).toBe(describeToken(other));
  });
});

describe('two clients on one store with the client clock a day ahead of the server', () => {
  it('settle a login on one and a call on the other with a handful of requests, not a refresh/login storm', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const user = await env.user();
      const clock = { now: Date.now() + 25 * HOUR_S * 1000 };
      const store = memoryTokenStore(await env.emulator.sessionToken(user.email));
      const options = { apiUrl: env.emulator.url, store, now: () => clock.now };
      const [a, b] = [createAuth(options), createAuth(options)];
      try {
        await Promise.all([a.ready(), b.ready()]);
        env.emulator.clearRequests();
        const calls = Promise.allSettled([b.auth.login(user), a.auth.getUserInfo()]);
        let timer: NodeJS.Timeout | undefined;
        const settled = await Promise.race([
          calls.then(() => true),
          new Promise<false>((resolve) => {
            timer = setTimeout(() => resolve(false), 2_000);
          }),
        ]);
        clearTimeout(timer);
        const requests = env.emulator.requests().length;
        expect({ trial, settled, fewerThan20Requests: requests < 20 }).toEqual({
          trial,
          settled: true,
          fewerThan20Requests: true,
        });
      } finally {
        a.stop();
        b.stop();
      }
    }
  }, 15_000);
});
