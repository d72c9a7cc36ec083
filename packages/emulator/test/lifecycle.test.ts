import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_TWO_FACTOR_USER,
  DEMO_USER,
  type Emulator,
  seedDemoAccounts,
  startEmulator,
} from '../src/index.ts';
import { call, claimsOf, login, totpAt } from './support.ts';

const started: Emulator[] = [];
async function start(...args: Parameters<typeof startEmulator>): Promise<Emulator> {
  const emulator = await startEmulator(...args);
  started.push(emulator);
  return emulator;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((emulator) => emulator.close()));
});

describe('binding', () => {
  it('listens on 127.0.0.1 on a free port by default, url without a trailing slash', async () => {
    const emulator = await start();
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${emulator.url}/actor/v1/whoami`)).status).toBe(401);
  });

  it('listens on the port asked for', async () => {
    const probe = await start();
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const emulator = await start({ port });
    expect(emulator.url).toBe(`http://127.0.0.1:${port}`);
  });

  it('accepts ::1 and names it [::1] in the url', async () => {
    const emulator = await start({ host: '::1' });
    expect(emulator.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect((await fetch(`${emulator.url}/actor/v1/whoami`)).status).toBe(401);
  });

  it('accepts localhost, binding 127.0.0.1', async () => {
    const emulator = await start({ host: 'localhost' });
    expect(emulator.url).toMatch(/^http:\/\/localhost:\d+$/);
    const port = new URL(emulator.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/actor/v1/whoami`)).status).toBe(401);
  });

  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.com'])(
    'rejects the non-loopback host %s',
    async (host) => {
      await expect(startEmulator({ host })).rejects.toThrow(/only binds a loopback address/);
    },
  );

  it('rejects an invalid port', async () => {
    await expect(startEmulator({ port: 70000 })).rejects.toThrow(/port/);
  });

  it('rejects an invalid login rate limit', async () => {
    await expect(startEmulator({ loginRateLimit: { attempts: 0, windowMs: 1, blockMs: 1 } })).rejects.toThrow(
      /loginRateLimit.attempts/,
    );
  });
});

describe('close()', () => {
  it('stops the server: later requests fail', async () => {
    const emulator = await start();
    await emulator.close();
    await expect(fetch(`${emulator.url}/actor/v1/whoami`)).rejects.toThrow(TypeError);
  });

  it('is idempotent', async () => {
    const emulator = await start();
    await Promise.all([emulator.close(), emulator.close()]);
    await expect(emulator.close()).resolves.toBeUndefined();
  });

  it('closes kept-alive connections without waiting for their timeout', async () => {
    const emulator = await start();
    await fetch(`${emulator.url}/actor/v1/whoami`, { headers: { connection: 'keep-alive' } });
    const startedAt = performance.now();
    await emulator.close();
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });
});

describe('close() and process resources', () => {
  const count = (kind: string) =>
    process.getActiveResourcesInfo().filter((resource) => resource === kind).length;

  it('leaves no server, socket or timer behind, even with a delayed and a hanging request', async () => {
    const before = {
      servers: count('TCPServerWrap'),
      sockets: count('TCPSocketWrap'),
      timers: count('Timeout'),
    };
    const emulator = await startEmulator();
    emulator.faults.next('/delayed', { kind: 'delay', ms: 60_000 });
    emulator.faults.next('/hanging', { kind: 'hang' });
    const delayed = fetch(`${emulator.url}/delayed`).catch(() => undefined);
    const hanging = fetch(`${emulator.url}/hanging`).catch(() => undefined);
    await fetch(`${emulator.url}/actor/v1/whoami`);
    while (emulator.requests().length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await emulator.close();
    await Promise.all([delayed, hanging]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(count('TCPServerWrap')).toBeLessThanOrEqual(before.servers);
    expect(count('TCPSocketWrap')).toBeLessThanOrEqual(before.sockets);
    expect(count('Timeout')).toBeLessThanOrEqual(before.timers);
  });
});

describe('in-process helpers', () => {
  it('keeps the data of two emulators apart', async () => {
    const first = await start();
    const second = await start();
    await first.createUser({ email: 'ada@example.com', password: 'correct horse' });
    const response = await call(second, 'POST', '/login_', {
      json: { username: 'ada@example.com', password: 'correct horse' },
    });
    expect(response.status).toBe(401);
  });

  it('createUser defaults the username to the local part of the e-mail', async () => {
    const emulator = await start();
    await emulator.createUser({ email: 'ada.lovelace@example.com', password: 'pw' });
    expect(
      (await call(emulator, 'POST', '/login_', { json: { username: 'ada.lovelace', password: 'pw' } }))
        .status,
    ).toBe(200);
  });

  it('createUser gives user ids from 1 and actor ids from another sequence', async () => {
    const emulator = await start();
    const first = await emulator.createUser({ email: 'a@example.com', password: 'pw' });
    const second = await emulator.createUser({ email: 'b@example.com', password: 'pw' });
    expect([first.id, second.id]).toEqual([1, 2]);
    expect(first.actorId).toBeGreaterThanOrEqual(1000);
    expect(second.actorId).toBeGreaterThan(first.actorId);
  });

  it('createUser rejects an e-mail that is taken', async () => {
    const emulator = await start();
    await emulator.createUser({ email: 'ada@example.com', password: 'pw' });
    await expect(emulator.createUser({ email: 'ADA@example.com', password: 'pw' })).rejects.toThrow(
      /already exists/,
    );
  });

  it('createApiKey gives 32 alphanumerics', async () => {
    const emulator = await start();
    await emulator.createUser({ email: 'ada@example.com', password: 'pw' });
    expect(await emulator.createApiKey('ada@example.com')).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('createApiKey rejects an unknown e-mail', async () => {
    const emulator = await start();
    await expect(emulator.createApiKey('nobody@example.com')).rejects.toThrow(/nobody@example.com/);
  });

  it('outbox() gives copies', async () => {
    const emulator = await start();
    await call(emulator, 'POST', '/user/register', {
      json: { email: 'new@example.com', password: 'pw-12345678' },
    });
    emulator.outbox()[0].to = 'changed';
    expect(emulator.outbox()[0].to).toBe('new@example.com');
  });
});

describe('demo accounts', () => {
  it('seed: true creates the plain and the 2FA demo users', async () => {
    const emulator = await start({ seed: true });
    const plain = await login(emulator, DEMO_USER.email, DEMO_USER.password);
    const twoFactor = await login(emulator, DEMO_TWO_FACTOR_USER.email, DEMO_TWO_FACTOR_USER.password);
    expect(claimsOf(plain)).not.toHaveProperty('twoFactorRequired');
    expect(claimsOf(twoFactor).twoFactorRequired).toBe(true);
  });

  it('seedDemoAccounts returns working credentials: passwords, TOTP secret and API key', async () => {
    const emulator = await start();
    const accounts = await seedDemoAccounts(emulator);
    expect(accounts.user).toMatchObject({ email: 'demo@example.com', password: 'demo-password-1' });
    expect(accounts.twoFactorUser).toMatchObject({ email: 'twofa@example.com', password: 'demo-password-2' });
    const whoami = await (await call(emulator, 'GET', '/actor/v1/whoami', { token: accounts.apiKey })).json();
    expect(whoami).toMatchObject({ actorType: 'user', email: 'demo@example.com', id: accounts.user.actorId });
    const pending = await login(emulator, accounts.twoFactorUser.email, accounts.twoFactorUser.password);
    const verify = await call(emulator, 'POST', '/auth/totp/verify', {
      token: pending,
      json: { code: totpAt(accounts.twoFactorUser.totpSecret, Date.now()) },
    });
    expect(verify.status).toBe(200);
  });
});
