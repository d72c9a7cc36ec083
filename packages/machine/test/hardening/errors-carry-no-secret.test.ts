import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type BalenaAuth, createAuth, memoryTokenStore } from '../../src/index.ts';
import { useEmulator } from '../emulated.ts';
import { fakeJwt } from '../jwt.ts';
import { useLoopbackServer } from './loopback.ts';

const env = useEmulator();
const server = useLoopbackServer();

/** Every way an error can be shown: none may contain `secret`. */
function everyRendering(error: unknown): Record<string, string> {
  const e = error as Error & { body?: unknown; cause?: unknown };
  return {
    message: e.message,
    string: String(e),
    json: JSON.stringify(e),
    inspect: inspect(e, { depth: null, showHidden: true, getters: true }),
    body: String(e.body),
    cause: inspect(e.cause, { depth: null, showHidden: true }),
  };
}

function expectNoSecret(error: unknown, secrets: string[]) {
  for (const [rendering, text] of Object.entries(everyRendering(error))) {
    for (const secret of secrets) expect(text.includes(secret), `${rendering} shows a secret`).toBe(false);
  }
}

/** The server answers 400 with whatever it received: the body and the Authorization header, as text and in a header. */
function echoEverything(contentType: 'text/plain' | 'application/json') {
  server.handle((request, response, body) => {
    const echoed = `you sent ${body} with ${request.headers.authorization ?? 'no token'}`;
    response.writeHead(400, { 'Content-Type': contentType, 'X-Echo': encodeURIComponent(echoed) });
    response.end(contentType === 'application/json' ? JSON.stringify({ message: echoed }) : echoed);
  });
}

const session = () => fakeJwt({ id: 1, iat: Math.floor(Date.now() / 1000) });
const pendingSession = () => fakeJwt({ id: 1, iat: Math.floor(Date.now() / 1000), twoFactorRequired: true });

type Case = { stored?: () => string; secrets: string[]; run(auth: BalenaAuth): Promise<unknown> };
const CASES: Record<string, Case> = {
  'login (the password)': {
    secrets: ['hunter2-password'],
    run: (auth) => auth.login({ email: 'ada@example.com', password: 'hunter2-password' }),
  },
  'register (the password)': {
    secrets: ['register-password-9'],
    run: (auth) => auth.register({ email: 'ada@example.com', password: 'register-password-9' }),
  },
  'verifyEmail (the verification token)': {
    secrets: ['verification-token-77'],
    run: (auth) => auth.verifyEmail({ email: 'ada@example.com', token: 'verification-token-77' }),
  },
  'twoFactor.challenge (the code and the session token)': {
    stored: pendingSession,
    secrets: ['918273'],
    run: (auth) => auth.twoFactor.challenge('918273'),
  },
  'twoFactor.disable (the password and the session token)': {
    stored: session,
    secrets: ['disable-password-5'],
    run: (auth) => auth.twoFactor.disable('disable-password-5'),
  },
  'whoami with an API key (the key)': {
    stored: () => 'abcdefghijklmnopqrstuvwxyz012345',
    secrets: ['abcdefghijklmnopqrstuvwxyz012345'],
    run: (auth) => auth.whoami(),
  },
};

describe('a server that echoes the request back never puts a secret into the error', () => {
  describe.each(['text/plain', 'application/json'] as const)('echoed as %s', (contentType) => {
    it.each(Object.entries(CASES))('%s', async (_name, { stored, secrets, run }) => {
      echoEverything(contentType);
      const token = stored?.();
      const client = createAuth({ apiUrl: server.url, store: memoryTokenStore(token) });
      try {
        await client.ready();
        const error = await run(client.auth).catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'BalenaRequestError', statusCode: 400 });
        expect(server.hits).toHaveLength(1);
        expectNoSecret(error, token ? [...secrets, token] : secrets);
        expect((error as Error).message).toContain('(redacted)');
        expect((error as { body: string }).body).toContain('(redacted)');
      } finally {
        client.stop();
      }
    });
  });
});

describe('server text in a message is one short printable line', () => {
  it("a proxy's HTML error page becomes its visible text on one line", async () => {
    const { auth } = await env.client();
    env.emulator.faults.next('/login_', { kind: 'html', status: 502 });
    const error = await auth.login(await env.user()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'BalenaRequestError', statusCode: 502 });
    expect((error as Error).message).toBe('Request error: 502 Error emulated proxy');
    expect((error as { body: string }).body).toContain('<h1>502 Error</h1>');
  });

  it('a long body is cut to 200 characters, control characters and line breaks removed', async () => {
    server.handle((_request, response) => {
      response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end(`\u001b[31mred\u001b[0m\r\nline two\u0000${'x'.repeat(10_000)}`);
    });
    const client = createAuth({ apiUrl: server.url, store: memoryTokenStore() });
    try {
      const error = (await client.auth
        .authenticate({ email: 'a@example.com', password: 'pw-1' })
        .catch((e) => e)) as Error;
      const text = error.message.slice('Request error: '.length);
      expect(error.message.startsWith('Request error: [31mred [0m line two ')).toBe(true);
      expect(text.length).toBeLessThanOrEqual(200);
      expect(text).not.toMatch(/\p{Cc}/u);
    } finally {
      client.stop();
    }
  });

  it("a short plain body keeps balena-sdk's message exactly", async () => {
    const { auth } = await env.client();
    env.emulator.faults.next('/login_', { kind: 'status', status: 500, body: 'Internal Server Error' });
    await expect(auth.login(await env.user())).rejects.toMatchObject({
      message: 'Request error: Internal Server Error',
      body: 'Internal Server Error',
    });
  });
});

describe('a parameter error never echoes a secret argument', () => {
  it.each([
    ['login', (auth: BalenaAuth) => auth.login('ada@example.com:hunter2-in-a-string' as never)],
    ['authenticate', (auth: BalenaAuth) => auth.authenticate('ada@example.com:hunter2-in-a-string' as never)],
    ['register', (auth: BalenaAuth) => auth.register('ada@example.com:hunter2-in-a-string' as never)],
    ['verifyEmail', (auth: BalenaAuth) => auth.verifyEmail('ada@example.com:hunter2-in-a-string' as never)],
  ])('%s given a plain string', async (_name, run) => {
    const { auth } = await env.client();
    const error = await run(auth).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'BalenaInvalidParameterError' });
    expectNoSecret(error, ['hunter2-in-a-string']);
  });
});
