import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../src/index.ts';
import { call } from './support.ts';

const DEMO_PAGE = 'http://127.0.0.1:48480';
const EVIL = 'http://evil.example';

const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

async function emulatorWith(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await startEmulator(options);
  running.push(emulator);
  await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
  return emulator;
}

/** Whether the emulator has a user who can log in with these credentials. */
async function canLogIn(emulator: Emulator, username: string, password: string): Promise<boolean> {
  return (await call(emulator, 'POST', '/login_', { json: { username, password } })).status === 200;
}

/** A request with a Host header of our choosing (fetch would not send one). */
function requestWithHost(emulator: Emulator, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${emulator.url}${path}`, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the admin API (/__emulator/…) and web origins', () => {
  it('refuses a request from another origin with 403 and no CORS headers', async () => {
    const emulator = await emulatorWith();
    const response = await call(emulator, 'GET', '/__emulator/outbox', { headers: { origin: EVIL } });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(await response.json()).toEqual({
      error: `The emulator admin API refuses requests from the origin ${EVIL}: allow it with the adminOrigins option`,
    });
  });

  it('refuses a form POST from another origin (a no-CORS request), so it cannot create users or mint tokens', async () => {
    const emulator = await emulatorWith();
    const users = await call(emulator, 'POST', '/__emulator/users', {
      headers: { origin: EVIL },
      form: { email: 'mallory@example.com', password: 'chosen by mallory' },
    });
    expect(users.status).toBe(403);
    expect(await canLogIn(emulator, 'mallory@example.com', 'chosen by mallory')).toBe(false);

    const minted = await call(emulator, 'POST', '/__emulator/session-tokens', {
      headers: { origin: EVIL },
      form: { email: 'ada@example.com' },
    });
    expect(minted.status).toBe(403);
    expect(await minted.text()).not.toMatch(/eyJ/);
  });

  it('refuses a preflight for an admin route from another origin', async () => {
    const emulator = await emulatorWith();
    const response = await call(emulator, 'OPTIONS', '/__emulator/session-tokens', {
      headers: {
        origin: EVIL,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('refuses "null", the origin of sandboxed frames and local files', async () => {
    const emulator = await emulatorWith();
    const response = await call(emulator, 'GET', '/__emulator/requests', { headers: { origin: 'null' } });
    expect(response.status).toBe(403);
  });

  it('refuses a cross-site request that carries no Origin (an <img> or <script> GET)', async () => {
    const emulator = await emulatorWith();
    const response = await call(emulator, 'GET', `/__emulator/totp?email=ada@example.com`, {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
    });
    expect(response.status).toBe(403);
  });

  it('refuses a request addressed to a host name that is not loopback (DNS rebinding)', async () => {
    const emulator = await emulatorWith();
    const port = new URL(emulator.url).port;
    expect(await requestWithHost(emulator, '/__emulator/outbox', `evil.example:${port}`)).toBe(403);
    expect(await requestWithHost(emulator, '/__emulator/outbox', `localhost:${port}`)).toBe(200);
  });

  it('answers an origin in adminOrigins, with its CORS headers, and its preflights', async () => {
    const emulator = await emulatorWith({ adminOrigins: [DEMO_PAGE] });
    const response = await call(emulator, 'POST', '/__emulator/session-tokens', {
      headers: { origin: DEMO_PAGE },
      json: { email: 'ada@example.com' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(DEMO_PAGE);
    expect((await response.json()).token).toMatch(/^eyJ/);

    const preflight = await call(emulator, 'OPTIONS', '/__emulator/session-tokens', {
      headers: { origin: DEMO_PAGE, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(DEMO_PAGE);
  });

  it('still refuses other origins when adminOrigins is set', async () => {
    const emulator = await emulatorWith({ adminOrigins: [DEMO_PAGE] });
    const otherPort = await call(emulator, 'GET', '/__emulator/outbox', {
      headers: { origin: 'http://127.0.0.1:48481' },
    });
    expect(otherPort.status).toBe(403);
  });

  it('answers requests without an Origin (server-side code, curl) and from its own origin', async () => {
    const emulator = await emulatorWith();
    expect((await call(emulator, 'GET', '/__emulator/outbox')).status).toBe(200);
    const sameOrigin = await call(emulator, 'GET', '/__emulator/outbox', {
      headers: { origin: emulator.url, 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.status).toBe(200);
  });

  it('keeps answering the public auth API for any origin, with the CORS headers of the real API', async () => {
    const emulator = await emulatorWith();
    const response = await call(emulator, 'POST', '/login_', {
      headers: { origin: EVIL },
      json: { username: 'ada@example.com', password: 'correct horse' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(EVIL);
  });

  it.each([
    ['a path', ['http://127.0.0.1:48480/demo']],
    ['not a URL', ['127.0.0.1:48480']],
    ['another scheme', ['file:///tmp']],
    ['a wildcard', ['*']],
    ['not a string', [48480]],
    ['not an array', 'http://127.0.0.1:48480'],
  ])('rejects adminOrigins holding %s before binding', async (_kind, adminOrigins) => {
    await expect(startEmulator({ adminOrigins: adminOrigins as unknown as string[] })).rejects.toThrow(
      /^adminOrigins must be/,
    );
  });
});
