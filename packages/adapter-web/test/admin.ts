import { inject } from 'vitest';

/** The emulator started by the global setup, driven through its admin routes from the page. */
export const emulatorUrl = inject('emulatorUrl');

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${emulatorUrl}/__emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} /__emulator/${path} answered ${response.status}`);
  return (await response.json()) as T;
}

let users = 0;

/** A new user with a unique e-mail address (the emulator lives as long as the test run). */
export async function newUser(): Promise<{ email: string; password: string }> {
  const user = { email: `web-${Date.now()}-${++users}@example.com`, password: 'correct horse battery' };
  await admin('POST', 'users', user);
  return user;
}

/** A session JWT of `email` the server accepts. */
export async function sessionToken(email: string): Promise<string> {
  return (await admin<{ token: string }>('POST', 'session-tokens', { email })).token;
}
