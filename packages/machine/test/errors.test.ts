import { describe, expect, it } from 'vitest';
import { BalenaInvalidParameterError, BalenaInvalidTotpCode } from '../src/index.ts';
import { useEmulator } from './emulated.ts';
import { fakeJwt } from './jwt.ts';

const env = useEmulator();
const nowSeconds = () => Math.floor(Date.now() / 1000);
const expiredJwt = () => fakeJwt({ id: 1, iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 });

const NOT_LOGGED_IN = { name: 'BalenaNotLoggedIn', code: 'BalenaNotLoggedIn', message: 'You have to log in' };
const EXPIRED = { name: 'BalenaExpiredToken', code: 'BalenaExpiredToken', message: 'The token expired' };
const MALFORMED = { name: 'BalenaMalformedToken', code: 'BalenaMalformedToken', message: 'Malformed token' };
const INVALID_CREDENTIALS = {
  name: 'BalenaInvalidLoginCredentials',
  code: 'BalenaInvalidLoginCredentials',
  message: 'Invalid login credentials',
};
const requestError = (statusCode: number, body: string) => ({
  name: 'BalenaRequestError',
  code: 'BalenaRequestError',
  statusCode,
  body,
  message: `Request error: ${body}`,
});
const UNSUCCESSFUL = 'The request was unsuccessful';

describe('authenticate and login', () => {
  it('authenticate rejects a wrong password with BalenaInvalidLoginCredentials', async () => {
    const { auth } = await env.client();
    const user = await env.user();
    await expect(auth.authenticate({ ...user, password: 'wrong-password' })).rejects.toMatchObject(
      INVALID_CREDENTIALS,
    );
  });

  it('login rejects a 429 with BalenaTooManyRequests and its documented message', async () => {
    const { auth } = await env.client();
    env.emulator.faults.next('/login_', { kind: 'rateLimit', retryAfterSeconds: 30 });
    await expect(auth.login(await env.user())).rejects.toMatchObject({
      name: 'BalenaTooManyRequests',
      code: 'BalenaTooManyRequests',
      message: 'Too Many Requests. Try again later',
    });
  });

  it('login passes other statuses on as BalenaRequestError with the body text', async () => {
    const { auth } = await env.client();
    env.emulator.faults.next('/login_', { kind: 'status', status: 500, body: 'Internal Server Error' });
    await expect(auth.login(await env.user())).rejects.toMatchObject(
      requestError(500, 'Internal Server Error'),
    );
  });

  it('login rejects an already expired token from the server with BalenaExpiredToken and stores nothing', async () => {
    const { auth, store } = await env.client();
    env.emulator.faults.next('/login_', {
      kind: 'status',
      status: 200,
      body: expiredJwt(),
      contentType: 'text/plain',
    });
    await expect(auth.login(await env.user())).rejects.toMatchObject(EXPIRED);
    expect(await store.get()).toBeUndefined();
  });

  it('login rejects a missing password with BalenaInvalidParameterError, without a request', async () => {
    const { auth } = await env.client();
    env.emulator.clearRequests();
    const error = await auth.login({ email: 'a@example.com', password: '' }).catch((e) => e);
    expect(error).toBeInstanceOf(BalenaInvalidParameterError);
    expect(error.message).toBe(
      `Invalid parameter: "" is not a valid value for parameter 'credentials.password'`,
    );
    expect(env.emulator.requests()).toEqual([]);
  });

  it('an invalid parameter error never echoes a password', async () => {
    const { auth } = await env.client();
    const error = await auth
      .login({ email: 42 as unknown as string, password: 'hunter2-secret' })
      .catch((e) => e);
    expect(error.message).toBe(
      `Invalid parameter: 42 is not a valid value for parameter 'credentials.email'`,
    );
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('hunter2-secret');
  });
});

