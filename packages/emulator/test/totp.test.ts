import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, claimsOf, login, type ManualClock, manualClock, summary, totpAt } from './support.ts';

const EMPTY_401 = { status: 401, contentType: null, body: '' };

let emulator: Emulator;
let clock: ManualClock;

beforeEach(async () => {
  clock = manualClock();
  emulator = await startEmulator({ now: clock.now });
});
afterEach(() => emulator.close());

const verify = (token: string | undefined, code: unknown) =>
  call(emulator, 'POST', '/auth/totp/verify', { token, json: { code } });

describe('the 2FA login challenge (POST /auth/totp/verify with a 2FA-pending session)', () => {
  let secret: string;
  let pending: string;

  beforeEach(async () => {
    const user = await emulator.createUser({
      email: 'ada@example.com',
      password: 'correct horse',
      twoFactor: true,
    });
    secret = user.totpSecret as string;
    pending = await login(emulator, 'ada@example.com', 'correct horse');
  });

  it('returns a base32 secret from createUser({twoFactor: true})', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  });

  it('answers 200 text/plain with a JWT that has twoFactorRequired: false and the same authTime', async () => {
    const { status, contentType, body } = await summary(await verify(pending, totpAt(secret, clock.now())));
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain/);
    expect(claimsOf(body)).toMatchObject({
      id: claimsOf(pending).id,
      twoFactorRequired: false,
      authTime: claimsOf(pending).authTime,
    });
  });

  it('gives a session whoami accepts, where the pending one got 401', async () => {
    expect((await call(emulator, 'GET', '/actor/v1/whoami', { token: pending })).status).toBe(401);
    const passed = await (await verify(pending, totpAt(secret, clock.now()))).text();
    expect((await call(emulator, 'GET', '/actor/v1/whoami', { token: passed })).status).toBe(200);
  });

  it('accepts the code of the previous 30 s step', async () => {
    expect((await verify(pending, totpAt(secret, clock.now() - 30_000))).status).toBe(200);
  });

  it('accepts the code of the next 30 s step', async () => {
    expect((await verify(pending, totpAt(secret, clock.now() + 30_000))).status).toBe(200);
  });

  it('rejects the code of two steps ago with 401 and an empty body', async () => {
    expect(await summary(await verify(pending, totpAt(secret, clock.now() - 60_000)))).toEqual(EMPTY_401);
  });

  it('rejects a wrong code with 401 and an empty body', async () => {
    const wrong = totpAt(secret, clock.now()) === '000000' ? '111111' : '000000';
    expect(await summary(await verify(pending, wrong))).toEqual(EMPTY_401);
  });

  it('answers 401 with an empty body without credentials', async () => {
    expect(await summary(await verify(undefined, totpAt(secret, clock.now())))).toEqual(EMPTY_401);
  });

  it('answers 400 text/plain when the code is missing', async () => {
    expect(
      await summary(await call(emulator, 'POST', '/auth/totp/verify', { token: pending, json: {} })),
    ).toEqual({
      status: 400,
      contentType: 'text/plain; charset=utf-8',
      body: 'Missing code',
    });
  });

  it('emulator.totp gives the same code as an independent TOTP implementation', () => {
    expect(emulator.totp('ada@example.com')).toBe(totpAt(secret, clock.now()));
  });

  it('emulator.totp follows the injected clock', () => {
    const before = emulator.totp('ada@example.com');
    clock.advance(30_000);
    expect(emulator.totp('ada@example.com')).toBe(totpAt(secret, clock.now()));
    expect(emulator.totp('ada@example.com')).not.toBe(before);
  });

  it('emulator.totp throws for a user without 2FA', async () => {
    await emulator.createUser({ email: 'bob@example.com', password: 'battery staple' });
    expect(() => emulator.totp('bob@example.com')).toThrow(/bob@example.com/);
  });
});

