import { describe, expect, it } from 'vitest';
import { useEmulator } from '../emulated.ts';

const env = useEmulator();

describe('errors report the status the server really answered', () => {
  it('a token response that is not a token reports its own 2xx status, not 200', async () => {
    const { auth, store } = await env.client();
    env.emulator.faults.next('/login_', { kind: 'status', status: 201, body: 'not a token' });
    await expect(auth.login(await env.user())).rejects.toMatchObject({
      name: 'BalenaRequestError',
      statusCode: 201,
      message: 'Request error: Unexpected response from /login_',
    });
    expect(await store.get()).toBeUndefined();
  });

  it('a whoami body of the wrong shape reports its own status', async () => {
    const { auth } = await env.client({ stored: await env.emulator.sessionToken((await env.user()).email) });
    env.emulator.faults.next('/actor/v1/whoami', {
      kind: 'status',
      status: 203,
      body: '{"id":"not a number"}',
      contentType: 'application/json',
    });
    await expect(auth.whoami()).rejects.toMatchObject({ name: 'BalenaRequestError', statusCode: 203 });
  });

  it('a response with status 0 (no response at all) is a network error, not a 200', async () => {
    const { auth, store } = await env.client({ fetch: async () => Response.error() });
    await expect(auth.login(await env.user())).rejects.toMatchObject({ name: 'BalenaNetworkError' });
    expect(await store.get()).toBeUndefined();
  });

  it('a 3xx that is not a redirect (no Location) is an unexpected response with its status', async () => {
    const { auth } = await env.client();
    env.emulator.faults.next('/login_', { kind: 'status', status: 304 });
    await expect(auth.authenticate(await env.user())).rejects.toMatchObject({
      name: 'BalenaRequestError',
      statusCode: 304,
    });
  });
});
