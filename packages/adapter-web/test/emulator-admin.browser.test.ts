import { describe, expect, it } from 'vitest';
import { emulatorUrl } from './admin.ts';

// This page's origin (vitest's page server) is not one the emulator was told to allow.
describe("the emulator's admin API, seen from a page on another origin", () => {
  it('cannot be read: the browser gets no CORS headers, so fetch fails', async () => {
    await expect(fetch(`${emulatorUrl}/__emulator/outbox`)).rejects.toThrow(TypeError);
  });

  it('cannot create a user with a form POST (a no-CORS request the browser sends anyway)', async () => {
    const credentials = { email: `mallory-${Date.now()}@example.com`, password: 'chosen by mallory' };
    const sent = await fetch(`${emulatorUrl}/__emulator/users`, {
      method: 'POST',
      mode: 'no-cors',
      body: new URLSearchParams(credentials),
    });
    expect(sent.type).toBe('opaque');
    const login = await fetch(`${emulatorUrl}/login_`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: credentials.email, password: credentials.password }),
    });
    expect(login.status).toBe(401);
  });
});
