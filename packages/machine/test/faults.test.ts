import type { Fault } from '@balena-auth/emulator';
import { describe, expect, it } from 'vitest';
import type { AuthClient, TokenStore } from '../src/index.ts';
import { twoFactorStatus } from '../src/index.ts';
import { useEmulator } from './emulated.ts';

const env = useEmulator();

const FAULTS: [string, Fault][] = [
  ['500', { kind: 'status', status: 500, body: 'Internal Server Error' }],
  ['503', { kind: 'status', status: 503, body: 'Service Unavailable' }],
  ['429', { kind: 'rateLimit', retryAfterSeconds: 120 }],
  ['timeout', { kind: 'hang' }],
  ['connection reset', { kind: 'reset' }],
];

type Session = 'user' | 'pendingTwoFactor' | 'twoFactorPassed';
type Client = AuthClient & { store: TokenStore };
type Call = {
  path: string;
  session: Session;
  run(client: Client, user: { email: string; password: string }): Promise<unknown>;
};

/** Every method that sends a request, with the route it uses and a session it can run in. */
const CALLS: Record<string, Call> = {
  authenticate: { path: '/login_', session: 'user', run: (c, u) => c.auth.authenticate(u) },
  login: { path: '/login_', session: 'user', run: (c, u) => c.auth.login(u) },
  isLoggedIn: { path: '/actor/v1/whoami', session: 'user', run: (c) => c.auth.isLoggedIn() },
  whoami: { path: '/actor/v1/whoami', session: 'user', run: (c) => c.auth.whoami() },
  getActorId: { path: '/actor/v1/whoami', session: 'user', run: (c) => c.auth.getActorId() },
  getUserInfo: { path: '/actor/v1/whoami', session: 'user', run: (c) => c.auth.getUserInfo() },
  register: {
    path: '/user/register',
    session: 'user',
    run: (c) =>
      c.auth.register({ email: `new-${Math.random()}@example.com`, password: 'long-enough-password' }),
  },
  verifyEmail: {
    path: '/user/v1/verify-email',
    session: 'user',
    run: (c, u) => c.auth.verifyEmail({ email: u.email, token: 'x' }),
  },
  requestVerificationEmail: {
    path: '/user(me)',
    session: 'user',
    run: (c) => c.auth.requestVerificationEmail(),
  },
  'twoFactor.verify': {
    path: '/auth/totp/verify',
    session: 'pendingTwoFactor',
    run: (c) => c.auth.twoFactor.verify('123456'),
  },
  'twoFactor.challenge': {
    path: '/auth/totp/verify',
    session: 'pendingTwoFactor',
    run: (c) => c.auth.twoFactor.challenge('123456'),
  },
  'twoFactor.enable': {
    path: '/auth/totp/verify',
    session: 'user',
    run: (c) => c.auth.twoFactor.enable('123456'),
  },
  'twoFactor.getSetupKey': {
    path: '/auth/totp/setup',
    session: 'user',
    run: (c) => c.auth.twoFactor.getSetupKey(),
  },
  'twoFactor.disable': {
    path: '/auth/totp/disable',
    session: 'twoFactorPassed',
    run: (c, u) => c.auth.twoFactor.disable(u.password),
  },
  'token refresh': { path: '/user/v1/refresh-token', session: 'user', run: (c) => c.auth.isLoggedIn() },
};

async function clientIn(session: Session, name: string) {
  const user = await env.user(session !== 'user');
  const now = Math.floor(Date.now() / 1000);
  const claims =
    name === 'token refresh'
      ? { iat: now - 25 * 3600 }
      : session === 'pendingTwoFactor'
        ? { twoFactorRequired: true }
        : session === 'twoFactorPassed'
          ? { twoFactorRequired: false }
          : {};
  const stored = await env.emulator.sessionToken(user.email, claims);
  const client = await env.client({ stored, requestTimeoutMs: 300 });
  if (name === 'requestVerificationEmail') await client.auth.whoami();
  return { client, user, stored };
}

/** The state must agree with the stored token: none means anonymous, pending 2FA means awaitingTwoFactor. */
async function expectStateAgreesWithStore(client: Client) {
  const stored = await client.store.get();
  const snapshot = client.actor.getSnapshot();
  expect(snapshot.context.token).toBe(stored);
  if (stored === undefined) expect(snapshot.matches('anonymous')).toBe(true);
  else if (twoFactorStatus(stored) === 'pending') expect(snapshot.matches('awaitingTwoFactor')).toBe(true);
  else expect(snapshot.matches('unverified') || snapshot.matches('authenticated')).toBe(true);
}

describe.each(FAULTS)('a %s', (_, fault) => {
  for (const [name, call] of Object.entries(CALLS)) {
    it(`on ${name} leaves the stored token unchanged and the state in agreement with it`, async () => {
      const { client, user, stored } = await clientIn(call.session, name);
      const path = call.path === '/user(me)' ? `/v7/user(${user.id})` : call.path;
      env.emulator.faults.next(path, fault);
      await expect(call.run(client, user)).rejects.toMatchObject({ code: expect.stringMatching(/^Balena/) });
      expect(await client.store.get()).toBe(stored);
      await expectStateAgreesWithStore(client);
    });
  }
});
