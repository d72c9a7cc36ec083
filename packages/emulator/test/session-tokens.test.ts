import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, claimsOf, login, type ManualClock, manualClock } from './support.ts';

const SEVEN_DAYS = 7 * 24 * 60 * 60;

describe('session JWTs', () => {
  let emulator: Emulator;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = manualClock();
    emulator = await startEmulator({ now: clock.now });
  });
  afterEach(() => emulator.close());

  const whoamiStatus = async (token: string) =>
    (await call(emulator, 'GET', '/actor/v1/whoami', { token })).status;

  it('carry id (the user id), jwt_secret, authTime (ms), iat and exp (s, 7 days later)', async () => {
    const { id } = await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    const claims = claimsOf(await login(emulator, 'ada@example.com', 'correct horse'));
    expect(claims).toEqual({
      id,
      jwt_secret: expect.any(String),
      authTime: clock.now(),
      iat: clock.now() / 1000,
      exp: clock.now() / 1000 + SEVEN_DAYS,
    });
  });

  it('are HS256', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    const token = await login(emulator, 'ada@example.com', 'correct horse');
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header.alg).toBe('HS256');
  });

  it('carry twoFactorRequired: true for a 2FA user', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse', twoFactor: true });
    const claims = claimsOf(await login(emulator, 'ada@example.com', 'correct horse'));
    expect(claims.twoFactorRequired).toBe(true);
  });

  it('have no twoFactorRequired claim for a user without 2FA', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    const claims = claimsOf(await login(emulator, 'ada@example.com', 'correct horse'));
    expect(claims).not.toHaveProperty('twoFactorRequired');
  });

  it('last tokenLifetimeSeconds when that option is set', async () => {
    await emulator.close();
    emulator = await startEmulator({ now: clock.now, tokenLifetimeSeconds: 600 });
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    const claims = claimsOf(await login(emulator, 'ada@example.com', 'correct horse'));
    expect(claims.exp).toBe((claims.iat as number) + 600);
  });

  it('are rejected with 401 once expired by the injected clock', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    const token = await login(emulator, 'ada@example.com', 'correct horse');
    clock.advance(SEVEN_DAYS * 1000 - 1000);
    expect(await whoamiStatus(token)).toBe(200);
    clock.advance(1000);
    expect(await whoamiStatus(token)).toBe(401);
  });

  it('are all rejected with 401 after revokeSessions, while new logins work', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    const before = await login(emulator, 'ada@example.com', 'correct horse');
    emulator.revokeSessions('ada@example.com');
    expect(await whoamiStatus(before)).toBe(401);
    const after = await login(emulator, 'ada@example.com', 'correct horse');
    expect(claimsOf(after).jwt_secret).not.toBe(claimsOf(before).jwt_secret);
    expect(await whoamiStatus(after)).toBe(200);
  });

  it('revokeSessions leaves other users alone', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    await emulator.createUser({ email: 'bob@example.com', password: 'battery staple' });
    const bobs = await login(emulator, 'bob@example.com', 'battery staple');
    emulator.revokeSessions('ada@example.com');
    expect(await whoamiStatus(bobs)).toBe(200);
  });

  it('signed with another secret are rejected with 401', async () => {
    const { id } = await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    const jwtSecret = claimsOf(await login(emulator, 'ada@example.com', 'correct horse')).jwt_secret;
    const forged = await new SignJWT({ id, jwt_secret: jwtSecret, authTime: clock.now() })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(clock.now() / 1000)
      .setExpirationTime(clock.now() / 1000 + 60)
      .sign(new TextEncoder().encode('not the server secret'));
    expect(await whoamiStatus(forged)).toBe(401);
  });

  it('with text appended are rejected with 401', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    const token = await login(emulator, 'ada@example.com', 'correct horse');
    expect(await whoamiStatus(`${token}malformingsuffix`)).toBe(401);
  });

  it('signed with the jwtSecret option verify across emulators sharing it', async () => {
    await emulator.close();
    emulator = await startEmulator({ now: clock.now, jwtSecret: 'shared secret' });
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    const token = await login(emulator, 'ada@example.com', 'correct horse');
    const forged = await new SignJWT({ ...claimsOf(token) })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('shared secret'));
    expect(await whoamiStatus(forged)).toBe(200);
  });
});

describe('emulator.sessionToken', () => {
  let emulator: Emulator;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = manualClock();
    emulator = await startEmulator({ now: clock.now });
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
  });
  afterEach(() => emulator.close());

  it('mints a token the server accepts, with iat now and exp after the lifetime', async () => {
    const token = await emulator.sessionToken('ada@example.com');
    expect(claimsOf(token)).toMatchObject({
      id: 1,
      iat: clock.now() / 1000,
      exp: clock.now() / 1000 + SEVEN_DAYS,
    });
    expect((await call(emulator, 'GET', '/actor/v1/whoami', { token })).status).toBe(200);
  });

  it('mints an old token with the given iat and exp (seconds)', async () => {
    const iat = clock.now() / 1000 - 2 * 24 * 3600;
    const token = await emulator.sessionToken('ada@example.com', { iat, exp: iat + SEVEN_DAYS });
    expect(claimsOf(token)).toMatchObject({ iat, exp: iat + SEVEN_DAYS, authTime: iat * 1000 });
    expect((await call(emulator, 'GET', '/actor/v1/whoami', { token })).status).toBe(200);
  });

  it('mints an expired token that the server rejects', async () => {
    const token = await emulator.sessionToken('ada@example.com', { exp: clock.now() / 1000 - 1 });
    expect((await call(emulator, 'GET', '/actor/v1/whoami', { token })).status).toBe(401);
  });

  it('mints a 2FA-pending token that whoami rejects', async () => {
    const token = await emulator.sessionToken('ada@example.com', { twoFactorRequired: true });
    expect(claimsOf(token).twoFactorRequired).toBe(true);
    expect((await call(emulator, 'GET', '/actor/v1/whoami', { token })).status).toBe(401);
  });

  it('rejects for an unknown e-mail', async () => {
    await expect(emulator.sessionToken('nobody@example.com')).rejects.toThrow(/nobody@example.com/);
  });
});