describe('enabling 2FA (GET /auth/totp/setup, then POST /auth/totp/verify)', () => {
  let session: string;

  beforeEach(async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    session = await login(emulator, 'ada@example.com', 'correct horse');
  });

  const setup = (token?: string) => call(emulator, 'GET', '/auth/totp/setup', { token });

  it('setup answers 200 text/plain with a plain base32 secret', async () => {
    const { status, contentType, body } = await summary(await setup(session));
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain/);
    expect(body).toMatch(/^[A-Z2-7]{32}$/);
  });

  it('verify with a code of the setup secret enables 2FA and answers a JWT with twoFactorRequired: false', async () => {
    const secret = await (await setup(session)).text();
    const response = await verify(session, totpAt(secret, clock.now()));
    expect(response.status).toBe(200);
    expect(claimsOf(await response.text())).toMatchObject({
      twoFactorRequired: false,
      authTime: clock.now(),
    });
  });

  it('makes the next login 2FA-pending once enabled', async () => {
    const secret = await (await setup(session)).text();
    await verify(session, totpAt(secret, clock.now()));
    const next = await login(emulator, 'ada@example.com', 'correct horse');
    expect(claimsOf(next).twoFactorRequired).toBe(true);
  });

  it('verify with a wrong code answers 401 and leaves 2FA off', async () => {
    const secret = await (await setup(session)).text();
    const wrong = totpAt(secret, clock.now()) === '000000' ? '111111' : '000000';
    expect(await summary(await verify(session, wrong))).toEqual(EMPTY_401);
    expect(claimsOf(await login(emulator, 'ada@example.com', 'correct horse'))).not.toHaveProperty(
      'twoFactorRequired',
    );
  });

  it('verify without a pending setup answers 401', async () => {
    expect(await summary(await verify(session, '123456'))).toEqual(EMPTY_401);
  });

  it('setup answers 401 for a user API key', async () => {
    expect(await summary(await setup(await emulator.createApiKey('ada@example.com')))).toEqual(EMPTY_401);
  });

  it('setup answers 401 without credentials', async () => {
    expect(await summary(await setup())).toEqual(EMPTY_401);
  });

  it('setup answers 401 when 2FA is already enabled', async () => {
    await emulator.createUser({ email: 'twofa@example.com', password: 'pw-12345678', twoFactor: true });
    const passed = await emulator.sessionToken('twofa@example.com', { twoFactorRequired: false });
    expect(await summary(await setup(passed))).toEqual(EMPTY_401);
  });

  it('emulator.totp gives the code of a pending setup secret', async () => {
    const secret = await (await setup(session)).text();
    expect(emulator.totp('ada@example.com')).toBe(totpAt(secret, clock.now()));
  });
});

describe('disabling 2FA (POST /auth/totp/disable)', () => {
  let passed: string;

  beforeEach(async () => {
    const { totpSecret } = await emulator.createUser({
      email: 'ada@example.com',
      password: 'correct horse',
      twoFactor: true,
    });
    const pending = await login(emulator, 'ada@example.com', 'correct horse');
    passed = await (await verify(pending, totpAt(totpSecret as string, clock.now()))).text();
  });

  const disable = (token: string | undefined, json: unknown) =>
    call(emulator, 'POST', '/auth/totp/disable', { token, json });

  it('answers 200 text/plain with a JWT without the twoFactorRequired claim', async () => {
    const { status, contentType, body } = await summary(await disable(passed, { password: 'correct horse' }));
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain/);
    expect(claimsOf(body)).not.toHaveProperty('twoFactorRequired');
    expect((await call(emulator, 'GET', '/actor/v1/whoami', { token: body })).status).toBe(200);
  });

  it('turns 2FA off for the next login', async () => {
    await disable(passed, { password: 'correct horse' });
    expect(claimsOf(await login(emulator, 'ada@example.com', 'correct horse'))).not.toHaveProperty(
      'twoFactorRequired',
    );
  });

  it('answers 401 with an empty body for a wrong password', async () => {
    expect(await summary(await disable(passed, { password: 'wrong' }))).toEqual(EMPTY_401);
  });

  it('answers 401 for a 2FA-pending session', async () => {
    const pending = await login(emulator, 'ada@example.com', 'correct horse');
    expect(await summary(await disable(pending, { password: 'correct horse' }))).toEqual(EMPTY_401);
  });

  it('answers 401 for a user without 2FA', async () => {
    await emulator.createUser({ email: 'bob@example.com', password: 'battery staple' });
    const bob = await login(emulator, 'bob@example.com', 'battery staple');
    expect(await summary(await disable(bob, { password: 'battery staple' }))).toEqual(EMPTY_401);
  });

  it('answers 400 text/plain without a password', async () => {
    expect(await summary(await disable(passed, {}))).toEqual({
      status: 400,
      contentType: 'text/plain; charset=utf-8',
      body: 'Missing password',
    });
  });
});
