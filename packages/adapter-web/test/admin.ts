import { inject } from 'vitest';
import { commands } from 'vitest/browser';

/**
 * The emulator started by the global setup. The page talks to its auth API directly; its admin
 * routes, which answer no foreign web origin, are driven from Node through a browser command.
 */
export const emulatorUrl = inject('emulatorUrl');

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await commands.emulatorAdmin(method, path, body)) as T;
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
