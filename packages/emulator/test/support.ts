import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import type { Emulator } from '../src/index.ts';

/** 2030-01-01T00:00:00Z, a whole TOTP step, so tests can move within and across steps on purpose. */
export const START_TIME = Date.UTC(2030, 0, 1);

/** A clock the tests move by hand, passed to the emulator as `now`. */
export interface ManualClock {
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = START_TIME): ManualClock {
  let time = start;
  return {
    now: () => time,
    advance(ms) {
      time += ms;
    },
  };
}

export interface CallOptions {
  json?: unknown;
  form?: Record<string, string>;
  token?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A real HTTP request to the emulator. */
export function call(emulator: Emulator, method: string, path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return fetch(`${emulator.url}${path}`, { method, headers, body, signal: options.signal });
}

/** `POST /login_` and return the token, failing the test if the login does not succeed. */
export async function login(emulator: Emulator, username: string, password: string): Promise<string> {
  const response = await call(emulator, 'POST', '/login_', { json: { username, password } });
  if (response.status !== 200) throw new Error(`login of ${username} answered ${response.status}`);
  return response.text();
}

/** The claims of a JWT, decoded without verifying it. */
export function claimsOf(token: string): Record<string, unknown> {
  return decodeJwt(token);
}

/** The TOTP code of a base32 secret at a time, computed independently of the emulator. */
export function totpAt(secret: string, timestamp: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp,
  });
}

/** The status, content type and body of a response. */
export async function summary(response: Response) {
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: await response.text(),
  };
}
