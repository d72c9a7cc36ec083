import { describe, expect, it } from 'vitest';
import { useEmulator } from '../emulated.ts';

const env = useEmulator();

describe('a TOTP challenge answered with a token that still requires 2FA', () => {
  it('rejects, stays in awaitingTwoFactor (isPassed false) and keeps the stored token', async () => {
    const user = await env.user(true);
    const { auth, actor, store } = await env.client();
    await auth.login(user);
    const pending = await store.get();
    const stillPending = await env.emulator.sessionToken(user.email, { twoFactorRequired: true });
    env.emulator.faults.next('/auth/totp/verify', {
      kind: 'status',
      status: 200,
      body: stillPending,
      contentType: 'text/plain',
    });
    await expect(auth.twoFactor.challenge(env.emulator.totp(user.email))).rejects.toMatchObject({
      code: 'BalenaRequestError',
      statusCode: 401,
    });
    expect(actor.getSnapshot().matches({ session: 'awaitingTwoFactor' })).toBe(true);
    expect(await auth.twoFactor.isPassed()).toBe(false);
    expect(await store.get()).toBe(pending);
    expect(await auth.getToken()).toBe(pending);
  });
});
