import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, claimsOf, type ManualClock, manualClock, summary, totpAt } from './support.ts';

let emulator: Emulator;
let clock: ManualClock;

beforeEach(async () => {
  clock = manualClock();
  emulator = await startEmulator({ now: clock.now });
});
afterEach(() => emulator.close());

const admin = async (method: string, path: string, json?: unknown) => {
  const response = await call(emulator, method, `/__emulator${path}`, { json });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: await response.json(),
  };
};

describe('admin routes (/__emulator/…)', () => {
  it('POST /users creates a user and answers {id, actorId}', async () => {
    const result = await admin('POST', '/users', { email: 'ada@example.com', password: 'correct horse' });
    expect(result).toEqual({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: { id: 1, actorId: expect.any(Number) },
    });
    const login = await call(emulator, 'POST', '/login_', {
      json: { username: 'ada@example.com', password: 'correct horse' },
    });
    expect(login.status).toBe(200);
  });

  it('POST /users with twoFactor answers the TOTP secret', async () => {
    const { body } = await admin('POST', '/users', {
      email: 'ada@example.com',
      password: 'pw',
      twoFactor: true,
    });
    expect(body.totpSecret).toMatch(/^[A-Z2-7]{32}$/);
  });

  it('POST /users answers 400 {error} for a taken e-mail', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'pw' });
    const result = await admin('POST', '/users', { email: 'ada@example.com', password: 'pw' });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatch(/already exists/);
  });

  it('POST /users answers 400 {error} for a missing password', async () => {
    const result = await admin('POST', '/users', { email: 'ada@example.com' });
    expect(result).toMatchObject({ status: 400, body: { error: 'password must be a string' } });
  });

  it('GET /totp?email= answers the current code', async () => {
    const { totpSecret } = await emulator.createUser({
      email: 'ada@example.com',
      password: 'pw',
      twoFactor: true,
    });
    const result = await admin('GET', `/totp?email=${encodeURIComponent('ada@example.com')}`);
    expect(result.body).toEqual({ code: totpAt(totpSecret as string, clock.now()) });
  });

  it('GET /totp answers 400 {error} for a user without 2FA', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'pw' });
    expect((await admin('GET', '/totp?email=ada@example.com')).status).toBe(400);
  });

  it('GET /outbox answers the verification e-mails', async () => {
    await call(emulator, 'POST', '/user/register', {
      json: { email: 'new@example.com', password: 'pw-12345678' },
    });
    expect((await admin('GET', '/outbox')).body).toEqual(emulator.outbox());
  });

  it('GET /requests answers the log and DELETE /requests empties it', async () => {
    await call(emulator, 'GET', '/actor/v1/whoami');
    expect((await admin('GET', '/requests')).body).toEqual([
      { method: 'GET', path: '/actor/v1/whoami', status: 401, authorization: 'none' },
    ]);
    expect((await admin('DELETE', '/requests')).body).toEqual({ cleared: true });
    expect(emulator.requests()).toEqual([]);
  });

  it('POST /faults queues a fault and DELETE /faults clears the queue', async () => {
    const queued = await admin('POST', '/faults', {
      path: '/login_',
      fault: { kind: 'status', status: 500 },
    });
    expect(queued.body).toEqual({
      queued: { path: '/login_', fault: { kind: 'status', status: 500 }, times: 1 },
    });
    expect((await admin('DELETE', '/faults')).body).toEqual({ cleared: true });
    expect((await call(emulator, 'POST', '/login_', { json: {} })).status).toBe(400);
  });

  it('POST /faults answers 400 {error} for an invalid fault', async () => {
    const result = await admin('POST', '/faults', { path: '/login_', fault: { kind: 'explode' } });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatch(/kind must be one of/);
  });

  it('POST /api-keys creates a user API key', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'pw' });
    const { body } = await admin('POST', '/api-keys', { email: 'ada@example.com' });
    expect((await call(emulator, 'GET', '/actor/v1/whoami', { token: body.key })).status).toBe(200);
  });

  it('POST /session-tokens mints a session JWT with the given claims', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'pw' });
    const { body } = await admin('POST', '/session-tokens', {
      email: 'ada@example.com',
      twoFactorRequired: true,
    });
    expect(claimsOf(body.token).twoFactorRequired).toBe(true);
  });

  it('POST /revoke-sessions revokes the sessions of a user', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'pw' });
    const token = await emulator.sessionToken('ada@example.com');
    expect((await admin('POST', '/revoke-sessions', { email: 'ada@example.com' })).body).toEqual({
      revoked: true,
    });
    expect((await call(emulator, 'GET', '/actor/v1/whoami', { token })).status).toBe(401);
  });

  it('POST /device-keys and /provisioning-keys create keys', async () => {
    const device = (await admin('POST', '/device-keys')).body;
    const application = (await admin('POST', '/provisioning-keys')).body;
    expect(device).toEqual({ key: expect.any(String), uuid: expect.any(String) });
    expect(application).toEqual({ key: expect.any(String), slug: expect.any(String) });
  });

  it('answers 404 {error} for an unknown admin route', async () => {
    const result = await summary(await call(emulator, 'GET', '/__emulator/nothing'));
    expect(result.status).toBe(404);
    expect(JSON.parse(result.body).error).toMatch(/Unknown emulator admin route/);
  });

  it('are never faulted', async () => {
    emulator.faults.next('/__emulator/outbox', { kind: 'reset' });
    expect((await admin('GET', '/outbox')).status).toBe(200);
  });
});
