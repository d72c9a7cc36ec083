import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { $Fetch } from 'ofetch';
import { describe, expect, it } from 'vitest';
import {
  type AuthChangeEvent,
  type AuthSession,
  BalenaForeignOriginError,
  BalenaInvalidTotpCode,
  BalenaRequestError,
  memoryTokenStore,
  totpUri,
} from '../src/index.ts';
import { useEmulator } from './emulated.ts';

const env = useEmulator();
const HOUR_S = 3600;
const nowS = () => Math.floor(Date.now() / 1000);
const dayOld = (email: string) =>
  env.emulator.sessionToken(email, { iat: nowS() - 25 * HOUR_S, exp: nowS() + 100 * HOUR_S });

/** Every call a listener got, in order. */
function recorder() {
  const calls: { event: AuthChangeEvent; session: AuthSession }[] = [];
  const listener = (event: AuthChangeEvent, session: AuthSession) => {
    calls.push({ event, session });
  };
  return { calls, listener, events: () => calls.map((c) => c.event) };
}
const until = (check: () => boolean) => expect.poll(check, { timeout: 2_000, interval: 10 }).toBe(true);

describe('client.api', () => {
  it('GET /actor/v1/whoami through client.api deep-equals auth.whoami() after login', async () => {
    const user = await env.user();
    const { auth, api } = await env.client();
    await auth.login(user);
    expect(await api('/actor/v1/whoami')).toEqual(await auth.whoami());
  });

  it('client.api.raw, called with client.api as the first calls, gives the whole response and the body as _data', async () => {
    const user = await env.user();
    const { auth, api } = await env.client();
    await auth.login(user);
    const [response, body] = await Promise.all([
      api.raw<{ username: string }>('/actor/v1/whoami'),
      api<{ username: string }>('/actor/v1/whoami'),
    ]);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response._data).toEqual(body);
    expect(body).toEqual(await auth.whoami());
  });

  it('is an ofetch $Fetch at run time: create() keeps the bearer and the origin, native() sends bare', async () => {
    const user = await env.user();
    const { auth, api } = await env.client();
    await auth.login(user);
    const asFetch = api as unknown as $Fetch;
    const derived = asFetch.create({ headers: { 'X-Derived': 'yes' } });
    expect(await derived('/actor/v1/whoami')).toEqual(await auth.whoami());
    await expect(derived('http://127.0.0.1:9/x')).rejects.toBeInstanceOf(BalenaForeignOriginError);
    const bare = await asFetch.native(`${env.emulator.url}/actor/v1/whoami`);
    expect(bare.status).toBe(401);
  });

  it('with a 25 h-old token, 10 client.api calls and 10 auth calls make one refresh request, and all succeed', async () => {
    const user = await env.user();
    const { auth, api, store } = await env.client({ stored: await dayOld(user.email) });
    env.emulator.clearRequests();
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => api('/actor/v1/whoami')),
      ...Array.from({ length: 5 }, () => auth.isLoggedIn()),
      ...Array.from({ length: 5 }, () => auth.getUserInfo()),
    ]);
    expect(results.slice(10, 15)).toEqual(Array(5).fill(true));
    const refreshes = env.emulator.requests().filter((r) => r.path === '/user/v1/refresh-token');
    expect(refreshes).toHaveLength(1);
    expect(await store.get()).toBe(await auth.getToken());
  });

  it('sends an API key as the bearer and never refreshes it', async () => {
    const user = await env.user();
    const key = await env.emulator.createApiKey(user.email);
    const { auth, api } = await env.client();
    await auth.loginWithToken(key);
    env.emulator.clearRequests();
    const whoami = await api<{ actorType: string }>('/actor/v1/whoami');
    expect(whoami.actorType).toBe('user');
    const requests = env.emulator.requests();
    expect(requests.map((r) => r.path)).toEqual(['/actor/v1/whoami']);
    expect(requests[0]?.authorization).toBe('apikey');
  });

  it('sends no Authorization header without a credential', async () => {
    const { api } = await env.client();
    env.emulator.clearRequests();
    await expect(api('/actor/v1/whoami')).rejects.toMatchObject({ statusCode: 401 });
    expect(env.emulator.requests()[0]?.authorization).toBe('none');
  });

  it('rejects an expired token with BalenaExpiredToken and sends nothing', async () => {
    const user = await env.user();
    const expired = await env.emulator.sessionToken(user.email, {
      iat: nowS() - 2 * HOUR_S,
      exp: nowS() - HOUR_S,
    });
    const { api } = await env.client({ stored: expired });
    env.emulator.clearRequests();
    await expect(api('/actor/v1/whoami')).rejects.toMatchObject({ code: 'BalenaExpiredToken' });
    expect(env.emulator.requests()).toHaveLength(0);
  });

  it('refuses a URL on another origin before sending anything there', async () => {
    let received = 0;
    const other = createServer((_request, response) => {
      received++;
      response.end('{}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const user = await env.user();
      const { auth, api } = await env.client();
      await auth.login(user);
      const port = (other.address() as AddressInfo).port;
      await expect(api(`http://127.0.0.1:${port}/x`)).rejects.toBeInstanceOf(BalenaForeignOriginError);
      await expect(api(`//127.0.0.1:${port}/x`)).rejects.toBeInstanceOf(BalenaForeignOriginError);
      expect(received).toBe(0);
    } finally {
      other.close();
    }
  });

  it('a 401 to the session token tells the machine: the session becomes signedOut', async () => {
    const user = await env.user();
    const { auth, api, getSession } = await env.client();
    await auth.login(user);
    expect(getSession().status).toBe('signedIn');
    env.emulator.faults.next('/v7/device', { kind: 'status', status: 401, body: 'Unauthorized' });
    await expect(api('/v7/device')).rejects.toMatchObject({ statusCode: 401 });
    await until(() => getSession().status === 'signedOut');
    expect(await auth.getToken()).toBeDefined(); // kept until logout, as after a whoami 401
  });
});

