/**
 * Every request goes to apiUrl's origin and nowhere else: "apiUrl" is a loopback proxy in front of
 * the emulator that answers one route with a redirect to a second loopback server (another port,
 * so another origin), which would answer like the emulator if anything reached it.
 */
import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BalenaAuth, createAuth, memoryTokenStore } from '../../src/index.ts';
import { forwardTo, type LoopbackServer, startLoopbackServer } from './loopback.ts';

let emulator: Emulator;
let api: LoopbackServer;
let elsewhere: LoopbackServer;
let users = 0;

beforeAll(async () => {
  emulator = await startEmulator({ loginRateLimit: false });
  elsewhere = await startLoopbackServer(forwardTo(emulator.url));
  api = await startLoopbackServer(forwardTo(emulator.url));
});
afterEach(() => {
  api.handle(forwardTo(emulator.url));
  api.hits.length = 0;
  elsewhere.hits.length = 0;
});
afterAll(async () => {
  await Promise.all([api.close(), elsewhere.close()]);
  await emulator.close();
});

/** `apiUrl` answers requests whose path starts with `prefix` (and has no query) with `status` and `location(url)`. */
function redirect(prefix: string, status: number, location: (url: string) => string) {
  api.handle((request, response, body) => {
    const url = request.url ?? '';
    if (!url.startsWith(prefix) || url.includes('?')) return forwardTo(emulator.url)(request, response, body);
    response.writeHead(status, { Location: location(url) }).end();
  });
}

type Session = 'none' | 'user' | 'twoFactorPending' | 'dayOld';
type User = { email: string; password: string; id: number };
interface Method {
  path: string;
  session: Session;
  run(auth: BalenaAuth, user: User): Promise<unknown>;
}

const code = (user: User) => emulator.totp(user.email);

/** Every method that sends a request, the route it sends it to, and a session it can run in. */
const METHODS: Record<string, Method> = {
  login: { path: '/login_', session: 'none', run: (auth, user) => auth.login(user) },
  authenticate: { path: '/login_', session: 'none', run: (auth, user) => auth.authenticate(user) },
  register: {
    path: '/user/register',
    session: 'none',
    run: (auth) => auth.register({ email: `new-${++users}@example.com`, password: 'registration-secret-1' }),
  },
  verifyEmail: {
    path: '/user/v1/verify-email',
    session: 'none',
    run: (auth, user) => auth.verifyEmail({ email: user.email, token: 'verification-secret-1' }),
  },
  whoami: { path: '/actor/v1/whoami', session: 'user', run: (auth) => auth.whoami() },
  isLoggedIn: { path: '/actor/v1/whoami', session: 'user', run: (auth) => auth.isLoggedIn() },
  'the refresh of a 25 h old session token': {
    path: '/user/v1/refresh-token',
    session: 'dayOld',
    run: (auth) => auth.isLoggedIn(),
  },
  'twoFactor.verify': {
    path: '/auth/totp/verify',
    session: 'twoFactorPending',
    run: (auth, user) => auth.twoFactor.verify(code(user)),
  },
  'twoFactor.challenge': {
    path: '/auth/totp/verify',
    session: 'twoFactorPending',
    run: (auth, user) => auth.twoFactor.challenge(code(user)),
  },
  'twoFactor.enable': {
    path: '/auth/totp/verify',
    session: 'user',
    run: (auth) => auth.twoFactor.enable('123456'),
  },
  'twoFactor.getSetupKey': {
    path: '/auth/totp/setup',
    session: 'user',
    run: (auth) => auth.twoFactor.getSetupKey(),
  },
  'twoFactor.disable': {
    path: '/auth/totp/disable',
    session: 'user',
    run: (auth, user) => auth.twoFactor.disable(user.password),
  },
  requestVerificationEmail: {
    path: '/v7/user(',
    session: 'user',
    run: (auth) => auth.requestVerificationEmail(),
  },
};

async function clientIn(session: Session) {
  const n = ++users;
  const user = { email: `user-${n}@example.com`, password: `password-${n}-secret` };
  const created = await emulator.createUser({ ...user, twoFactor: session === 'twoFactorPending' });
  const nowSeconds = Math.floor(Date.now() / 1000);
  const stored =
    session === 'none'
      ? undefined
      : await emulator.sessionToken(user.email, {
          ...(session === 'twoFactorPending' ? { twoFactorRequired: true } : {}),
          ...(session === 'dayOld' ? { iat: nowSeconds - 25 * 60 * 60 } : {}),
        });
  const store = memoryTokenStore(stored);
  const client = createAuth({ apiUrl: api.url, store });
  await client.ready();
  return { ...client, store, stored, user: { ...user, id: created.id } };
}

