import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import { type AuthClient, type AuthEvent, createAuth } from '../src/index.ts';
import { decodeClaims } from '../src/token.ts';
import { nameOfToken, T0, TOKEN_CLAIMS, type TokenName } from './model/chart-events.ts';
import { type ChartPath, chartKey, chartPaths } from './model/chart-paths.ts';
import { gatedStore, startGate } from './model/gate.ts';

/**
 * Model-based test on the chart itself: `chartPaths()` walks `authMachine` with xstate/graph (the
 * services' done and error events supplied as events) and picks paths that between them take every
 * transition it can reach. Each path is then driven through a real client: its requests are sent to
 * the running machine, its services really run (HTTP to a loopback gate, a real token store), and
 * each done or error event of the path is produced by answering the held request or store call the
 * way the event says. After every step the real client must be where the chart says.
 */
const walk = chartPaths();
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;
console.log(
  `model-based walk of authMachine: ${walk.distinctStates} distinct states, ${walk.paths.length} paths; ` +
    `transitions ${walk.transitions.covered}/${walk.transitions.total} (${percent(walk.transitions.covered, walk.transitions.total)}), ` +
    `state nodes ${walk.stateNodes.covered}/${walk.stateNodes.total} (${percent(walk.stateNodes.covered, walk.stateNodes.total)})`,
);

const HOUR = 3_600_000;
const realT0 = Math.floor(Date.now() / 1000) * 1000;
const shift = realT0 - T0;
const email = 'model@example.com';
const user = { id: 1001, actorType: 'user', actorTypeId: 1, username: 'model', email };

let emulator: Emulator;
const realTokens = new Map<TokenName, string>();
const namesOfReal = new Map<string, TokenName>();

beforeAll(async () => {
  emulator = await startEmulator({ loginRateLimit: false });
  await emulator.createUser({ email, password: 'model-password' });
  for (const [name, claims] of Object.entries(TOKEN_CLAIMS) as [
    TokenName,
    (typeof TOKEN_CLAIMS)[TokenName],
  ][]) {
    const token = await emulator.sessionToken(email, {
      ...claims,
      iat: claims.iat + shift / 1000,
      exp: claims.exp + shift / 1000,
    });
    realTokens.set(name, token);
    namesOfReal.set(token, name);
  }
});
afterAll(async () => {
  await emulator?.close();
});

const real = (named: string | undefined) => {
  const name = nameOfToken(named);
  return name ? (realTokens.get(name) as string) : named;
};
const realIatMs = (named: string) => (decodeClaims(real(named) as string)?.iat ?? 0) * 1000;
const statusOf = (error: unknown) => {
  const code = (error as { code?: string }).code;
  if (
    code === 'BalenaNotLoggedIn' ||
    code === 'BalenaInvalidLoginCredentials' ||
    code === 'BalenaExpiredToken'
  )
    return 401;
  return (error as { statusCode?: number }).statusCode ?? 500;
};

