import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuth, memoryTokenStore } from '../../src/index.ts';
import { useEmulator } from '../emulated.ts';
import { watchProcessFailures } from './loopback.ts';

const env = useEmulator();
let watch: ReturnType<typeof watchProcessFailures>;
beforeEach(() => {
  watch = watchProcessFailures();
});
afterEach(() => {
  watch.stop();
  vi.restoreAllMocks();
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

const failingInspectors = {
  'a function that throws': () => {
    throw new Error('inspector bug');
  },
  'an observer whose next throws': {
    next() {
      throw new Error('inspector bug');
    },
  },
  'an async function that rejects': async () => {
    throw new Error('inspector bug');
  },
};

describe('an inspect option that fails never stops the client', () => {
  it.each(Object.entries(failingInspectors))(
    '%s: createAuth returns and every call answers',
    async (_name, inspect) => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const user = await env.user();
      const store = memoryTokenStore();
      const client = createAuth({ apiUrl: env.emulator.url, store, inspect });
      try {
        await client.ready();
        await client.auth.login(user);
        expect(await client.auth.whoami()).toMatchObject({ username: user.email.split('@')[0] });
        expect(await client.auth.isLoggedIn()).toBe(true);
        await client.auth.logout();
        expect(await client.auth.isLoggedIn()).toBe(false);
        await settle();
        expect(watch.failures).toEqual([]);
        expect(warn).toHaveBeenCalledTimes(1);
      } finally {
        client.stop();
      }
    },
  );
});