describe('a redirect to another origin is never followed', () => {
  describe.each([301, 302, 303, 307, 308])('answered %i', (status) => {
    it.each(Object.entries(METHODS))(
      '%s rejects, sends nothing to the other origin and stores nothing',
      async (_name, method) => {
        const client = await clientIn(method.session);
        try {
          redirect(method.path, status, (url) => `${elsewhere.url}${url}`);
          await expect(method.run(client.auth, client.user)).rejects.toMatchObject({
            name: 'BalenaRedirectError',
            statusCode: status,
          });
          expect(api.hits.some((hit) => hit.url.startsWith(method.path))).toBe(true);
          expect(elsewhere.hits).toEqual([]);
          expect(await client.store.get()).toBe(client.stored);
        } finally {
          client.stop();
        }
      },
    );
  });

  it('a redirect to the same host on another scheme is another origin too', async () => {
    const client = await clientIn('none');
    try {
      redirect('/login_', 308, (url) => `${api.url.replace('http:', 'https:')}${url}`);
      await expect(client.auth.login(client.user)).rejects.toMatchObject({ name: 'BalenaRedirectError' });
      expect(await client.store.get()).toBeUndefined();
    } finally {
      client.stop();
    }
  });

  it("in a browser (redirect: 'manual' hides the target): the call rejects with the same error, status 0", async () => {
    const opaque = {
      type: 'opaqueredirect',
      status: 0,
      url: '',
      redirected: false,
      headers: new Headers(),
      body: null,
      text: async () => '',
    };
    /** A fetch that, like a browser's, hides a manual redirect's response; without `manual` it follows. */
    const browserLikeFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      return init?.redirect === 'manual' && response.status >= 300 && response.status < 400
        ? (opaque as unknown as Response)
        : response;
    };
    const n = ++users;
    const user = { email: `browser-${n}@example.com`, password: `password-${n}-secret` };
    await emulator.createUser(user);
    const store = memoryTokenStore();
    const client = createAuth({ apiUrl: api.url, store, fetch: browserLikeFetch });
    try {
      redirect('/login_', 307, (url) => `${elsewhere.url}${url}`);
      await expect(client.auth.login(user)).rejects.toMatchObject({
        name: 'BalenaRedirectError',
        statusCode: 0,
      });
      expect(elsewhere.hits).toEqual([]);
      expect(await store.get()).toBeUndefined();
    } finally {
      client.stop();
    }
  });
});

describe('a redirect within the origin', () => {
  it('307 and 308 are followed with the same method and body', async () => {
    for (const status of [307, 308]) {
      const client = await clientIn('none');
      try {
        redirect('/login_', status, () => '/login_?moved=1');
        await client.auth.login(client.user);
        expect(api.hits.map((hit) => [hit.method, hit.url])).toEqual([
          ['POST', '/login_'],
          ['POST', '/login_?moved=1'],
        ]);
        expect(JSON.parse(api.hits[1].body)).toEqual({
          username: client.user.email,
          password: client.user.password,
        });
        expect(await client.store.get()).toMatch(/^eyJ/);
      } finally {
        api.hits.length = 0;
        client.stop();
      }
    }
  });

  it('301, 302 and 303 after a POST are followed as a GET without the body', async () => {
    for (const status of [301, 302, 303]) {
      const client = await clientIn('none');
      try {
        redirect('/login_', status, () => '/moved-login');
        await expect(client.auth.login(client.user)).rejects.toMatchObject({ statusCode: 404 });
        const [, followed] = api.hits;
        expect([followed.method, followed.url, followed.body]).toEqual(['GET', '/moved-login', '']);
        expect(followed.headers['content-type']).toBeUndefined();
        expect(await client.store.get()).toBeUndefined();
      } finally {
        api.hits.length = 0;
        client.stop();
      }
    }
  });

  it('a redirect loop gives up after 5 redirects with BalenaRedirectError', async () => {
    const client = await clientIn('user');
    try {
      redirect('/actor/v1/whoami', 302, (url) => url);
      await expect(client.auth.whoami()).rejects.toMatchObject({
        name: 'BalenaRedirectError',
        statusCode: 302,
      });
      expect(api.hits).toHaveLength(6);
      expect(await client.store.get()).toBe(client.stored);
    } finally {
      client.stop();
    }
  });
});
