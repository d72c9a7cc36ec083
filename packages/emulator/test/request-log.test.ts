import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, login } from './support.ts';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator();
  await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
});
afterEach(() => emulator.close());

describe('the request log', () => {
  it('records method, pathname without query, final status and X-Balena-Client', async () => {
    await call(emulator, 'GET', '/actor/v1/whoami?$select=id', {
      headers: { 'x-balena-client': 'balena-sdk/22.4.9' },
    });
    expect(emulator.requests()).toEqual([
      {
        method: 'GET',
        path: '/actor/v1/whoami',
        status: 401,
        authorization: 'none',
        client: 'balena-sdk/22.4.9',
      },
    ]);
  });

  it('labels a JWT credential as jwt and any other as apikey, valid or not', async () => {
    const token = await login(emulator, 'ada@example.com', 'correct horse');
    emulator.clearRequests();
    await call(emulator, 'GET', '/actor/v1/whoami', { token });
    await call(emulator, 'GET', '/actor/v1/whoami', { token: 'no-such-key' });
    await call(emulator, 'GET', '/actor/v1/whoami?apikey=no-such-key');
    expect(emulator.requests().map((record) => [record.authorization, record.status])).toEqual([
      ['jwt', 200],
      ['apikey', 401],
      ['apikey', 401],
    ]);
  });

  it('leaves out OPTIONS preflights and admin requests', async () => {
    await call(emulator, 'OPTIONS', '/login_', { headers: { origin: 'http://app.test' } });
    await call(emulator, 'GET', '/__emulator/outbox');
    expect(emulator.requests()).toEqual([]);
  });

  it('records status 0 for a reset', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'reset' });
    await call(emulator, 'GET', '/actor/v1/whoami').catch(() => undefined);
    expect(emulator.requests()).toEqual([
      { method: 'GET', path: '/actor/v1/whoami', status: 0, authorization: 'none' },
    ]);
  });

  it('records status 0 for a hang the client gave up on', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'hang' });
    await call(emulator, 'GET', '/actor/v1/whoami', { signal: AbortSignal.timeout(100) }).catch(
      () => undefined,
    );
    expect(emulator.requests()[0].status).toBe(0);
  });

  it('records the status of faults that answer', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'status', status: 503 });
    await call(emulator, 'GET', '/actor/v1/whoami');
    expect(emulator.requests()[0].status).toBe(503);
  });

  it('gives copies: changing them does not change the log', async () => {
    await call(emulator, 'GET', '/actor/v1/whoami');
    emulator.requests()[0].status = 999;
    expect(emulator.requests()[0].status).toBe(401);
  });

  it('is emptied by clearRequests()', async () => {
    await call(emulator, 'GET', '/actor/v1/whoami');
    emulator.clearRequests();
    expect(emulator.requests()).toEqual([]);
  });
});