describe('loginWithToken', () => {
  it('rejects an expired JWT with BalenaExpiredToken and keeps the previous token', async () => {
    const { auth, store } = await env.client();
    const user = await env.user();
    await auth.login(user);
    const before = await store.get();
    await expect(auth.loginWithToken(expiredJwt())).rejects.toMatchObject(EXPIRED);
    expect(await store.get()).toBe(before);
  });

  it('rejects an empty token with BalenaInvalidParameterError', async () => {
    const { auth } = await env.client();
    await expect(auth.loginWithToken('')).rejects.toBeInstanceOf(BalenaInvalidParameterError);
  });
});

describe('whoami, isLoggedIn, getActorId, getUserInfo', () => {
  it('whoami rethrows BalenaExpiredToken for an expired stored token', async () => {
    const { auth } = await env.client({ stored: expiredJwt() });
    await expect(auth.whoami()).rejects.toMatchObject(EXPIRED);
  });

  it('isLoggedIn is false for an expired stored token', async () => {
    const { auth } = await env.client({ stored: expiredJwt() });
    expect(await auth.isLoggedIn()).toBe(false);
  });

  it('isLoggedIn rethrows a 404 (an API without /actor/v1/whoami)', async () => {
    const { auth } = await env.client({ stored: await env.emulator.sessionToken((await env.user()).email) });
    env.emulator.faults.next('/actor/v1/whoami', { kind: 'html', status: 404 });
    await expect(auth.isLoggedIn()).rejects.toMatchObject({ code: 'BalenaRequestError', statusCode: 404 });
  });

  it('getActorId and getUserInfo reject with BalenaExpiredToken for an expired stored token', async () => {
    const { auth } = await env.client({ stored: expiredJwt() });
    await expect(auth.getActorId()).rejects.toMatchObject(EXPIRED);
    await expect(auth.getUserInfo()).rejects.toMatchObject(EXPIRED);
  });

  it('getUserInfo rejects with a plain Error without a code for a device key', async () => {
    const { auth } = await env.client();
    await auth.loginWithToken((await env.emulator.createDeviceKey()).key);
    const error = await auth.getUserInfo().catch((e) => e);
    expect(error.constructor).toBe(Error);
    expect(error.message).toBe('The authentication credentials in use are not of a user');
    expect(error.code).toBeUndefined();
  });

  it('whoami rejects a response that fails validation', async () => {
    const { auth } = await env.client({ stored: await env.emulator.sessionToken((await env.user()).email) });
    env.emulator.faults.next('/actor/v1/whoami', { kind: 'invalidJson' });
    await expect(auth.whoami()).rejects.toMatchObject({ code: 'BalenaRequestError' });
  });
});

describe('getToken', () => {
  it('rejects with BalenaNotLoggedIn when nothing is stored', async () => {
    const { auth } = await env.client();
    await expect(auth.getToken()).rejects.toMatchObject(NOT_LOGGED_IN);
  });

  it('rejects with BalenaNotLoggedIn for a stored value that is not a token', async () => {
    const { auth } = await env.client({ stored: '12345' });
    await expect(auth.getToken()).rejects.toMatchObject(NOT_LOGGED_IN);
  });

  it('rejects with BalenaExpiredToken for an expired stored JWT', async () => {
    const { auth } = await env.client({ stored: expiredJwt() });
    await expect(auth.getToken()).rejects.toMatchObject(EXPIRED);
  });
});

describe('register, verifyEmail, requestVerificationEmail', () => {
  it('register passes the server text through as BalenaRequestError', async () => {
    const { auth } = await env.client();
    await expect(
      auth.register({ email: 'foobarbaz', password: 'long-enough-password' }),
    ).rejects.toMatchObject(requestError(400, 'Invalid email'));
    const user = await env.user();
    await expect(
      auth.register({ email: user.email, password: 'long-enough-password' }),
    ).rejects.toMatchObject(requestError(409, 'This email is already taken'));
  });

  it('verifyEmail rejects a wrong token with a 401 BalenaRequestError', async () => {
    const { auth } = await env.client();
    const user = await env.user();
    await expect(auth.verifyEmail({ email: user.email, token: 'wrong' })).rejects.toMatchObject(
      requestError(401, 'Invalid verification token'),
    );
  });

  it('requestVerificationEmail rejects with BalenaNotLoggedIn when logged out', async () => {
    const { auth } = await env.client();
    await expect(auth.requestVerificationEmail()).rejects.toMatchObject(NOT_LOGGED_IN);
  });

  it('requestVerificationEmail rejects with the not-a-user Error for an application key', async () => {
    const { auth } = await env.client();
    await auth.loginWithToken((await env.emulator.createProvisioningKey()).key);
    await expect(auth.requestVerificationEmail()).rejects.toThrow(
      'The authentication credentials in use are not of a user',
    );
  });
});

