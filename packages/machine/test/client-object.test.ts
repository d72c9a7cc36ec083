import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { memoryTokenStore } from '../src/index.ts';
import { useEmulator } from './emulated.ts';

const env = useEmulator();
const MEMBERS = ['actor', 'api', 'auth', 'getSession', 'onAuthStateChange', 'ready', 'stop'];

describe('a client behaves as a plain object of functions', () => {
  it('lists its members as own, enumerable properties, and keeps working when spread', async () => {
    const client = await env.client();
    expect(Object.keys(client).sort()).toEqual([...MEMBERS, 'store'].sort());
    const copy = { ...client };
    expect(Object.keys(copy).sort()).toEqual([...MEMBERS, 'store'].sort());
    await copy.ready();
    const user = await env.user();
    await copy.auth.login(user);
    expect(copy.getSession().status).toBe('signedIn');
    expect(await copy.api('/actor/v1/whoami')).toEqual(await client.auth.whoami());
  });

  it('keeps methods working when they are taken off the client, auth and auth.twoFactor', async () => {
    const { auth, ready, getSession, onAuthStateChange, stop } = await env.client();
    await ready();
    const { login, whoami, getToken, logout } = auth;
    const { isEnabled, isPassed } = auth.twoFactor;
    const events: string[] = [];
    const unsubscribe = onAuthStateChange((event) => events.push(event));
    const user = await env.user();
    await login(user);
    expect((await whoami())?.actorType).toBe('user');
    expect(typeof (await getToken())).toBe('string');
    expect([await isEnabled(), await isPassed()]).toEqual([false, true]);
    expect(getSession().status).toBe('signedIn');
    await [logout][0]();
    expect(getSession().status).toBe('signedOut');
    await expect.poll(() => events).toEqual(['INITIAL_SESSION', 'SIGNED_IN', 'USER_UPDATED', 'SIGNED_OUT']);
    unsubscribe();
    stop();
  });

  it('lets an app replace a member, as on a plain object (a wrapper, a test spy)', async () => {
    const client = await env.client();
    const calls: string[] = [];
    const { logout } = client.auth;
    client.auth.logout = async () => {
      calls.push('logout');
      await logout();
    };
    const stop = client.stop;
    client.stop = () => {
      calls.push('stop');
      stop();
    };
    await client.auth.logout();
    client.stop();
    expect(calls).toEqual(['logout', 'stop']);
    expect(client.actor.getSnapshot().status).toBe('stopped');
  });

  it('shows no token when logged with util.inspect, but in the live actor it exposes', async () => {
    const client = await env.client();
    const user = await env.user();
    await client.auth.login(user);
    const token = await client.auth.getToken();
    // The client, auth and auth.twoFactor keep what they hold in private fields.
    for (const shown of [
      inspect({ ...client, actor: undefined }, { depth: 6, showHidden: true, getters: true }),
      inspect(client.auth, { depth: 6, showHidden: true, getters: true }),
    ]) {
      expect(shown).not.toContain(token.split('.')[1]);
    }
    // The actor is the running chart: its context holds the credential, as getToken() answers it.
    expect(client.actor.getSnapshot().context.token).toBe(token);
  });
});

describe('memoryTokenStore', () => {
  it('spread into an object of your own, keeps one state for both', async () => {
    const base = memoryTokenStore('first-token');
    const seen: (string | undefined)[] = [];
    const wrapped = { ...base, get: () => base.get() };
    wrapped.subscribe?.((token) => seen.push(token));
    await wrapped.set('second-token');
    expect(await base.get()).toBe('second-token');
    await base.remove();
    expect(await wrapped.get()).toBeUndefined();
    expect(seen).toEqual(['second-token', undefined]);
  });

  it('shows no token when logged with util.inspect, getters included', () => {
    const store = memoryTokenStore('secret-api-key-123');
    expect(inspect(store, { depth: 6, showHidden: true, getters: true })).not.toContain('secret-api-key-123');
  });
});
