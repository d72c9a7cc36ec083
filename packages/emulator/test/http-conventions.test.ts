import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, summary } from './support.ts';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.close());

describe('CORS', () => {
  it('echoes the Origin with credentials allowed, Vary: Origin and Retry-After exposed', async () => {
    const response = await call(emulator, 'GET', '/actor/v1/whoami', {
      headers: { origin: 'http://app.test' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://app.test');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('vary')).toBe('Origin');
    expect(response.headers.get('access-control-expose-headers')).toBe('Retry-After');
  });

  it('puts the CORS headers on errors from faults too', async () => {
    emulator.faults.next('/actor/v1/whoami', { kind: 'rateLimit', retryAfterSeconds: 1 });
    const response = await call(emulator, 'GET', '/actor/v1/whoami', {
      headers: { origin: 'http://app.test' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://app.test');
  });

  it('sends no Access-Control-Allow-Origin without an Origin', async () => {
    const response = await call(emulator, 'GET', '/actor/v1/whoami');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight 204 with the allowed methods and the requested headers echoed', async () => {
    const response = await call(emulator, 'OPTIONS', '/login_', {
      headers: {
        origin: 'http://app.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization,x-balena-client',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://app.test');
    expect(response.headers.get('access-control-allow-methods')).toBe(
      'GET, POST, PATCH, PUT, DELETE, OPTIONS',
    );
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'content-type,authorization,x-balena-client',
    );
  });

  it('answers preflights for unknown paths too', async () => {
    const response = await call(emulator, 'OPTIONS', '/nowhere', { headers: { origin: 'http://app.test' } });
    expect(response.status).toBe(204);
  });
});

describe('proxied plain-HTTP requests', () => {
  it('answer 301 to https when X-Forwarded-For comes without X-Forwarded-Proto: https', async () => {
    const response = await fetch(`${emulator.url}/actor/v1/whoami?x=1`, {
      headers: { 'x-forwarded-for': '203.0.113.7' },
      redirect: 'manual',
    });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe(
      `${emulator.url.replace('http:', 'https:')}/actor/v1/whoami?x=1`,
    );
  });

  it('are served normally with X-Forwarded-Proto: https', async () => {
    const response = await call(emulator, 'GET', '/actor/v1/whoami', {
      headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
    });
    expect(response.status).toBe(401);
  });
});

describe('unknown routes', () => {
  it("answer 404 text/html with Express's page", async () => {
    const { status, contentType, body } = await summary(await call(emulator, 'GET', '/whoami'));
    expect(status).toBe(404);
    expect(contentType).toBe('text/html; charset=utf-8');
    expect(body).toContain('<pre>Cannot GET /whoami</pre>');
  });

  it('answer 404 for a known path with another method', async () => {
    const { status, body } = await summary(await call(emulator, 'DELETE', '/login_'));
    expect(status).toBe(404);
    expect(body).toContain('<pre>Cannot DELETE /login_</pre>');
  });
});
