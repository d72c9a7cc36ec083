import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuth, memoryTokenStore, type TokenStore } from '../../src/index.ts';
import { useEmulator } from '../emulated.ts';
import { fakeJwt } from '../jwt.ts';
import { watchProcessFailures } from './loopback.ts';

const env = useEmulator();
let watch: ReturnType<typeof watchProcessFailures>;
let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  watch = watchProcessFailures();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(async () => {
  // XState reports an error nobody listens to from a timer: give it the time to surface.
  await new Promise((resolve) => setTimeout(resolve, 50));
  watch.stop();
  vi.restoreAllMocks();
  expect(watch.failures, 'unhandled rejections and uncaught exceptions').toEqual([]);
});

/** A store in memory whose methods are replaced by `overrides` (typed loosely: they misbehave). */
function hostileStore(overrides: Record<string, unknown>, initial?: string): TokenStore {
  return { ...memoryTokenStore(initial), ...overrides } as TokenStore;
}

async function clientOn(store: TokenStore) {
  const client = createAuth({ apiUrl: env.emulator.url, store });
  return client;
}

describe('a stored value that is not a usable credential counts as no credential, said once', () => {
  const unusable: Record<string, unknown> = {
    'a number': 42,
    'an object': { token: 'x' },
    'an array': ['x'],
    'a string with a NUL': 'tok\u0000en',
    'a string with a line break inside': 'tok\nen',
    'a string beyond Latin-1': 'tok令牌en',
    'a string over 8192 characters': 'a'.repeat(9000),
  };
  it.each(Object.entries(unusable))(
    '%s: signed out, no request, one warning without the value',
    async (_name, value) => {
      env.emulator.clearRequests();
      const client = await clientOn(hostileStore({ get: async () => value }));
      try {
        await client.ready();
        await expect(client.auth.getToken()).rejects.toMatchObject({ name: 'BalenaNotLoggedIn' });
        expect(await client.auth.isLoggedIn()).toBe(false);
        expect(await client.auth.whoami()).toBeUndefined();
        expect(env.emulator.requests()).toEqual([]);
        expect(warn).toHaveBeenCalledTimes(1);
        if (typeof value === 'string') expect(String(warn.mock.calls[0][0])).not.toContain(value.slice(0, 5));
      } finally {
        client.stop();
      }
    },
  );

  it('values a store reports through subscribe are checked the same way, and the warning is not repeated', async () => {
    const listeners = new Set<(token: unknown) => void>();
    const user = await env.user();
    const token = await env.emulator.sessionToken(user.email);
    let stored: unknown = token;
    const store = hostileStore({
      get: async () => stored,
      subscribe(listener: (token: unknown) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
    const client = await clientOn(store);
    try {
      await client.ready();
      expect(await client.auth.isLoggedIn()).toBe(true);
      for (const value of [42, { token }, 'bad\u0000value']) {
        stored = value;
        for (const listener of listeners) listener(value);
        await client.ready();
        await expect(client.auth.getToken()).rejects.toMatchObject({ name: 'BalenaNotLoggedIn' });
      }
      expect(warn).toHaveBeenCalledTimes(1);
      stored = token;
      for (const listener of listeners) listener(token);
      await client.ready();
      expect(await client.auth.getToken()).toBe(token);
    } finally {
      client.stop();
    }
  });
});

describe('a store that throws, rejects or misbehaves gives typed errors, never a hang or a crash', () => {
  it('get() throwing synchronously: the client starts signed out', async () => {
    const client = await clientOn(
      hostileStore({
        get() {
          throw 'not an Error';
        },
      }),
    );
    try {
      await client.ready();
      await expect(client.auth.getToken()).rejects.toMatchObject({ name: 'BalenaNotLoggedIn' });
    } finally {
      client.stop();
    }
  });

  it.each([
    [
      'throws a string synchronously',
      () => {
        throw 'disk on fire';
      },
    ],
    ['rejects with undefined', () => Promise.reject(undefined)],
  ])('set() that %s: login rejects BalenaTokenStoreError', async (_name, set) => {
    const client = await clientOn(hostileStore({ set }));
    try {
      await client.ready();
      const error = await client.auth.login(await env.user()).catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: 'BalenaTokenStoreError',
        code: 'BalenaTokenStoreError',
        operation: 'set',
      });
    } finally {
      client.stop();
    }
  });

  it('set() that rejects with an Error: login rejects with that error, unchanged', async () => {
    const failure = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const client = await clientOn(hostileStore({ set: async () => Promise.reject(failure) }));
    try {
      await client.ready();
      await expect(client.auth.login(await env.user())).rejects.toBe(failure);
    } finally {
      client.stop();
    }
  });

  it('remove() that throws synchronously: logout still resolves and the client is signed out', async () => {
    const user = await env.user();
    const client = await clientOn(
      hostileStore(
        {
          remove() {
            throw 'cannot remove';
          },
        },
        await env.emulator.sessionToken(user.email),
      ),
    );
    try {
      await client.ready();
      await client.auth.logout();
      expect(await client.auth.isLoggedIn()).toBe(false);
    } finally {
      client.stop();
    }
  });

  it('exclusive() that settles without running the task: login rejects BalenaTokenStoreError instead of claiming a write', async () => {
    const client = await clientOn(hostileStore({ exclusive: async () => undefined }));
    try {
      await client.ready();
      await expect(client.auth.login(await env.user())).rejects.toMatchObject({
        name: 'BalenaTokenStoreError',
        operation: 'exclusive',
      });
    } finally {
      client.stop();
    }
  });

  it('exclusive() that throws synchronously around a refresh: the call rejects, the client goes on', async () => {
    const user = await env.user();
    const dayOld = await env.emulator.sessionToken(user.email, {
      iat: Math.floor(Date.now() / 1000) - 25 * 3600,
    });
    const client = await clientOn(
      hostileStore(
        {
          exclusive() {
            throw { reason: 'lock broken' };
          },
        },
        dayOld,
      ),
    );
    try {
      await client.ready();
      await expect(client.auth.isLoggedIn()).rejects.toMatchObject({ name: 'BalenaTokenStoreError' });
      expect(await client.auth.getToken()).toBe(dayOld);
    } finally {
      client.stop();
    }
  });

  it('exclusive() that runs the task twice: the task runs once', async () => {
    let writes = 0;
    const memory = memoryTokenStore();
    const client = await clientOn(
      hostileStore({
        set: async (token: string) => {
          writes += 1;
          await memory.set(token);
        },
        exclusive: async (task: () => Promise<unknown>) => {
          await task();
          return task();
        },
      }),
    );
    try {
      await client.ready();
      await client.auth.login(await env.user());
      expect(writes).toBe(1);
    } finally {
      client.stop();
    }
  });

  it('subscribe() that throws: createAuth returns and the client works', async () => {
    const store = hostileStore({
      subscribe() {
        throw new Error('no watcher available');
      },
    });
    const client = await clientOn(store);
    try {
      await client.ready();
      await client.auth.login(await env.user());
      expect(await client.auth.isLoggedIn()).toBe(true);
    } finally {
      client.stop();
    }
  });

  it('subscribe() that returns something other than an unsubscribe function: stop() does not throw', async () => {
    const client = await clientOn(hostileStore({ subscribe: () => 42 }));
    await client.ready();
    expect(() => client.stop()).not.toThrow();
  });

  it('a store whose methods answer plain values instead of promises still works', async () => {
    let value: string | undefined = fakeJwt({ id: 1, iat: Math.floor(Date.now() / 1000) });
    const client = await clientOn({
      get: (() => value) as unknown as TokenStore['get'],
      set: ((token: string) => {
        value = token;
      }) as unknown as TokenStore['set'],
      remove: (() => {
        value = undefined;
      }) as unknown as TokenStore['remove'],
    });
    try {
      await client.ready();
      expect(await client.auth.getToken()).toBe(value);
      await client.auth.logout();
      expect(value).toBeUndefined();
    } finally {
      client.stop();
    }
  });
});
