import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, login, type ManualClock, manualClock, summary } from './support.ts';

const EMPTY_401 = { status: 401, contentType: null, body: '' };

let emulator: Emulator;
let clock: ManualClock;
let session: string;

beforeEach(async () => {
  clock = manualClock();
  emulator = await startEmulator({ now: clock.now });
  await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
  session = await login(emulator, 'ada@example.com', 'correct horse');
});
afterEach(() => emulator.close());

const whoamiStatus = async (token: string) =>
  (await call(emulator, 'GET', '/actor/v1/whoami', { token })).status;

describe('POST /api-key/user/full', () => {
  const create = (token: string | undefined, json: unknown) =>
    call(emulator, 'POST', '/api-key/user/full', { token, json });

  it('answers 200 application/json with the key as a JSON string of 32 alphanumerics', async () => {
    const response = await create(session, { name: 'ci', description: 'for CI', expiryDate: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const key = await response.json();
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await whoamiStatus(key)).toBe(200);
  });

  it('gives a key that stops working at its expiryDate', async () => {
    const expiryDate = new Date(clock.now() + 3600_000).toISOString();
    const key = await (await create(session, { name: 'ci', expiryDate })).json();
    expect(await whoamiStatus(key)).toBe(200);
    clock.advance(3600_000);
    expect(await whoamiStatus(key)).toBe(401);
  });

  it('answers 401 for an API key credential', async () => {
    const apiKey = await emulator.createApiKey('ada@example.com');
    expect(await summary(await create(apiKey, { name: 'ci' }))).toEqual(EMPTY_401);
  });

  it('answers 401 for a 2FA-pending session', async () => {
    const pending = await emulator.sessionToken('ada@example.com', { twoFactorRequired: true });
    expect(await summary(await create(pending, { name: 'ci' }))).toEqual(EMPTY_401);
  });

  it('answers 401 without credentials', async () => {
    expect(await summary(await create(undefined, { name: 'ci' }))).toEqual(EMPTY_401);
  });

  it('answers 400 text/plain without a name', async () => {
    expect(await summary(await create(session, { expiryDate: null }))).toEqual({
      status: 400,
      contentType: 'text/plain; charset=utf-8',
      body: 'Name is required',
    });
  });

  it('answers 400 text/plain for an expiryDate that is not a date', async () => {
    expect(await summary(await create(session, { name: 'ci', expiryDate: 'tomorrow-ish' }))).toEqual({
      status: 400,
      contentType: 'text/plain; charset=utf-8',
      body: 'Invalid expiryDate',
    });
  });
});

describe('GET /v7/api_key and DELETE /v7/api_key(<id>)', () => {
  const listKeys = async (token: string) => (await call(emulator, 'GET', '/v7/api_key', { token })).json();

  it('lists the user API keys of the caller with their ids, never the keys', async () => {
    await call(emulator, 'POST', '/api-key/user/full', { token: session, json: { name: 'ci' } });
    const { d } = await listKeys(session);
    expect(d).toEqual([
      {
        id: 1,
        name: 'ci',
        description: null,
        expiry_date: null,
        created_at: new Date(clock.now()).toISOString(),
        is_of__actor: { __id: expect.any(Number) },
      },
    ]);
  });

  it('revokes a key at once: 200 text/plain OK, then the key gets 401', async () => {
    const key = await (
      await call(emulator, 'POST', '/api-key/user/full', { token: session, json: { name: 'ci' } })
    ).json();
    const [{ id }] = (await listKeys(session)).d;
    const response = await call(emulator, 'DELETE', `/v7/api_key(${id})`, { token: session });
    expect(await summary(response)).toEqual({
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: 'OK',
    });
    expect(await whoamiStatus(key)).toBe(401);
  });

  it("answers 404 for another user's key and leaves it working", async () => {
    await emulator.createUser({ email: 'bob@example.com', password: 'battery staple' });
    const bobsKey = await emulator.createApiKey('bob@example.com');
    const [{ id }] = (await listKeys(bobsKey)).d;
    const response = await call(emulator, 'DELETE', `/v7/api_key(${id})`, { token: session });
    expect(await summary(response)).toEqual({
      status: 404,
      contentType: 'text/plain; charset=utf-8',
      body: 'Not Found',
    });
    expect(await whoamiStatus(bobsKey)).toBe(200);
  });

  it('answers 401 without credentials', async () => {
    expect(await summary(await call(emulator, 'DELETE', '/v7/api_key(1)'))).toEqual(EMPTY_401);
  });
});

describe('device and provisioning key routes', () => {
  it('POST /api-key/device/:deviceId/device-key gives another key of that device', async () => {
    const { key, uuid } = await emulator.createDeviceKey();
    const device = await (await call(emulator, 'GET', '/actor/v1/whoami', { token: key })).json();
    const response = await call(emulator, 'POST', `/api-key/device/${device.actorTypeId}/device-key`, {
      token: session,
      json: {},
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const newKey = await response.json();
    const whoami = await (await call(emulator, 'GET', '/actor/v1/whoami', { token: newKey })).json();
    expect(whoami).toMatchObject({ actorType: 'device', uuid });
  });

  it('POST /api-key/device/:deviceId/device-key answers 404 text/plain for an unknown device', async () => {
    const response = await call(emulator, 'POST', '/api-key/device/999/device-key', { token: session });
    expect(await summary(response)).toEqual({
      status: 404,
      contentType: 'text/plain; charset=utf-8',
      body: 'Device not found',
    });
  });

  it('POST /api-key/device/:deviceId/device-key answers 401 without a user', async () => {
    const { key } = await emulator.createDeviceKey();
    expect(
      await summary(await call(emulator, 'POST', '/api-key/device/1/device-key', { token: key })),
    ).toEqual(EMPTY_401);
  });

  it('POST /api-key/application/:appId/provisioning gives another key of that application', async () => {
    const { key, slug } = await emulator.createProvisioningKey();
    const app = await (await call(emulator, 'GET', '/actor/v1/whoami', { token: key })).json();
    const response = await call(emulator, 'POST', `/api-key/application/${app.actorTypeId}/provisioning`, {
      token: session,
      json: { name: 'fleet key', expiryDate: new Date(clock.now() + 3600_000).toISOString() },
    });
    const newKey = await response.json();
    const whoami = await (await call(emulator, 'GET', '/actor/v1/whoami', { token: newKey })).json();
    expect(whoami).toMatchObject({ actorType: 'application', slug });
  });

  it('POST /api-key/application/:appId/provisioning answers 404 text/plain for an unknown application', async () => {
    const response = await call(emulator, 'POST', '/api-key/application/999/provisioning', {
      token: session,
    });
    expect(await summary(response)).toEqual({
      status: 404,
      contentType: 'text/plain; charset=utf-8',
      body: 'Application not found',
    });
  });
});
