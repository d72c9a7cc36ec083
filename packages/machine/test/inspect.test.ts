import { createInspector } from '@statelyai/inspect';
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { useEmulator } from './emulated.ts';

const env = useEmulator();
const DAY = 24 * 60 * 60 * 1000;

/** JSON of everything reachable from the events' data, actor snapshots included, cycles cut. */
function serialize(events: unknown[]): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(events, (key, value) => {
    if (typeof value === 'function') return undefined;
    if (value && typeof value === 'object') {
      if (seen.has(value)) return '[seen]';
      seen.add(value);
      if ((key === 'actorRef' || key === 'sourceRef') && 'getSnapshot' in value) {
        return { snapshot: (value as { getSnapshot(): unknown }).getSnapshot() };
      }
      if (value instanceof Error) return { ...value, message: value.message, name: value.name };
    }
    return value;
  });
}

describe('inspection', () => {
  it('a full flow (login, 2FA challenge, whoami, refresh, register, logout) shows no secret to an inspector', async () => {
    const raw: InspectionEvent[] = [];
    const sentToInspector: unknown[] = [];
    const inspector = createInspector({
      send: (event) => sentToInspector.push(event),
      start() {},
      stop() {},
    });
    const clock = { now: Date.now() };
    const user = await env.user(true);
    const { auth, store } = await env.client({
      now: () => clock.now,
      inspect: {
        next: (event) => {
          raw.push(event);
          inspector.inspect.next?.(event);
        },
      },
    });

    const secrets: string[] = [user.password];
    await auth.login(user);
    secrets.push((await store.get()) as string);
    const code = env.emulator.totp(user.email);
    secrets.push(code);
    await auth.twoFactor.challenge(code);
    secrets.push((await store.get()) as string);
    await auth.whoami();
    clock.now += DAY + 1000;
    await auth.isLoggedIn();
    secrets.push((await store.get()) as string);
    const registered = await auth.register({
      email: 'inspected@example.com',
      password: 'registration-secret',
    });
    secrets.push('registration-secret', registered);
    await auth.logout();
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(env.emulator.requests().some((r) => r.path === '/user/v1/refresh-token' && r.status === 200)).toBe(
      true,
    );
    const rawJson = serialize(raw);
    const inspectorJson = serialize(sentToInspector);
    expect(raw.length).toBeGreaterThan(50);
    expect(sentToInspector.length).toBeGreaterThan(50);
    expect(rawJson).toContain('(redacted)');
    for (const secret of new Set(secrets)) {
      expect(rawJson).not.toContain(secret);
      expect(inspectorJson).not.toContain(secret);
    }
  });

  it('errors thrown to callers carry no token in their message or enumerable fields', async () => {
    const { auth } = await env.client();
    const token = `${await env.emulator.sessionToken((await env.user()).email, { exp: 1 })}`;
    const error = await auth.loginWithToken(token).catch((e) => e);
    expect(error.code).toBe('BalenaExpiredToken');
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(token);
    expect(error.token).toBe(token);
  });
});
