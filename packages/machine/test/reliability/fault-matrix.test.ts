import type { Fault } from '@balena-auth/emulator';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuthClient, TokenStore } from '../../src/index.ts';
import { useEmulator } from '../emulated.ts';
import { isSettled } from './settled.ts';
import { describeToken, twoFactorStatusOf } from './tokens.ts';

const env = useEmulator();
const REQUEST_TIMEOUT_MS = 250;

type FaultName = '500' | '503' | '429 with Retry-After' | 'timeout' | 'reset' | 'HTML body' | 'invalid JSON';

/** The seven faults of the matrix, as the emulator injects them. */
const FAULTS: Record<FaultName, Fault> = {
  '500': { kind: 'status', status: 500, body: 'Internal Server Error' },
  '503': { kind: 'status', status: 503, body: 'Service Unavailable' },
  '429 with Retry-After': { kind: 'rateLimit', retryAfterSeconds: 120 },
  timeout: { kind: 'hang' },
  reset: { kind: 'reset' },
  'HTML body': { kind: 'html' },
  'invalid JSON': { kind: 'invalidJson' },
};

type Session = 'user' | 'pendingTwoFactor' | 'twoFactorPassed';
type Client = AuthClient & { store: TokenStore };
type User = { id: number; email: string; password: string };
type Call = {
  /** The route the call's request goes to; `/v7/user(<id>)` is filled in per user. */
  path: string;
  session: Session;
  run(client: Client, user: User): Promise<unknown>;
};

/** Every method that sends a request, the route it uses, and a session it can run in. */
const CALLS: Record<string, Call> = {
  authenticate: {
    path: '/login_',
    session: 'user',
    run: (c, u) => c.auth.authenticate(u),
  },
  login: { path: '/login_', session: 'user', run: (c, u) => c.auth.login(u) },
  isLoggedIn: {
    path: '/actor/v1/whoami',
    session: 'user',
    run: (c) => c.auth.isLoggedIn(),
  },
  whoami: {
    path: '/actor/v1/whoami',
    session: 'user',
    run: (c) => c.auth.whoami(),
  },
  getActorId: {
    path: '/actor/v1/whoami',
    session: 'user',
    run: (c) => c.auth.getActorId(),
  },
  getUserInfo: {
    path: '/actor/v1/whoami',
    session: 'user',
    run: (c) => c.auth.getUserInfo(),
  },
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
    path: '/v7/user(<id>)',
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
  'the token refresh before isLoggedIn': {
    path: '/user/v1/refresh-token',
    session: 'user',
    run: (c) => c.auth.isLoggedIn(),
  },
};

const isPasswordLogin = (name: string) => name === 'login' || name === 'authenticate';

const requestError = (statusCode: number, body: string | RegExp) => ({
  name: 'BalenaRequestError',
  code: 'BalenaRequestError',
  statusCode,
  body,
  message: typeof body === 'string' ? `Request error: ${body}` : expect.stringMatching(/^Request error: /),
});

/**
 * The error the caller is documented to get (docs/protocol.md, status codes and errors, and docs/differences.md)
 * when the request to `path` meets `fault`.
 */
function documentedError(name: string, path: string, fault: FaultName): object {
  switch (fault) {
    case '500':
      return requestError(500, 'Internal Server Error');
    case '503':
      return requestError(503, 'Service Unavailable');
    case '429 with Retry-After':
      return isPasswordLogin(name)
        ? {
            name: 'BalenaTooManyRequests',
            code: 'BalenaTooManyRequests',
            message: 'Too Many Requests. Try again later',
          }
        : requestError(429, 'Too Many Requests');
    case 'timeout':
      return { name: 'BalenaNetworkError', code: 'BalenaNetworkError', message: 'network timeout' };
    case 'reset':
      return {
        name: 'BalenaNetworkError',
        code: 'BalenaNetworkError',
        message: expect.stringMatching(/^network error: /),
      };
    case 'HTML body':
      return requestError(502, expect.stringContaining('<h1>502 Error</h1>'));
    case 'invalid JSON':
      return requestError(200, `Unexpected response from ${path}`);
  }
}