describe('twoFactor', () => {
  it('isEnabled and isPassed reject with BalenaMalformedToken when nothing is stored', async () => {
    const { auth } = await env.client();
    await expect(auth.twoFactor.isEnabled()).rejects.toMatchObject(MALFORMED);
    await expect(auth.twoFactor.isPassed()).rejects.toMatchObject(MALFORMED);
  });

  it('isEnabled and isPassed reject with BalenaExpiredToken for an expired stored JWT', async () => {
    const { auth } = await env.client({ stored: expiredJwt() });
    await expect(auth.twoFactor.isEnabled()).rejects.toMatchObject(EXPIRED);
    await expect(auth.twoFactor.isPassed()).rejects.toMatchObject(EXPIRED);
  });

  it('verify, challenge and enable reject a wrong code with BalenaInvalidTotpCode, still a 401 BalenaRequestError', async () => {
    const { auth } = await env.client();
    const user = await env.user(true);
    await auth.login(user);
    const wrong = env.emulator.totp(user.email) === '000000' ? '111111' : '000000';
    for (const method of ['verify', 'challenge', 'enable'] as const) {
      const error = await auth.twoFactor[method](wrong).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BalenaInvalidTotpCode);
      expect(error).toMatchObject({
        code: 'BalenaRequestError',
        statusCode: 401,
        message: expect.stringContaining('code is wrong'),
      });
    }
  });

  it('getSetupKey rejects with a 401 BalenaRequestError for an API key', async () => {
    const { auth } = await env.client();
    const user = await env.user();
    await auth.loginWithToken(await env.emulator.createApiKey(user.email));
    await expect(auth.twoFactor.getSetupKey()).rejects.toMatchObject(requestError(401, UNSUCCESSFUL));
  });

  it('disable rejects a wrong password with a 401 BalenaRequestError and keeps the session', async () => {
    const { auth, store } = await env.client();
    const user = await env.user(true);
    await auth.login(user);
    await auth.twoFactor.challenge(env.emulator.totp(user.email));
    const before = await store.get();
    await expect(auth.twoFactor.disable('wrong-password')).rejects.toMatchObject(
      requestError(401, UNSUCCESSFUL),
    );
    expect(await store.get()).toBe(before);
  });

  it('challenge without any credential rejects with BalenaNotLoggedIn, without a request', async () => {
    const { auth } = await env.client();
    env.emulator.clearRequests();
    await expect(auth.twoFactor.challenge('123456')).rejects.toMatchObject(NOT_LOGGED_IN);
    expect(env.emulator.requests()).toEqual([]);
  });
});

describe('logout', () => {
  it('does not cut off an authenticate, register or verifyEmail in flight', async () => {
    const { auth } = await env.client();
    const user = await env.user();
    env.emulator.faults.next('/login_', { kind: 'delay', ms: 50 });
    const token = auth.authenticate(user);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await auth.logout();
    expect(await token).toMatch(/^eyJ/);
  });

  it('never rejects, with or without a token', async () => {
    const { auth } = await env.client();
    await expect(auth.logout()).resolves.toBeUndefined();
    await auth.loginWithToken(await env.emulator.createApiKey((await env.user()).email));
    await expect(auth.logout()).resolves.toBeUndefined();
  });
});
