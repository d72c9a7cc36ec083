import { describe, expect, it } from 'vitest';
import { memoryTokenStore } from '../../src/index.ts';
import { useEmulator } from '../emulated.ts';

const env = useEmulator();

/** A JWT-shaped token whose payload carries `bytes` of padding next to ordinary claims. */
function jwtWithPayload(bytes: number) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { id: 1, iat: now, exp: now + 3600, padding: 'x'.repeat(bytes) };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}.signature`;
}

describe('a JWT with a megabytes-long payload', () => {
  it('is refused by loginWithToken at once, naming the parameter', async () => {
    const { auth } = await env.client();
    const started = performance.now();
    await expect(auth.loginWithToken(jwtWithPayload(2_000_000))).rejects.toMatchObject({
      code: 'BalenaInvalidParameterError',
      parameterName: 'authToken',
    });
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('in the store, is no usable credential, and 100 local calls stay fast', async () => {
    const { auth } = await env.client({ store: memoryTokenStore(jwtWithPayload(2_000_000)) });
    const started = performance.now();
    for (let i = 0; i < 100; i++) {
      await expect(auth.getToken()).rejects.toMatchObject({ code: 'BalenaNotLoggedIn' });
      expect(await auth.isLoggedIn()).toBe(false);
    }
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('of a usable size, has its claims decoded once and kept with it, not decoded again per call', async () => {
    const token = jwtWithPayload(5_000);
    const { auth, actor } = await env.client({ store: memoryTokenStore(token) });
    const { context } = actor.getSnapshot();
    expect(context.token).toBe(token);
    expect(context.claims).toEqual({ iat: expect.any(Number), exp: expect.any(Number) });
    expect(await auth.twoFactor.isPassed()).toBe(true);
  });
});
