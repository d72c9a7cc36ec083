import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@balena-auth/emulator';
import * as OTPAuth from 'otpauth';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthUnderTest, ClientFactory, ClientUnderTest } from './client.ts';

interface TestUser {
  email: string;
  password: string;
  username: string;
  /** user id */
  id: number;
  actorId: number;
  totpSecret?: string;
}

/** balena-errors `BalenaNotLoggedIn`: code and message as balena-sdk has them. */
const notLoggedIn = { code: 'BalenaNotLoggedIn', name: 'BalenaNotLoggedIn', message: 'You have to log in' };

/** balena-errors `BalenaInvalidLoginCredentials`: code and message as balena-sdk has them. */
const invalidLoginCredentials = {
  code: 'BalenaInvalidLoginCredentials',
  name: 'BalenaInvalidLoginCredentials',
  message: 'Invalid login credentials',
};

/** A `BalenaRequestError` with the given status and, optionally, server text in its message. */
function requestError(statusCode: number, text?: string) {
  return {
    code: 'BalenaRequestError',
    statusCode,
    ...(text === undefined ? {} : { message: expect.stringContaining(text) }),
  };
}

/** A six-digit code that is not `validCode` and almost surely not a neighbouring window's code either. */
function wrongTotpCode(validCode: string): string {
  return String((Number(validCode) + 500_000) % 1_000_000).padStart(6, '0');
}

/** The current TOTP code for what `twoFactor.getSetupKey()` returned: an otpauth:// URI or a base32 secret. */
function totpFromSetupKey(setupKey: string): string {
  const text = setupKey.trim();
  if (text.startsWith('otpauth://')) {
    const otp = OTPAuth.URI.parse(text);
    if (!(otp instanceof OTPAuth.TOTP)) {
      throw new Error(`setup key is not a TOTP URI: ${text}`);
    }
    return otp.generate();
  }
  return new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(text.replace(/[\s-]/g, '').toUpperCase()),
  }).generate();
}

/** Creates a user API key the client-agnostic way: `POST /api-key/user/full` with the client's session JWT. */
async function createUserApiKey(apiUrl: string, auth: AuthUnderTest): Promise<string> {
  const response = await fetch(new URL('/api-key/user/full', apiUrl), {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${await auth.getToken()}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      name: 'conformance',
      expiryDate: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
    }),
  });
  expect(response.status, 'POST /api-key/user/full status').toBe(200);
  const key: unknown = await response.json();
  expect(typeof key, 'POST /api-key/user/full body').toBe('string');
  return key as string;
}

/**
 * Declares the balena-sdk auth integration cases (balena-sdk's own tests/integration/auth.spec.ts, and
 * the other behaviours of docs/protocol.md that the emulator can exercise) against clients built by
 * `factory`. Every file that calls
 * this gets its own emulator.
 *
 * @example
 * describeAuthConformance(balenaSdkFactory);
 */
