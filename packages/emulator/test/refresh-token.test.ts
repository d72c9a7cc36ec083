import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, claimsOf, login, type ManualClock, manualClock, summary } from './support.ts';

const SEVEN_DAYS = 7 * 24 * 60 * 60;
const EMPTY_401 = { status: 401, contentType: null, body: '' };

describe('/user/v1/refresh-token', () => {
  let emulator: Emulator;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = manualClock();
    emulator = await startEmulator({ now: clock.now });
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
  });
  afterEach(() => emulator.close());

  const refresh = (token?: string, method = 'GET', json?: unknown) =>
    call(emulator, method, '/user/v1/refresh-token', { token, json });

  it('GET answers 200 text/plain with a new JWT: same id, jwt_secret and authTime, fresh iat and exp', async () => {
    const original = await login(emulator, 'ada@example.com', 'correct horse');
    clock.advance(25 * 3600 * 1000);
    const response = await refresh(original);
    const { status, contentType, body } = await summary(response);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain/);
    const before = claimsOf(original);
    const after = claimsOf(body);
    expect(after).toEqual({
      id: before.id,
      jwt_secret: before.jwt_secret,
      authTime: before.authTime,
      iat: clock.now() / 1000,
      exp: clock.now() / 1000 + SEVEN_DAYS,
    });
  });

  it('POST without a body refreshes too', async () => {
    const original = await login(emulator, 'ada@example.com', 'correct horse');
    expect((await refresh(original, 'POST')).status).toBe(200);
  });

  it('gives a token the server accepts', async () => {
    const refreshed = await (await refresh(await login(emulator, 'ada@example.com', 'correct horse'))).text();
    expect((await call(emulator, 'GET', '/actor/v1/whoami', { token: refreshed })).status).toBe(200);
  });

  it('keeps twoFactorRequired: false', async () => {
    const passed = await emulator.sessionToken('ada@example.com', { twoFactorRequired: false });
    const refreshed = await (await refresh(passed)).text();
    expect(claimsOf(refreshed).twoFactorRequired).toBe(false);
  });

  it('keeps the twoFactorRequired claim absent when it was absent', async () => {
    const refreshed = await (await refresh(await emulator.sessionToken('ada@example.com'))).text();
    expect(claimsOf(refreshed)).not.toHaveProperty('twoFactorRequired');
  });

  it('POST with the right password resets authTime', async () => {
    const original = await login(emulator, 'ada@example.com', 'correct horse');
    clock.advance(60_000);
    const refreshed = await (await refresh(original, 'POST', { password: 'correct horse' })).text();
    expect(claimsOf(refreshed).authTime).toBe(clock.now());
  });

  it('POST with a wrong password answers 401 with an empty body', async () => {
    const original = await login(emulator, 'ada@example.com', 'correct horse');
    expect(await summary(await refresh(original, 'POST', { password: 'wrong' }))).toEqual(EMPTY_401);
  });

  it('answers 401 for a user API key', async () => {
    expect(await summary(await refresh(await emulator.createApiKey('ada@example.com')))).toEqual(EMPTY_401);
  });

  it('answers 401 for an expired session', async () => {
    const expired = await emulator.sessionToken('ada@example.com', { exp: clock.now() / 1000 - 1 });
    expect(await summary(await refresh(expired))).toEqual(EMPTY_401);
  });

  it('answers 401 for a revoked session', async () => {
    const original = await login(emulator, 'ada@example.com', 'correct horse');
    emulator.revokeSessions('ada@example.com');
    expect(await summary(await refresh(original))).toEqual(EMPTY_401);
  });

  it('answers 401 for a 2FA-pending session', async () => {
    const pending = await emulator.sessionToken('ada@example.com', { twoFactorRequired: true });
    expect(await summary(await refresh(pending))).toEqual(EMPTY_401);
  });

  it('answers 401 without credentials', async () => {
    expect(await summary(await refresh())).toEqual(EMPTY_401);
  });
});