async function clientIn(session: Session, name: string) {
  const user = await env.user(session !== 'user');
  const now = Math.floor(Date.now() / 1000);
  const claims =
    name === 'the token refresh before isLoggedIn'
      ? { iat: now - 25 * 3600 }
      : session === 'pendingTwoFactor'
        ? { twoFactorRequired: true }
        : session === 'twoFactorPassed'
          ? { twoFactorRequired: false }
          : {};
  const stored = await env.emulator.sessionToken(user.email, claims);
  const client = await env.client({ stored, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  if (name === 'requestVerificationEmail') await client.auth.whoami();
  return { client, user, stored };
}

/** The machine holds exactly the stored token, is in the state its kind calls for, and has nothing in flight. */
async function expectMachineToAgreeWithStore(client: Client) {
  const stored = await client.store.get();
  const snapshot = client.actor.getSnapshot();
  expect(describeToken(snapshot.context.token)).toBe(describeToken(stored));
  expect(isSettled(snapshot), JSON.stringify(snapshot.value)).toBe(true);
  if (stored === undefined) expect(snapshot.matches({ session: 'anonymous' })).toBe(true);
  else if (twoFactorStatusOf(stored) === 'pending')
    expect(snapshot.matches({ session: 'awaitingTwoFactor' })).toBe(true);
  else
    expect(
      snapshot.matches({ session: 'unverified' }) || snapshot.matches({ session: 'authenticated' }),
    ).toBe(true);
}

const CASES = Object.keys(FAULTS).length * Object.keys(CALLS).length;
let passed = 0;
afterAll(() => {
  console.log(`fault matrix: ${passed}/${CASES} cases pass (7 faults × ${Object.keys(CALLS).length} calls)`);
});

describe.each(Object.keys(FAULTS) as FaultName[])('the fault matrix: %s', (faultName) => {
  for (const [name, call] of Object.entries(CALLS)) {
    it(`${name} rejects with the documented error, keeps the stored token and a machine that agrees with it`, async () => {
      const { client, user, stored } = await clientIn(call.session, name);
      const path = call.path.replace('<id>', String(user.id));
      env.emulator.clearRequests();
      env.emulator.faults.next(path, FAULTS[faultName]);
      const error = await call.run(client, user).then(
        () => 'resolved',
        (reason: unknown) => reason,
      );
      expect(error).toMatchObject(documentedError(name, path, faultName));
      expect(env.emulator.requests().some((r) => r.path === path)).toBe(true);
      expect(describeToken(await client.store.get())).toBe(describeToken(stored));
      await expectMachineToAgreeWithStore(client);
      passed++;
    });
  }
});

/**
 * The emulator's `invalidJson` body happens to contain spaces, which no token has. The same broken
 * JSON written without spaces must not pass for a token either: a body that claims to be JSON and
 * does not parse is not a usable answer, whatever characters it holds.
 */
const COMPACT_INVALID_JSON: Fault = {
  kind: 'status',
  status: 200,
  contentType: 'application/json',
  body: '{"id":1,"actorType":"us',
};

describe('a 200 whose JSON body does not parse, written without spaces', () => {
  for (const [name, call] of Object.entries(CALLS)) {
    it(`${name} rejects with a BalenaRequestError and stores nothing from it`, async () => {
      const { client, user, stored } = await clientIn(call.session, name);
      env.emulator.faults.next(call.path.replace('<id>', String(user.id)), COMPACT_INVALID_JSON);
      const result = await call.run(client, user).then(
        (value: unknown) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      expect(result).toMatchObject({ ok: false, error: { code: 'BalenaRequestError', statusCode: 200 } });
      expect(describeToken(await client.store.get())).toBe(describeToken(stored));
      await expectMachineToAgreeWithStore(client);
    });
  }
});