export function describeAuthConformance(factory: ClientFactory): void {
  describe(`balena auth conformance: ${factory.name}`, () => {
    let emu: Emulator;
    const clients: ClientUnderTest[] = [];
    const runId = randomBytes(4).toString('hex');
    let sequence = 0;

    beforeAll(async () => {
      emu = await startEmulator({ port: 0 });
    });

    afterAll(async () => {
      await emu?.close();
    });

    afterEach(async () => {
      await Promise.all(clients.splice(0).map((client) => client.dispose()));
    });

    async function newClient(dataDirectory?: string | false): Promise<ClientUnderTest> {
      const client = await factory.create({ apiUrl: emu.url, dataDirectory });
      clients.push(client);
      return client;
    }

    function uniqueEmail(tag: string): string {
      sequence += 1;
      return `${tag}.${runId}.${sequence}@example.com`;
    }

    async function newUser(options: { twoFactor?: boolean; verified?: boolean } = {}): Promise<TestUser> {
      sequence += 1;
      const username = `conformance_${runId}_${sequence}`;
      const email = `${username}@example.com`;
      const password = `secret-${runId}-${sequence}`;
      const created = await emu.createUser({ email, password, username, ...options });
      return { email, password, username, ...created };
    }

    function mailsTo(email: string) {
      return emu.outbox().filter((mail) => mail.to === email);
    }

    describe('when not logged in', () => {
      let auth: AuthUnderTest;
      let user: TestUser;

      beforeAll(async () => {
        user = await newUser();
      });

      beforeEach(async () => {
        auth = (await newClient()).auth;
        await auth.logout();
      });

      it('isLoggedIn resolves false', async () => {
        expect(await auth.isLoggedIn()).toBe(false);
      });

      it('whoami resolves undefined', async () => {
        expect(await auth.whoami()).toBeUndefined();
      });

      it('logout does not reject', async () => {
        await expect(auth.logout()).resolves.toBeUndefined();
      });

      it('authenticate does not save the token given valid credentials', async () => {
        const token = await auth.authenticate({ email: user.email, password: user.password });
        expect(token).toEqual(expect.any(String));
        expect(await auth.isLoggedIn()).toBe(false);
      });

      it('authenticate rejects with BalenaInvalidLoginCredentials given a wrong password (username in the email field)', async () => {
        await expect(
          auth.authenticate({ email: user.username, password: `${user.password}-wrong` }),
        ).rejects.toMatchObject(invalidLoginCredentials);
      });

      it('getToken rejects with BalenaNotLoggedIn', async () => {
        await expect(auth.getToken()).rejects.toMatchObject(notLoggedIn);
      });

      it('loginWithToken with a token from authenticate makes getToken resolve that token', async () => {
        const token = await auth.authenticate({ email: user.email, password: user.password });
        await auth.loginWithToken(token);
        expect(await auth.getToken()).toBe(token);
      });

      it('loginWithToken with a user API key makes getToken resolve that key', async () => {
        await auth.login({ email: user.email, password: user.password });
        const apiKey = await createUserApiKey(emu.url, auth);
        await auth.logout();
        await auth.loginWithToken(apiKey);
        expect(await auth.getToken()).toBe(apiKey);
      });

      it('getUserInfo rejects with BalenaNotLoggedIn', async () => {
        await expect(auth.getUserInfo()).rejects.toMatchObject(notLoggedIn);
      });

      it('getActorId rejects with BalenaNotLoggedIn', async () => {
        await expect(auth.getActorId()).rejects.toMatchObject(notLoggedIn);
      });

      describe('register', () => {
        it('register resolves a token that works with loginWithToken', async () => {
          const token = await auth.register({ email: uniqueEmail('register'), password: 'register-secret' });
          expect(token).toEqual(expect.any(String));
          await auth.loginWithToken(token);
          expect(await auth.isLoggedIn()).toBe(true);
        });

        it('register does not save the token', async () => {
          await auth.register({ email: uniqueEmail('register'), password: 'register-secret' });
          expect(await auth.isLoggedIn()).toBe(false);
          await expect(auth.getToken()).rejects.toMatchObject(notLoggedIn);
        });

        it('register rejects with "Invalid email" for the email foobarbaz', async () => {
          await expect(
            auth.register({ email: 'foobarbaz', password: 'register-secret' }),
          ).rejects.toMatchObject(requestError(400, 'Invalid email'));
        });

        it('register rejects with "This email is already taken" for an existing email', async () => {
          const existing = await newUser();
          await expect(
            auth.register({ email: existing.email, password: 'register-secret' }),
          ).rejects.toMatchObject(requestError(409, 'This email is already taken'));
        });
      });

      describe('verifyEmail', () => {
        it('verifyEmail with the token from the verification mail resolves a token that works with loginWithToken', async () => {
          const email = uniqueEmail('verify');
          await auth.register({ email, password: 'verify-secret' });
          const mail = mailsTo(email).at(-1);
          expect(mail?.token, `a verification mail to ${email}`).toEqual(expect.any(String));
          const token = await auth.verifyEmail({ email, token: mail?.token ?? '' });
          expect(token).toEqual(expect.any(String));
          await auth.loginWithToken(token);
          expect(await auth.isLoggedIn()).toBe(true);
        });

        it('verifyEmail rejects with statusCode 401 given a wrong verification token', async () => {
          const email = uniqueEmail('verify');
          await auth.register({ email, password: 'verify-secret' });
          await expect(
            auth.verifyEmail({ email, token: 'not-the-verification-token' }),
          ).rejects.toMatchObject(requestError(401, 'Invalid verification token'));
        });
      });
    });

    describe('given an invalid token', () => {
      it('loginWithToken does not reject and getToken resolves a string', async () => {
        const user = await newUser();
        const { auth } = await newClient();
        const token = await auth.authenticate({ email: user.email, password: user.password });
        await expect(auth.loginWithToken(`${token}malformingsuffix`)).resolves.toBeUndefined();
        expect(await auth.getToken()).toEqual(expect.any(String));
      });
    });

    describe('when logged in with an invalid token', () => {
      let auth: AuthUnderTest;
      let user: TestUser;

      beforeAll(async () => {
        user = await newUser();
      });

      beforeEach(async () => {
        auth = (await newClient()).auth;
        const token = await auth.authenticate({ email: user.email, password: user.password });
        await auth.loginWithToken(`${token}malformingsuffix`);
      });

      it('isLoggedIn resolves false', async () => {
        expect(await auth.isLoggedIn()).toBe(false);
      });

      it('whoami resolves undefined', async () => {
        expect(await auth.whoami()).toBeUndefined();
      });

      it('getUserInfo rejects with BalenaNotLoggedIn', async () => {
        await expect(auth.getUserInfo()).rejects.toMatchObject(notLoggedIn);
      });

      it('getActorId rejects with BalenaNotLoggedIn', async () => {
        await expect(auth.getActorId()).rejects.toMatchObject(notLoggedIn);
      });
    });

    /** Cases 17-21 and 34-39: a user actor, logged in by password or by user API key. */
    function describeUserActorCases(
      title: string,
      logIn: (auth: AuthUnderTest, user: TestUser) => Promise<void>,
      { tokenResetOnLogout }: { tokenResetOnLogout: boolean },
    ): void {
      describe(title, () => {
        let auth: AuthUnderTest;
        let user: TestUser;

        beforeAll(async () => {
          user = await newUser();
        });

        beforeEach(async () => {
          auth = (await newClient()).auth;
          await logIn(auth, user);
        });

        it('isLoggedIn resolves true', async () => {
          expect(await auth.isLoggedIn()).toBe(true);
        });

        it('whoami resolves the user actor', async () => {
          expect(await auth.whoami()).toEqual({
            id: user.actorId,
            actorType: 'user',
            actorTypeId: user.id,
            username: user.username,
            email: user.email,
          });
        });

        it('getUserInfo resolves the user id, actor id, email and username', async () => {
          const whoami = await auth.whoami();
          const info = await auth.getUserInfo();
          expect(info).toEqual({
            id: whoami.actorTypeId,
            actor: whoami.id,
            email: user.email,
            username: user.username,
          });
          expect(info).toEqual({
            id: user.id,
            actor: user.actorId,
            email: user.email,
            username: user.username,
          });
        });

        it('getActorId resolves the actor id from whoami', async () => {
          const actorId = await auth.getActorId();
          expect(actorId).toEqual(expect.any(Number));
          expect(actorId).toBe((await auth.whoami()).id);
        });

        it('logout makes isLoggedIn resolve false', async () => {
          await auth.logout();
          expect(await auth.isLoggedIn()).toBe(false);
        });

        if (tokenResetOnLogout) {
          it('logout resets the token: getToken rejects with BalenaNotLoggedIn', async () => {
            await auth.logout();
            await expect(auth.getToken()).rejects.toMatchObject(notLoggedIn);
          });
        }
      });
    }

    describeUserActorCases(
      'when logged in with credentials',
      (auth, user) => auth.login({ email: user.email, password: user.password }),
      { tokenResetOnLogout: false },
    );

    /** Cases 22-27 and 28-33: a non-user actor logged in with a key. */
    function describeKeyActorCases(
      title: string,
      actorType: 'device' | 'application',
      makeKey: () => Promise<{ key: string; identity: Record<string, string> }>,
    ): void {
      describe(title, () => {
        let auth: AuthUnderTest;
        let identity: Record<string, string>;

        beforeEach(async () => {
          auth = (await newClient()).auth;
          const made = await makeKey();
          identity = made.identity;
          await auth.logout();
          await auth.loginWithToken(made.key);
        });

        it('isLoggedIn resolves true', async () => {
          expect(await auth.isLoggedIn()).toBe(true);
        });

        it(`whoami resolves the ${actorType} actor`, async () => {
          expect(await auth.whoami()).toEqual({
            id: expect.any(Number),
            actorType,
            actorTypeId: expect.any(Number),
            ...identity,
          });
        });

        it('getUserInfo rejects with "The authentication credentials in use are not of a user"', async () => {
          await expect(auth.getUserInfo()).rejects.toMatchObject({
            message: 'The authentication credentials in use are not of a user',
          });
        });

        it('getActorId resolves the actor id from whoami', async () => {
          const actorId = await auth.getActorId();
          expect(actorId).toEqual(expect.any(Number));
          expect(actorId).toBe((await auth.whoami()).id);
        });

        it('logout makes isLoggedIn resolve false', async () => {
          await auth.logout();
          expect(await auth.isLoggedIn()).toBe(false);
        });

        it('logout resets the token: getToken rejects with BalenaNotLoggedIn', async () => {
          await auth.logout();
          await expect(auth.getToken()).rejects.toMatchObject(notLoggedIn);
        });
      });
    }

    describeKeyActorCases('when logged in with a device API key', 'device', async () => {
      const { key, uuid } = await emu.createDeviceKey();
      expect(uuid).toEqual(expect.any(String));
      return { key, identity: { uuid } };
    });

    describeKeyActorCases('when logged in with an application API key', 'application', async () => {
      const { key, slug } = await emu.createProvisioningKey();
      expect(slug).toEqual(expect.any(String));
      return { key, identity: { slug } };
    });

    describeUserActorCases(
      'when logged in with a user API key',
      async (auth, user) => {
        await auth.login({ email: user.email, password: user.password });
        const apiKey = await createUserApiKey(emu.url, auth);
        await auth.logout();
        await auth.loginWithToken(apiKey);
      },
      { tokenResetOnLogout: true },
    );

    describe('given a user without 2FA', () => {
      let auth: AuthUnderTest;
      let user: TestUser;

      beforeAll(async () => {
        user = await newUser();
      });

      beforeEach(async () => {
        auth = (await newClient()).auth;
        await auth.login({ email: user.email, password: user.password });
      });

      it('twoFactor.isEnabled resolves false', async () => {
        expect(await auth.twoFactor.isEnabled()).toBe(false);
      });

      it('twoFactor.isPassed resolves true', async () => {
        expect(await auth.twoFactor.isPassed()).toBe(true);
      });
    });

    describe('given a user with 2FA', () => {
      let auth: AuthUnderTest;
      let user: TestUser;

      beforeEach(async () => {
        user = await newUser({ twoFactor: true });
        auth = (await newClient()).auth;
        await auth.login({ email: user.email, password: user.password });
      });

      it('twoFactor.isEnabled resolves true', async () => {
        expect(await auth.twoFactor.isEnabled()).toBe(true);
      });

      it('twoFactor.isPassed resolves false right after login', async () => {
        expect(await auth.twoFactor.isPassed()).toBe(false);
      });

      it('twoFactor.isPassed resolves true after challenge with a valid code', async () => {
        await auth.twoFactor.challenge(emu.totp(user.email));
        expect(await auth.twoFactor.isPassed()).toBe(true);
      });

      it('twoFactor.verify resolves a token but stores nothing', async () => {
        const pending = await auth.getToken();
        const token = await auth.twoFactor.verify(emu.totp(user.email));
        expect(token).toEqual(expect.any(String));
        expect(token).not.toBe(pending);
        expect(await auth.twoFactor.isPassed()).toBe(false);
        expect(await auth.getToken()).toBe(pending);
      });

      it('twoFactor.challenge rejects with statusCode 401 given a wrong code', async () => {
        await expect(auth.twoFactor.challenge(wrongTotpCode(emu.totp(user.email)))).rejects.toMatchObject(
          requestError(401),
        );
        expect(await auth.twoFactor.isPassed()).toBe(false);
      });
    });

    describe('requestVerificationEmail', () => {
      it('requestVerificationEmail sends a new verification mail to the logged-in user', async () => {
        const user = await newUser({ verified: false });
        const { auth } = await newClient();
        await auth.login({ email: user.email, password: user.password });
        const before = mailsTo(user.email).length;
        await expect(auth.requestVerificationEmail()).resolves.toBeUndefined();
        const after = mailsTo(user.email);
        expect(after).toHaveLength(before + 1);
        expect(after.at(-1)?.token).toEqual(expect.any(String));
      });
    });

    describe('enabling and disabling 2FA', () => {
      it('getSetupKey, then enable with a code from the setup key, enables 2FA; disable turns it off', async () => {
        const user = await newUser();
        const { auth } = await newClient();
        await auth.login({ email: user.email, password: user.password });
        const setupKey = await auth.twoFactor.getSetupKey();
        expect(setupKey).toEqual(expect.any(String));

        const enabledToken = await auth.twoFactor.enable(totpFromSetupKey(setupKey));
        expect(enabledToken).toEqual(expect.any(String));
        expect(await auth.getToken()).toBe(enabledToken);
        expect(await auth.twoFactor.isEnabled()).toBe(true);

        const disabledToken = await auth.twoFactor.disable(user.password);
        expect(disabledToken).toEqual(expect.any(String));
        expect(await auth.getToken()).toBe(disabledToken);
        expect(await auth.twoFactor.isEnabled()).toBe(false);
      });
    });

    describe('storage isolation', () => {
      let dataDirectory: string;
      let user: TestUser;

      beforeAll(async () => {
        user = await newUser();
      });

      beforeEach(async () => {
        dataDirectory = await mkdtemp(join(tmpdir(), 'balena-auth-conformance-shared-'));
      });

      afterEach(async () => {
        await rm(dataDirectory, { recursive: true, force: true });
      });

      it("a second client on the same dataDirectory sees the first client's login", async () => {
        const first = await newClient(dataDirectory);
        await first.auth.login({ email: user.email, password: user.password });
        const second = await newClient(dataDirectory);
        expect(await second.auth.isLoggedIn()).toBe(true);
        expect(await second.auth.getToken()).toBe(await first.auth.getToken());
      });

      it('a client with dataDirectory false is anonymous', async () => {
        const first = await newClient(dataDirectory);
        await first.auth.login({ email: user.email, password: user.password });
        const inMemory = await newClient(false);
        expect(await inMemory.auth.isLoggedIn()).toBe(false);
        await expect(inMemory.auth.getToken()).rejects.toMatchObject(notLoggedIn);
      });
    });

    describe('request headers', () => {
      it('requests to the API carry an X-Balena-Client header', async () => {
        const user = await newUser();
        const { auth } = await newClient();
        emu.clearRequests();
        await auth.isLoggedIn();
        await auth.authenticate({ email: user.email, password: user.password });
        await auth.login({ email: user.email, password: user.password });
        await auth.whoami();
        await auth.isLoggedIn();
        const requests = emu.requests();
        expect(new Set(requests.map((request) => request.path))).toEqual(
          new Set(['/login_', '/actor/v1/whoami']),
        );
        for (const request of requests) {
          expect(request.client, `X-Balena-Client of ${request.method} ${request.path}`).toMatch(/\S/);
        }
      });
    });
  });
}