/** Drives one path of the chart through a real client. */
async function drive(path: ChartPath) {
  const gate = await startGate();
  const store = gatedStore();
  const clock = { now: realT0 };
  const client: AuthClient = createAuth({
    apiUrl: gate.url,
    store: store.store,
    now: () => clock.now,
    requestTimeoutMs: 10_000,
  });
  let lastQuery = '';
  let id = 0;
  const held = () => client.actor.getSnapshot().context.token;

  const answerHttp = async (route: string, event: AuthEvent, ok: () => [string, string?], body?: RegExp) => {
    const request = await gate.take(route, body);
    if (event.type.startsWith('xstate.done.')) {
      const [text, contentType] = ok();
      request.answer(200, text, contentType);
    } else request.answer(statusOf('error' in event ? event.error : undefined), 'Refused');
  };
  const answerToken = (route: string, event: AuthEvent, body?: RegExp) => {
    const named =
      'output' in event && event.output && typeof event.output === 'object' && 'token' in event.output
        ? String(event.output.token)
        : '';
    if (named) clock.now = realIatMs(named);
    return answerHttp(route, event, () => [real(named) as string], body);
  };

  const perform = async (event: AuthEvent) => {
    if (event.type === 'store.changed') return store.announce(real(event.token));
    if (event.type.startsWith('auth.')) {
      const request = { ...event, id: ++id } as Record<string, unknown> & { type: string; at: number };
      request.at = request.at + shift;
      if (typeof request.token === 'string' && request.type === 'auth.loginWithToken') {
        request.token = real(request.token);
        request.claims = decodeClaims(request.token as string);
      }
      if (typeof request.token === 'string' && request.type === 'auth.credentialRejected')
        request.token = real(request.token);
      if (['auth.authenticate', 'auth.register', 'auth.verifyEmail'].includes(request.type))
        lastQuery = request.type;
      client.actor.send(request as AuthEvent);
      return;
    }
    const actorId = 'actorId' in event ? event.actorId : '';
    const isDone = event.type.startsWith('xstate.done.');
    const output = 'output' in event ? (event.output as Record<string, unknown> | undefined) : undefined;
    const error = 'error' in event ? event.error : undefined;
    switch (actorId) {
      case 'readStoredToken': {
        const op = await store.take('get');
        return isDone ? op.resolve(real(output?.token as string | undefined)) : op.reject(error);
      }
      case 'saveToken':
      case 'removeStoredToken': {
        const op = await store.take(actorId === 'saveToken' ? 'set' : 'remove');
        return isDone ? op.resolve() : op.reject(error);
      }
      case 'refreshToken': {
        const read = await store.take('get');
        if (isDone && output?.source === 'store') return read.resolve(real('token:other'));
        read.resolve(held());
        if (!isDone && (error as { code?: string }).code === 'BalenaExpiredToken')
          clock.now = realT0 + 25 * HOUR;
        await answerToken('/user/v1/refresh-token', event);
        if (isDone) (await store.take('set')).resolve();
        return;
      }
      case 'loginWithPassword':
        return answerToken('/login_', event, /login@/);
      case 'verifyTotp':
        return answerToken('/auth/totp/verify', event);
      case 'disableTwoFactor':
        return answerToken('/auth/totp/disable', event);
      case 'fetchUser':
        return answerHttp('/actor/v1/whoami', event, () => [JSON.stringify(user), 'application/json']);
      case 'fetchSetupKey':
        return answerHttp('/auth/totp/setup', event, () => [String(output?.secret)]);
      case 'markVerificationEmailSent':
        return answerHttp('/v7/user(1)', event, () => ['OK']);
      case 'query.0': {
        const route = { 'auth.authenticate': '/login_', 'auth.register': '/user/register' }[lastQuery];
        return answerToken(
          route ?? '/user/v1/verify-email',
          event,
          lastQuery === 'auth.authenticate' ? /query@/ : undefined,
        );
      }
      default:
        throw new Error(`the walk cannot produce ${event.type}`);
    }
  };

  try {
    for (const [index, step] of path.steps.entries()) {
      await perform(step.event);
      const keyOf = (snapshot: ReturnType<AuthClient['actor']['getSnapshot']>) =>
        chartKey(snapshot, namesOfReal.get(snapshot.context.token ?? ''));
      await waitFor(client.actor, (snapshot) => keyOf(snapshot) === step.key, { timeout: 2_000 }).catch(
        () => {
          throw new Error(
            `step ${index + 1} (${step.event.type}): the chart goes to ${step.key}, the client is at ${keyOf(client.actor.getSnapshot())}`,
          );
        },
      );
    }
  } finally {
    client.stop();
    store.release();
    await gate.close();
  }
}

describe(`model-based: ${walk.paths.length} paths walked on authMachine itself`, () => {
  it('take at least 90% of the chart transitions and visit every state node', () => {
    expect(walk.transitions.covered / walk.transitions.total).toBeGreaterThanOrEqual(0.9);
    expect(walk.stateNodes.covered).toBe(walk.stateNodes.total);
  });

  it.each(walk.paths.map((path) => [path.steps.map((step) => step.event.type).join(' → '), path] as const))(
    'a real client follows %s',
    async (_name, path) => {
      await drive(path);
    },
  );
});
