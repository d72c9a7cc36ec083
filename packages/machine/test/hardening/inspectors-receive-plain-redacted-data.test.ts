import { inspect as utilInspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { useEmulator } from '../emulated.ts';

const env = useEmulator();
const DAY = 24 * 60 * 60 * 1000;

/** The names of the per-client services: none of them may be reachable from an inspection event. */
const SERVICE_NAMES = new Set([
  'readStoredToken',
  'saveToken',
  'removeStoredToken',
  'loginWithPassword',
  'authenticate',
  'register',
  'verifyEmail',
  'fetchActor',
  'refreshToken',
  'verifyTotp',
  'fetchSetupKey',
  'disableTwoFactor',
  'markVerificationEmailSent',
]);
/** Fields of live XState objects that lead to the actor system, its snapshots and its services. */
const LIVE_FIELDS = [
  '_snapshot',
  'system',
  'getPersistedSnapshot',
  '_actorScope',
  'machine',
  'implementations',
];

const BUILT_IN_PROTOTYPES = new Set<unknown>([
  Object.prototype,
  Function.prototype,
  Array.prototype,
  Error.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  Promise.prototype,
]);

/** A secret, and each JWT segment of it longer than 20 characters (a token may leak in parts). */
function secretParts(secret: string): string[] {
  const parts = secret.startsWith('eyJ') ? secret.split('.').filter((part) => part.length > 20) : [];
  return [secret, ...parts];
}

/**
 * Everything reachable from `root`: own properties (enumerable or not, symbols too, getters read),
 * prototypes other than the built-in ones, and what each function reachable returns when called
 * without arguments (awaited). Reports every string that holds a secret and every live object.
 */
async function reachable(root: unknown, secrets: string[], store: object) {
  const problems: string[] = [];
  const seen = new Set<unknown>();
  const queue: { value: unknown; path: string; calls: number }[] = [{ value: root, path: 'event', calls: 0 }];
  const visit = (value: unknown, path: string, calls: number) => queue.push({ value, path, calls });
  while (queue.length > 0 && seen.size < 50_000 && problems.length < 10) {
    const { value, path, calls } = queue.shift() as (typeof queue)[number];
    if (typeof value === 'string') {
      for (const secret of secrets) if (value.includes(secret)) problems.push(`a secret at ${path}`);
      continue;
    }
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value))
      continue;
    seen.add(value);
    if (value === store) problems.push(`the token store at ${path}`);
    if (typeof value === 'function') {
      if (SERVICE_NAMES.has(value.name)) problems.push(`the service ${value.name} at ${path}`);
      if (calls < 3) {
        try {
          let result: unknown = (value as () => unknown)();
          if (result instanceof Promise) result = await result.catch((error: unknown) => error);
          visit(result, `${path}()`, calls + 1);
        } catch (error) {
          visit(error, `${path}() threw`, calls + 1);
        }
      }
    }
    for (const field of LIVE_FIELDS) if (Object.hasOwn(value, field)) problems.push(`${field} at ${path}`);
    for (const key of Reflect.ownKeys(value)) {
      if (typeof value === 'function' && (key === 'prototype' || key === 'caller' || key === 'arguments'))
        continue;
      let item: unknown;
      try {
        item = (value as Record<PropertyKey, unknown>)[key];
      } catch {
        continue;
      }
      visit(item, `${path}.${String(key)}`, calls);
    }
    const prototype = Object.getPrototypeOf(value);
    if (prototype && !BUILT_IN_PROTOTYPES.has(prototype)) visit(prototype, `${path}.__proto__`, calls);
  }
  return problems;
}

describe('an inspector receives plain, redacted data', () => {
  it('nothing in any event of a whole flow, nor anything its functions return, shows a secret or a live actor', async () => {
    const events: InspectionEvent[] = [];
    const clock = { now: Date.now() };
    const user = await env.user(true);
    const { auth, store, stop } = await env.client({
      now: () => clock.now,
      inspect: (event) => events.push(event),
    });

    const secrets = new Set<string>([user.password, user.totpSecret as string]);
    const keepStored = async () => secrets.add((await store.get()) as string);
    await auth.login(user);
    await keepStored();
    const code = env.emulator.totp(user.email);
    secrets.add(code);
    await auth.twoFactor.challenge(code);
    await keepStored();
    await auth.whoami();
    clock.now += DAY + 60 * 60 * 1000;
    await auth.isLoggedIn();
    await keepStored();
    secrets.add('registration-secret-1');
    secrets.add(await auth.register({ email: 'inspected@example.com', password: 'registration-secret-1' }));
    await auth.logout();
    stop();

    expect(env.emulator.requests().some((r) => r.path === '/user/v1/refresh-token' && r.status === 200)).toBe(
      true,
    );
    expect(events.length).toBeGreaterThan(50);
    const parts = [...secrets].flatMap(secretParts);
    for (const event of events) {
      const shown = utilInspect(event, { depth: null, showHidden: true, getters: true });
      const json = JSON.stringify(event);
      for (const part of parts) {
        expect(shown.includes(part), `util.inspect of a ${event.type} shows a secret`).toBe(false);
        expect(json.includes(part), `JSON of a ${event.type} shows a secret`).toBe(false);
      }
      expect(await reachable(event, parts, store), `reachable from a ${event.type}`).toEqual([]);
    }
    expect(events.map((event) => JSON.stringify(event)).join('\n')).toContain('(redacted)');
  }, 20_000);

  it('still gives inspectors what they read: ids, the parent, the machine definition and redacted snapshots', async () => {
    const events: InspectionEvent[] = [];
    const { auth, stop } = await env.client({ inspect: (event) => events.push(event) });
    await auth.login(await env.user());
    const announced = events.find(
      (event) => event.type === '@xstate.actor' && event.actorRef.sessionId === event.rootId,
    );
    const actorRef = announced?.actorRef as unknown as { id: string; logic?: { config?: { id?: string } } };
    expect(actorRef.logic?.config?.id).toBe('auth');
    expect(announced?.actorRef.getSnapshot()).toMatchObject({
      status: 'active',
      value: { session: 'authenticated', activity: { ready: 'idle' } },
      context: { queue: [] },
    });
    stop();
    const child = events.find(
      (event) =>
        event.type === '@xstate.actor' &&
        (event.actorRef as unknown as { id: string }).id === 'loginWithPassword',
    );
    const parent = (child?.actorRef as unknown as { _parent?: { sessionId: string } } | undefined)?._parent;
    expect(parent?.sessionId).toBe(announced?.rootId);
    const login = events.find((event) => event.type === '@xstate.event' && event.event.type === 'auth.login');
    expect(login && 'event' in login && login.event.password).toBe('(redacted)');
  });
});
