import { describe, expect, it } from 'vitest';
import { useEmulator } from './emulated.ts';

const env = useEmulator();

/**
 * A `fetch` that, like the browser's `window.fetch`, throws "Illegal invocation" unless it is
 * called as a plain function (or on the global object).
 */
function windowLikeFetch() {
  const calls: string[] = [];
  const fetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
    if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
    calls.push(String(input));
    return globalThis.fetch(input, init);
  } as typeof globalThis.fetch;
  return { fetch, calls };
}

describe('the fetch option', () => {
  it('is called as a plain function, as window.fetch needs, by the auth calls and by client.api', async () => {
    const user = await env.user();
    const { fetch, calls } = windowLikeFetch();
    const { auth, api } = await env.client({ fetch });
    await auth.login(user);
    const whoami = await auth.whoami();
    expect(await api('/actor/v1/whoami')).toEqual(whoami);
    expect(calls.map((url) => new URL(url).pathname)).toEqual([
      '/login_',
      '/actor/v1/whoami',
      '/actor/v1/whoami',
    ]);
  });
});
