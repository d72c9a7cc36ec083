import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type AuthClient,
  type AuthOptions,
  createAuth,
  memoryTokenStore,
  type TokenStore,
} from '../src/index.ts';

/**
 * One emulator per test file, and fresh clients and users per test, all stopped after each test.
 */
export function useEmulator(options: Parameters<typeof startEmulator>[0] = {}) {
  let emulator: Emulator;
  let users = 0;
  const clients: AuthClient[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({ loginRateLimit: false, ...options });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.stop();
    emulator.faults.clear();
  });
  afterAll(() => emulator.close());

  return {
    get emulator() {
      return emulator;
    },
    /** A new client on a new in-memory store (or the given one), ready. */
    async client(overrides: Partial<AuthOptions> & { stored?: string } = {}) {
      const store: TokenStore = overrides.store ?? memoryTokenStore(overrides.stored);
      const client = createAuth({ apiUrl: emulator.url, ...overrides, store });
      clients.push(client);
      await client.ready();
      return { ...client, store };
    },
    /** A new user; `twoFactor` users get a TOTP secret. */
    async user(twoFactor = false) {
      const n = ++users;
      const user = {
        email: `user-${n}-${twoFactor ? '2fa' : 'plain'}@example.com`,
        password: `password-${n}-secret`,
      };
      const created = await emulator.createUser({ ...user, twoFactor });
      return { ...user, ...created };
    },
  };
}
