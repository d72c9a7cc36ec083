import { describe, expect, it } from 'vitest';
import { createAuth, memoryTokenStore } from '../../src/index.ts';
import { createApiClient } from '../../src/testing.ts';
import { useLoopbackServer } from './loopback.ts';

const server = useLoopbackServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify({ id: 1, actorType: 'user', actorTypeId: 1, username: 'ada', email: null }));
});

const UNSENDABLE: Record<string, string> = {
  'a NUL': 'abc\u0000defghijklmnop',
  'a control character': 'abc\u0007defghijklmnop',
  DEL: 'abc\u007fdefghijklmnop',
  'a Latin-1 letter': 'abcdéfghijklmnop',
  'a character beyond Latin-1': 'abc令牌defghijklmnop',
  'a space inside': 'abc defghijklmnop',
  'a tab inside': 'abc\tdefghijklmnop',
};

describe('loginWithToken refuses a credential that cannot be sent as a header', () => {
  it.each(Object.entries(UNSENDABLE))(
    'with %s: BalenaInvalidParameterError naming authToken, without echoing it; nothing stored or sent',
    async (_name, token) => {
      const store = memoryTokenStore();
      const client = createAuth({ apiUrl: server.url, store });
      try {
        await client.ready();
        const error = await client.auth.loginWithToken(token).catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'BalenaInvalidParameterError', parameterName: 'authToken' });
        expect((error as Error).message).not.toContain('abc');
        expect(await store.get()).toBeUndefined();
        expect(await client.auth.isLoggedIn()).toBe(false);
        expect(server.hits).toEqual([]);
      } finally {
        client.stop();
      }
    },
  );

  it('surrounding whitespace is still trimmed, as before', async () => {
    const store = memoryTokenStore();
    const client = createAuth({ apiUrl: server.url, store });
    try {
      await client.auth.loginWithToken('  abcdefghijklmnopqrstuvwxyz012345\n');
      expect(await client.auth.getToken()).toBe('abcdefghijklmnopqrstuvwxyz012345');
    } finally {
      client.stop();
    }
  });
});

describe('the API client never reports a credential it cannot send as a network error', () => {
  it.each(Object.entries(UNSENDABLE))(
    'with %s: BalenaMalformedToken, and no request',
    async (_name, token) => {
      const api = createApiClient({ apiUrl: server.url, requestTimeoutMs: 5000 });
      const error = await api({ path: '/actor/v1/whoami', token }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'BalenaMalformedToken' });
      expect(error).not.toMatchObject({ name: 'BalenaNetworkError' });
      expect(server.hits).toEqual([]);
    },
  );
});
