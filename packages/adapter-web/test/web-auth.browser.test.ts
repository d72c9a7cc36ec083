import { BalenaError } from '@balena-auth/machine';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BalenaStorageQuotaExceeded, createWebAuth } from '../src/index.ts';
import { emulatorUrl, newUser, sessionToken } from './admin.ts';

const clients: { stop(): void }[] = [];
const webAuth = () => {
  const client = createWebAuth({ apiUrl: emulatorUrl });
  clients.push(client);
  return client;
};

afterEach(() => {
  for (const client of clients.splice(0)) client.stop();
  localStorage.clear();
  vi.restoreAllMocks();
});

describe('createWebAuth in Chromium', () => {
  it('stores the login in localStorage["balena-token"], where a new client finds it', async () => {
    const user = await newUser();
    const first = webAuth();
    await first.auth.login(user);
    const token = await first.auth.getToken();
    expect(localStorage.getItem('balena-token')).toBe(token);
    first.stop();

    const second = webAuth();
    await second.ready();
    expect(await second.auth.getToken()).toBe(token);
    expect(await second.auth.isLoggedIn()).toBe(true);
  });

  it('rejects a login it cannot save for lack of space with BalenaStorageQuotaExceeded, and keeps the session in memory', async () => {
    const user = await newUser();
    const { auth, ready } = webAuth();
    await ready();
    fillStorage();

    const error = await auth.login(user).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BalenaStorageQuotaExceeded);
    expect(error).toBeInstanceOf(BalenaError);
    expect((error as Error).message).toMatch(/site storage is full/);
    expect(localStorage.getItem('balena-token')).toBeNull();
    expect(await auth.isLoggedIn()).toBe(true);
    expect((await auth.getUserInfo()).email).toBe(user.email);
  });

  it('falls back to memory and warns once when localStorage cannot be written', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    fillStorage();
    const user = await newUser();
    const { auth, ready } = webAuth();
    await ready();
    await auth.login(user);
    await auth.logout();
    await auth.login(user);

    expect(await auth.isLoggedIn()).toBe(true);
    expect(localStorage.getItem('balena-token')).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/localStorage is not usable.*kept in memory/);
    expect(String(warn.mock.calls[0]?.[0])).not.toContain(user.password);
  });

  it('adopts a session another document of the site stores, and drops it when that document logs out', async () => {
    const user = await newUser();
    const token = await sessionToken(user.email);
    const { auth, actor, ready } = webAuth();
    await ready();
    const frame = document.createElement('iframe');
    document.body.append(frame);

    frame.contentWindow?.localStorage.setItem('balena-token', token);
    await vi.waitFor(() => expect(actor.getSnapshot().matches({ session: 'unverified' })).toBe(true), {
      timeout: 1000,
    });
    expect(await auth.getToken()).toBe(token);

    frame.contentWindow?.localStorage.removeItem('balena-token');
    await vi.waitFor(() => expect(actor.getSnapshot().matches({ session: 'anonymous' })).toBe(true), {
      timeout: 1000,
    });
    expect(await auth.isLoggedIn()).toBe(false);
    frame.remove();
  });
});

/** Fills the origin's localStorage until not even one more character fits. */
function fillStorage(): void {
  let size = 1 << 21;
  for (let index = 0; size >= 1; ) {
    try {
      localStorage.setItem(`filler-${index}`, 'x'.repeat(size));
      index++;
    } catch {
      size = Math.floor(size / 2);
    }
  }
}
