import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, summary } from './support.ts';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.close());

const whoami = (init: RequestInit = {}) => fetch(`${emulator.url}/actor/v1/whoami`, init);

describe('fault kinds, seen from the client', () => {
  it('reset: fetch rejects with a network error', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'reset' });
    const failure = await whoami().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as TypeError).message).toBe('fetch failed');
  });

  it('hang: the client times out', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'hang' });
    const failure = await whoami({ signal: AbortSignal.timeout(300) }).catch((error: unknown) => error);
    expect((failure as Error).name).toBe('TimeoutError');
  });

  it('rateLimit: 429 with Retry-After and the body "Too Many Requests"', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'rateLimit', retryAfterSeconds: 7 });
    const response = await whoami();
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await summary(response)).toEqual({
      status: 429,
      contentType: 'text/plain; charset=utf-8',
      body: 'Too Many Requests',
    });
  });

  it('delay: answers normally after the delay', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'delay', ms: 200 });
    const started = performance.now();
    const response = await whoami();
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(response.status).toBe(401);
  });

  it('html: a text/html page with status 502 by default', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'html' });
    const { status, contentType, body } = await summary(await whoami());
    expect(status).toBe(502);
    expect(contentType).toMatch(/^text\/html/);
    expect(body).toMatch(/^<html>/);
  });

  it('html: with the given status', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'html', status: 503 });
    expect((await whoami()).status).toBe(503);
  });

  it('invalidJson: application/json that does not parse, status 200 by default', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'invalidJson' });
    const response = await whoami();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it('invalidJson: with the given status', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'invalidJson', status: 500 });
    expect((await whoami()).status).toBe(500);
  });

  it('status: the status with the given body, content type and headers', async () => {
    emulator.faults.next('/actor/v1/whoami', {
      kind: 'status',
      status: 503,
      body: '{"message":"down"}',
      contentType: 'application/json',
      headers: { 'X-Emulator-Fault': 'yes' },
    });
    const response = await whoami();
    expect(response.headers.get('x-emulator-fault')).toBe('yes');
    expect(await summary(response)).toEqual({
      status: 503,
      contentType: 'application/json',
      body: '{"message":"down"}',
    });
  });

  it('status: a body without a content type is text/plain', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'status', status: 500, body: 'boom' });
    expect(await summary(await whoami())).toEqual({
      status: 500,
      contentType: 'text/plain; charset=utf-8',
      body: 'boom',
    });
  });

  it('status: without a body the body is empty', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'status', status: 500 });
    expect(await summary(await whoami())).toEqual({ status: 500, contentType: null, body: '' });
  });
});

describe('which requests a fault applies to', () => {
  it('applies `times` times, then stops', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'status', status: 503 }, 2);
    expect((await whoami()).status).toBe(503);
    expect((await whoami()).status).toBe(503);
    expect((await whoami()).status).toBe(401);
  });

  it('applies once by default', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'status', status: 503 });
    expect((await whoami()).status).toBe(503);
    expect((await whoami()).status).toBe(401);
  });

  it('applies faults queued for one path in order', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'status', status: 500 });
    emulator.faults.next('/actor/v1/whoami', { kind: 'status', status: 502 });
    expect((await whoami()).status).toBe(500);
    expect((await whoami()).status).toBe(502);
  });

  it('matches the pathname exactly, with any method and any query', async () => {
    emulator.faults.next('/login_', { kind: 'status', status: 500 }, 2);
    expect((await whoami()).status).toBe(401);
    expect((await call(emulator, 'GET', '/login_?x=1')).status).toBe(500);
    expect((await call(emulator, 'POST', '/login_', { json: {} })).status).toBe(500);
  });

  it('never applies to OPTIONS preflights', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'status', status: 503 });
    expect((await whoami({ method: 'OPTIONS' })).status).toBe(204);
    expect((await whoami()).status).toBe(503);
  });

  it('clear() drops every queued fault', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'reset' }, 5);
    emulator.faults.clear();
    expect((await whoami()).status).toBe(401);
  });

  it('next() throws for an invalid fault or count', () => {
    expect(() => emulator.faults.next('/x', { kind: 'status', status: 42 })).toThrow(/status/);
    expect(() => emulator.faults.next('/x', { kind: 'reset' }, 0)).toThrow(/times/);
    expect(() => emulator.faults.next('x', { kind: 'reset' })).toThrow(/path/);
  });

  it('can be installed through the admin route', async () => {
    const response = await call(emulator, 'POST', '/__emulator/faults', {
      json: { path: '/actor/v1/whoami', fault: { kind: 'rateLimit', retryAfterSeconds: 3 }, times: 2 },
    });
    expect(response.status).toBe(200);
    expect((await whoami()).status).toBe(429);
    expect((await whoami()).status).toBe(429);
    expect((await whoami()).status).toBe(401);
  });
});

describe('faults and close()', () => {
  it('close() ends a hanging request and resolves', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'hang' });
    const pending = whoami().catch((error: unknown) => error);
    await waitForRequest();
    await emulator.close();
    expect(await pending).toBeInstanceOf(TypeError);
  });

  it('close() cancels a pending delay without waiting for it', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'delay', ms: 60_000 });
    const pending = whoami().catch((error: unknown) => error);
    await waitForRequest();
    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(TypeError);
  });
});

async function waitForRequest(): Promise<void> {
  while (emulator.requests().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}