describe('getSession() and onAuthStateChange()', () => {
  it('no token: INITIAL_SESSION with signedOut', async () => {
    const { onAuthStateChange, getSession } = await env.client();
    const { calls, listener } = recorder();
    onAuthStateChange(listener);
    await until(() => calls.length === 1);
    expect(calls[0]).toEqual({ event: 'INITIAL_SESSION', session: { status: 'signedOut' } });
    expect(getSession()).toEqual({ status: 'signedOut' });
  });

  it('login: SIGNED_IN, then the session holds the user (one whoami, made for the listener)', async () => {
    const user = await env.user();
    const { auth, onAuthStateChange, getSession } = await env.client();
    const { events, listener, calls } = recorder();
    onAuthStateChange(listener);
    await until(() => calls.length === 1);
    env.emulator.clearRequests();
    await auth.login(user);
    await until(() => events().includes('USER_UPDATED'));
    expect(events()).toEqual(['INITIAL_SESSION', 'SIGNED_IN', 'USER_UPDATED']);
    const session = getSession();
    expect(session).toMatchObject({ status: 'signedIn', user: { actorType: 'user', email: user.email } });
    expect(session.status === 'signedIn' && session.user && 'username' in session.user).toBe(true);
    expect(env.emulator.requests().filter((r) => r.path === '/actor/v1/whoami')).toHaveLength(1);
  });

  it('logout: SIGNED_OUT', async () => {
    const user = await env.user();
    const { auth, onAuthStateChange } = await env.client();
    await auth.login(user);
    const { events, listener } = recorder();
    onAuthStateChange(listener);
    await until(() => events().length === 1);
    await auth.logout();
    await until(() => events().includes('SIGNED_OUT'));
    expect(events()).toEqual(['INITIAL_SESSION', 'SIGNED_OUT']);
  });

  it('an old token refreshed: one TOKEN_REFRESHED', async () => {
    const user = await env.user();
    const { auth, onAuthStateChange } = await env.client({ stored: await dayOld(user.email) });
    const { events, listener } = recorder();
    onAuthStateChange(listener);
    await auth.isLoggedIn();
    await until(() => events().includes('TOKEN_REFRESHED'));
    expect(events().filter((e) => e === 'TOKEN_REFRESHED')).toHaveLength(1);
  });

  it("a 2FA user's login: TWO_FACTOR_REQUIRED, then the challenge: SIGNED_IN", async () => {
    const user = await env.user(true);
    const { auth, onAuthStateChange } = await env.client();
    const { events, listener } = recorder();
    onAuthStateChange(listener);
    await auth.login(user);
    await until(() => events().includes('TWO_FACTOR_REQUIRED'));
    await auth.twoFactor.challenge(env.emulator.totp(user.email));
    await until(() => events().includes('SIGNED_IN'));
    expect(events().slice(0, 3)).toEqual(['INITIAL_SESSION', 'TWO_FACTOR_REQUIRED', 'SIGNED_IN']);
  });

  it('another client on the same store logging in and out: SIGNED_IN, then SIGNED_OUT', async () => {
    const user = await env.user();
    const store = memoryTokenStore();
    const watcher = await env.client({ store });
    const other = await env.client({ store });
    const { events, listener } = recorder();
    watcher.onAuthStateChange(listener);
    await other.auth.login(user);
    await until(() => events().includes('SIGNED_IN'));
    await other.auth.logout();
    await until(() => events().includes('SIGNED_OUT'));
  });

  it('unsubscribe: no more calls', async () => {
    const user = await env.user();
    const { auth, onAuthStateChange } = await env.client();
    const { calls, listener } = recorder();
    const unsubscribe = onAuthStateChange(listener);
    await until(() => calls.length === 1);
    unsubscribe();
    await auth.login(user);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toHaveLength(1);
  });

  it('a listener that throws or rejects cannot break the client', async () => {
    const user = await env.user();
    const { auth, onAuthStateChange } = await env.client();
    onAuthStateChange(() => {
      throw new Error('listener bug');
    });
    onAuthStateChange(async () => {
      throw new Error('async listener bug');
    });
    await auth.login(user);
    expect(await auth.isLoggedIn()).toBe(true);
  });

  it('without a listener, a login makes no whoami request', async () => {
    const user = await env.user();
    const { auth } = await env.client();
    env.emulator.clearRequests();
    await auth.login(user);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(env.emulator.requests().map((r) => r.path)).toEqual(['/login_']);
  });
});

describe('two-factor helpers', () => {
  it('a wrong code rejects BalenaInvalidTotpCode, still a BalenaRequestError 401', async () => {
    const user = await env.user(true);
    const { auth } = await env.client();
    await auth.login(user);
    const error = await auth.twoFactor.challenge('000000').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BalenaInvalidTotpCode);
    expect(error).toBeInstanceOf(BalenaRequestError);
    expect(error).toMatchObject({ statusCode: 401, code: 'BalenaRequestError' });
    expect(String(error)).toContain('code is wrong or has expired');
    expect(await auth.twoFactor.isPassed()).toBe(false);
  });

  it('totpUri builds the otpauth:// URI of a setup key', () => {
    expect(totpUri({ secret: 'jbsw y3dp ehpk 3pxp', account: 'ada@example.com', issuer: 'balena' })).toBe(
      'otpauth://totp/balena:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=balena&algorithm=SHA1&digits=6&period=30',
    );
    expect(() => totpUri({ secret: 'not base32!', account: 'a', issuer: 'b' })).toThrow(/secret/);
  });
});
