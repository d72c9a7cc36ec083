import { describe, expect, it } from 'vitest';
import { useEmulator } from '../emulated.ts';

const env = useEmulator();

describe('logout() after stop()', () => {
  it('resolves, as its contract says (it never rejects), and forgets the stored token', async () => {
    const user = await env.user();
    const { auth, stop, store } = await env.client();
    await auth.login(user);
    stop();
    await expect(auth.logout()).resolves.toBeUndefined();
    expect(await store.get()).toBeUndefined();
  });
});
