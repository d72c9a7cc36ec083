import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createAuth, memoryTokenStore } from '../../src/index.ts';
import { createApiClient } from '../../src/testing.ts';
import { fakeJwt } from '../jwt.ts';
import { useLoopbackServer } from './loopback.ts';

/** At most 3 retries, each at least 1 s after the previous answer; a wait over 60 s is not retried. */
const MAX_RETRIES = 3;
const MIN_WAIT_MS = 1000;

const server = useLoopbackServer();

/** The server answers every request 429 with this Retry-After. */
function rateLimitForever(retryAfter: string) {
  server.handle((_request, response) => {
    response
      .writeHead(429, { 'Retry-After': retryAfter, 'Content-Type': 'text/plain' })
      .end('Too Many Requests');
  });
}

const credentials = { email: 'ada@example.com', password: 'a-password-1' };

/** Logs in with retries on against a server that answers 429 forever; the error and how long it took. */
async function loginAgainstRateLimit(retryAfter: string) {
  rateLimitForever(retryAfter);
  const client = createAuth({
    apiUrl: server.url,
    store: memoryTokenStore(),
    retryRateLimitedRequests: true,
  });
  const started = performance.now();
  try {
    const error = await client.auth.login(credentials).catch((e: unknown) => e);
    return { error, elapsed: performance.now() - started };
  } finally {
    client.stop();
  }
}

describe('retryRateLimitedRequests: true retries a 429 a bounded number of times', () => {
  it('Retry-After 0: 4 requests at least 1 s apart, then login rejects BalenaTooManyRequests', async () => {
    const { error, elapsed } = await loginAgainstRateLimit('0');
    expect(error).toMatchObject({
      name: 'BalenaTooManyRequests',
      message: 'Too Many Requests. Try again later',
    });
    expect(server.hits).toHaveLength(1 + MAX_RETRIES);
    expect(elapsed).toBeGreaterThanOrEqual(MAX_RETRIES * MIN_WAIT_MS - 50);
    expect(elapsed).toBeLessThan(MAX_RETRIES * MIN_WAIT_MS + 2000);
  }, 10_000);

  it('Retry-After 10^9 s (beyond any timer): no retry, the call rejects at once after 1 request', async () => {
    const { error, elapsed } = await loginAgainstRateLimit('1000000000');
    expect(error).toMatchObject({ name: 'BalenaTooManyRequests' });
    expect(server.hits).toHaveLength(1);
    expect(elapsed).toBeLessThan(1000);
  }, 10_000);

  it('a request with a token that gives up rejects the same BalenaRequestError 429 as without retries', async () => {
    rateLimitForever('0');
    const stored = fakeJwt({ id: 1, iat: Math.floor(Date.now() / 1000) });
    const client = createAuth({
      apiUrl: server.url,
      store: memoryTokenStore(stored),
      retryRateLimitedRequests: (retryAfterMs) => retryAfterMs < 60_000,
    });
    try {
      await expect(client.auth.whoami()).rejects.toMatchObject({
        name: 'BalenaRequestError',
        statusCode: 429,
        message: 'Request error: Too Many Requests',
      });
    } finally {
      client.stop();
    }
    expect(server.hits).toHaveLength(1 + MAX_RETRIES);
  }, 10_000);

  it('leaves no abort listener behind on the caller’s signal after retrying', async () => {
    let answered = 0;
    server.handle((_request, response) => {
      answered += 1;
      if (answered <= 2) response.writeHead(429, { 'Retry-After': '0' }).end();
      else response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
    const api = createApiClient({
      apiUrl: server.url,
      requestTimeoutMs: 5000,
      retryRateLimitedRequests: true,
    });
    const controller = new AbortController();
    expect(await api({ path: '/ping', signal: controller.signal })).toBe('ok');
    expect(server.hits).toHaveLength(3);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  }, 10_000);
});

describe('without retryRateLimitedRequests', () => {
  it('a 429 rejects at once after one request', async () => {
    rateLimitForever('0');
    const client = createAuth({ apiUrl: server.url, store: memoryTokenStore() });
    try {
      await expect(client.auth.login(credentials)).rejects.toMatchObject({ name: 'BalenaTooManyRequests' });
    } finally {
      client.stop();
    }
    expect(server.hits).toHaveLength(1);
  });
});
