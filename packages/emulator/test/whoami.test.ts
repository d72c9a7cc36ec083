import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, login, summary } from './support.ts';

let emulator: Emulator;
let ada: { id: number; actorId: number };

beforeEach(async () => {
  emulator = await startEmulator();
  ada = await emulator.createUser({ email: 'ada@example.com', password: 'correct horse', username: 'ada' });
});
afterEach(() => emulator.close());

const EMPTY_401 = { status: 401, contentType: null, body: '' };

describe('GET /actor/v1/whoami', () => {
  const whoami = async (token?: string) => call(emulator, 'GET', '/actor/v1/whoami', { token });

  it('answers the user actor for a session JWT', async () => {
    const response = await whoami(await login(emulator, 'ada', 'correct horse'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      id: ada.actorId,
      actorType: 'user',
      actorTypeId: ada.id,
      username: 'ada',
      email: 'ada@example.com',
    });
  });

  it('uses actor ids that differ from user ids', async () => {
    const body = await (await whoami(await login(emulator, 'ada', 'correct horse'))).json();
    expect(body.id).not.toBe(body.actorTypeId);
    expect(body.id).toBeGreaterThanOrEqual(1000);
  });

  it('answers the user actor for a user API key', async () => {
    const response = await whoami(await emulator.createApiKey('ada@example.com'));
    expect(await response.json()).toEqual({
      id: ada.actorId,
      actorType: 'user',
      actorTypeId: ada.id,
      username: 'ada',
      email: 'ada@example.com',
    });
  });

  it('accepts the API key as an apikey query parameter', async () => {
    const key = await emulator.createApiKey('ada@example.com');
    const response = await call(emulator, 'GET', `/actor/v1/whoami?apikey=${key}`);
    expect(response.status).toBe(200);
  });

  it('answers the device actor for a device key', async () => {
    const { key, uuid } = await emulator.createDeviceKey();
    const body = await (await whoami(key)).json();
    expect(body).toEqual({
      id: expect.any(Number),
      actorType: 'device',
      actorTypeId: expect.any(Number),
      uuid,
    });
    expect(uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(body.id).not.toBe(ada.actorId);
  });

  it('answers the application actor for a provisioning key', async () => {
    const { key, slug } = await emulator.createProvisioningKey();
    const body = await (await whoami(key)).json();
    expect(body).toEqual({
      id: expect.any(Number),
      actorType: 'application',
      actorTypeId: expect.any(Number),
      slug,
    });
  });

  it('answers 401 with an empty body without credentials', async () => {
    expect(await summary(await whoami())).toEqual(EMPTY_401);
  });

  it('answers 401 with an empty body for an unknown API key', async () => {
    expect(await summary(await whoami('a'.repeat(32)))).toEqual(EMPTY_401);
  });

  it('answers 401 with an empty body for a JWT that is not one of ours', async () => {
    expect(await summary(await whoami('not.a.jwt'))).toEqual(EMPTY_401);
  });

  it('answers 401 with an empty body for a 2FA-pending session', async () => {
    await emulator.createUser({ email: 'twofa@example.com', password: 'pw-12345678', twoFactor: true });
    expect(await summary(await whoami(await login(emulator, 'twofa@example.com', 'pw-12345678')))).toEqual(
      EMPTY_401,
    );
  });

  it('answers 401 with an empty body for a revoked session', async () => {
    const token = await login(emulator, 'ada', 'correct horse');
    emulator.revokeSessions('ada@example.com');
    expect(await summary(await whoami(token))).toEqual(EMPTY_401);
  });
});

describe('GET /user/v1/whoami', () => {
  const userWhoami = async (token?: string) => call(emulator, 'GET', '/user/v1/whoami', { token });

  it('answers {id: user id, username, email} for a session JWT', async () => {
    const response = await userWhoami(await login(emulator, 'ada', 'correct horse'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ id: ada.id, username: 'ada', email: 'ada@example.com' });
  });

  it('answers the user for a user API key', async () => {
    const response = await userWhoami(await emulator.createApiKey('ada@example.com'));
    expect(await response.json()).toEqual({ id: ada.id, username: 'ada', email: 'ada@example.com' });
  });

  it('answers 401 for a device key', async () => {
    const { key } = await emulator.createDeviceKey();
    expect(await summary(await userWhoami(key))).toEqual(EMPTY_401);
  });

  it('answers 401 for a provisioning key', async () => {
    const { key } = await emulator.createProvisioningKey();
    expect(await summary(await userWhoami(key))).toEqual(EMPTY_401);
  });

  it('answers 401 for a 2FA-pending session', async () => {
    const token = await emulator.sessionToken('ada@example.com', { twoFactorRequired: true });
    expect(await summary(await userWhoami(token))).toEqual(EMPTY_401);
  });

  it('answers 401 without credentials', async () => {
    expect(await summary(await userWhoami())).toEqual(EMPTY_401);
  });
});
