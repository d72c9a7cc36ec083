import type { Emulator, Fault } from '@balena-auth/emulator';
import fc from 'fast-check';
import { waitFor } from 'xstate';
import { type AuthClient, createAuth, memoryTokenStore, type TokenStore } from '../../src/index.ts';
import { isSettled, runningServices } from './settled.ts';
import { describeToken, expectedHeldToken, twoFactorStatusOf } from './tokens.ts';

/** What every run shares: one emulator and its accounts. */
export interface World {
  emulator: Emulator;
  plain: { email: string; password: string };
  twoFactor: { email: string; password: string };
  apiKey: string;
}

/** Credentials a command can hand to `loginWithToken` or write to the store behind the clients' backs. */
export const TOKEN_KINDS = ['session', 'dayOld', 'apiKey', 'forged', 'expired', 'pendingTwoFactor'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];
/** What can be found in the store: any credential, one with the newline a text editor adds, or a JSON non-string. */
export type StoredKind = TokenKind | 'newlineTerminated' | 'malformed';

const FAULT_PATHS = ['/login_', '/actor/v1/whoami', '/user/v1/refresh-token', '/auth/totp/verify'] as const;
const FAULTS = {
  '500': { kind: 'status', status: 500, body: 'Internal Server Error' },
  '503': { kind: 'status', status: 503, body: 'Service Unavailable' },
  '429': { kind: 'rateLimit', retryAfterSeconds: 60 },
  timeout: { kind: 'hang' },
  reset: { kind: 'reset' },
  html: { kind: 'html' },
  invalidJson: { kind: 'invalidJson' },
} as const satisfies Record<string, Fault>;

/** One thing a user, another client or the world does. */
export type Command =
  | { do: 'login'; as: 'plain' | 'wrongPassword' | 'twoFactor' }
  | { do: 'loginWithToken'; token: TokenKind }
  | { do: 'logout' }
  | { do: 'isLoggedIn' }
  | { do: 'whoami' }
  | { do: 'getUserInfo' }
  | { do: 'getToken' }
  | { do: 'challenge'; code: 'good' | 'bad' }
  | { do: 'otherClient'; action: 'login' | 'logout' }
  | { do: 'storeSet'; token: StoredKind }
  | { do: 'storeRemove' }
  | { do: 'fault'; path: (typeof FAULT_PATHS)[number]; fault: keyof typeof FAULTS }
  | { do: 'advanceClock' };

/** A run: what is stored at start, steps (one command, or 2-3 at once), then calls left in flight at `stop()`. */
export interface Scenario {
  initial: StoredKind | 'nothing';
  steps: Command[][];
  inFlightAtStop: Command[];
  stopAfterMs: number;
}

const tokenKind = fc.constantFrom(...TOKEN_KINDS);
const storedKind = fc.constantFrom<StoredKind>(...TOKEN_KINDS, 'newlineTerminated', 'malformed');

/** The calls of the client under test. */
const clientCall: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      do: fc.constant('login' as const),
      as: fc.constantFrom('plain' as const, 'wrongPassword' as const, 'twoFactor' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('loginWithToken' as const), token: tokenKind }) },
  { weight: 2, arbitrary: fc.constant({ do: 'logout' as const }) },
  { weight: 2, arbitrary: fc.constant({ do: 'isLoggedIn' as const }) },
  { weight: 2, arbitrary: fc.constant({ do: 'whoami' as const }) },
  { weight: 1, arbitrary: fc.constant({ do: 'getUserInfo' as const }) },
  { weight: 1, arbitrary: fc.constant({ do: 'getToken' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      do: fc.constant('challenge' as const),
      code: fc.constantFrom('good' as const, 'bad' as const),
    }),
  },
);

/** Everything else that happens around it. */
const worldEvent: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      do: fc.constant('otherClient' as const),
      action: fc.constantFrom('login' as const, 'logout' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('storeSet' as const), token: storedKind }) },
  { weight: 1, arbitrary: fc.constant({ do: 'storeRemove' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      do: fc.constant('fault' as const),
      path: fc.constantFrom(...FAULT_PATHS),
      fault: fc.constantFrom(...(Object.keys(FAULTS) as (keyof typeof FAULTS)[])),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ do: 'advanceClock' as const }) },
);

const command = fc.oneof({ weight: 2, arbitrary: clientCall }, { weight: 1, arbitrary: worldEvent });

export const scenarios: fc.Arbitrary<Scenario> = fc.record({
  initial: fc.oneof(fc.constant('nothing' as const), storedKind),
  steps: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: command.map((c) => [c]) },
      { weight: 1, arbitrary: fc.array(command, { minLength: 2, maxLength: 3 }) },
    ),
    { minLength: 1, maxLength: 10 },
  ),
  inFlightAtStop: fc.array(clientCall, { maxLength: 3 }),
  stopAfterMs: fc.constantFrom(0, 1, 5),
});

/** Options of one run; `store` lets a test swap in a broken store to see the invariants catch it. */
export interface RunOptions {
  requestTimeoutMs: number;
  settleTimeoutMs: number;
  store?: (initial: string | undefined) => TokenStore;
}

/** A property failure: a broken invariant, said without printing any secret. */
export class InvariantViolation extends Error {}

const HOUR_MS = 60 * 60 * 1000;
const NOT_A_USER = 'The authentication credentials in use are not of a user';

/** Counts requests between `fetch` being called and its promise settling, for the clients under test. */
function countingFetch(counter: { inFlight: number }): typeof globalThis.fetch {
  return (input, init) => {
    counter.inFlight++;
    return globalThis.fetch(input, init).finally(() => {
      counter.inFlight--;
    });
  };
}

const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

async function until(condition: () => boolean, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}

/**
 * Runs one scenario against the emulator with two clients (A under test, B "another tab or process")
 * on one shared store, and throws an `InvariantViolation` when any invariant breaks:
 * every call settles (and fails only with a typed balena error); after every step both machines
 * settle, hold exactly the stored token and are in the state its kind calls for; after `stop()`
 * the actors are stopped, every call still in flight settled, and no request or timer is left running.
 */
export async function runScenario(world: World, scenario: Scenario, options: RunOptions): Promise<void> {
  const { emulator } = world;
  emulator.faults.clear();
  const clock = { offsetMs: 0 };
  const now = () => Date.now() + clock.offsetMs;
  const nowSeconds = () => Math.floor(now() / 1000);

  const mint = async (kind: StoredKind): Promise<string> => {
    switch (kind) {
      case 'session':
        return emulator.sessionToken(world.plain.email);
      case 'dayOld':
        return emulator.sessionToken(world.plain.email, {
          iat: nowSeconds() - 25 * 3600,
          exp: nowSeconds() + 100 * 3600,
        });
      case 'apiKey':
        return world.apiKey;
      case 'forged':
        return `${await emulator.sessionToken(world.plain.email)}malformingsuffix`;
      case 'expired':
        return emulator.sessionToken(world.plain.email, {
          iat: nowSeconds() - 2 * 3600,
          exp: nowSeconds() - 3600,
        });
      case 'pendingTwoFactor':
        return emulator.sessionToken(world.twoFactor.email, { twoFactorRequired: true });
      case 'newlineTerminated':
        return `${await emulator.sessionToken(world.plain.email)}\n`;
      case 'malformed':
        return '12345';
    }
  };

  const initial = scenario.initial === 'nothing' ? undefined : await mint(scenario.initial);
  const store = options.store ? options.store(initial) : memoryTokenStore(initial);
  const counter = { inFlight: 0 };
  const timersBefore = activeTimers();
  const clientOptions = {
    apiUrl: emulator.url,
    store,
    now,
    fetch: countingFetch(counter),
    requestTimeoutMs: options.requestTimeoutMs,
  };
  const clients: Record<'A' | 'B', AuthClient> = {
    A: createAuth(clientOptions),
    B: createAuth(clientOptions),
  };
  const { A, B } = clients;

  const violation = (message: string) => new InvariantViolation(message);
  const failures: string[] = [];

  /** Every call must settle; a rejection must be one of the documented, typed errors. */
  const settle = async (label: string, call: Promise<unknown>, allowStopped = false) => {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      call.then(
        (value) => ({ settled: true as const, ok: true as const, value }),
        (error: unknown) => ({ settled: true as const, ok: false as const, error }),
      ),
      new Promise<{ settled: false }>((resolve) => {
        timer = setTimeout(() => resolve({ settled: false }), options.settleTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!outcome.settled) throw violation(`${label} did not settle within ${options.settleTimeoutMs} ms`);
    if (!outcome.ok) {
      const error = outcome.error as { code?: unknown; message?: unknown };
      const typed = typeof error?.code === 'string' && error.code.startsWith('Balena');
      const notAUser = label === 'getUserInfo' && error?.message === NOT_A_USER;
      const stopped = allowStopped && error?.message === 'The auth client has been stopped';
      if (!typed && !notAUser && !stopped) {
        failures.push(`${label} rejected with an untyped error: ${String(error?.message ?? error)}`);
      }
    }
  };

  const perform = (cmd: Command): Promise<unknown> => {
    const { auth } = A;
    switch (cmd.do) {
      case 'login':
        return auth.login(
          cmd.as === 'twoFactor'
            ? world.twoFactor
            : { email: world.plain.email, password: cmd.as === 'plain' ? world.plain.password : 'wrong-one' },
        );
      case 'loginWithToken':
        return mint(cmd.token).then((token) => auth.loginWithToken(token));
      case 'logout':
        return auth.logout();
      case 'isLoggedIn':
        return auth.isLoggedIn();
      case 'whoami':
        return auth.whoami();
      case 'getUserInfo':
        return auth.getUserInfo();
      case 'getToken':
        return auth.getToken();
      case 'challenge': {
        const good = emulator.totp(world.twoFactor.email);
        return auth.twoFactor.challenge(cmd.code === 'good' ? good : good === '000000' ? '111111' : '000000');
      }
      case 'otherClient':
        return cmd.action === 'login' ? B.auth.login(world.plain) : B.auth.logout();
      case 'storeSet':
        return mint(cmd.token).then((token) => store.set(token));
      case 'storeRemove':
        return store.remove();
      case 'fault':
        emulator.faults.next(cmd.path, FAULTS[cmd.fault]);
        return Promise.resolve();
      case 'advanceClock':
        clock.offsetMs += 25 * HOUR_MS;
        return Promise.resolve();
    }
  };

  const checkAgreement = async (after: string) => {
    for (const name of ['A', 'B'] as const) {
      const { actor } = clients[name];
      try {
        await waitFor(actor, isSettled, { timeout: options.settleTimeoutMs });
      } catch {
        const snapshot = actor.getSnapshot();
        throw violation(
          `after ${after}: client ${name} never settled (state ${JSON.stringify(snapshot.value)}, ` +
            `running ${runningServices(snapshot).join(', ') || 'nothing'}, ${snapshot.context.queue.length} queued)`,
        );
      }
    }
    const raw = await store.get();
    const expected = expectedHeldToken(raw);
    for (const name of ['A', 'B'] as const) {
      const snapshot = clients[name].actor.getSnapshot();
      const held = snapshot.context.token;
      const state = JSON.stringify(snapshot.value);
      if (held !== expected) {
        throw violation(
          `after ${after}: client ${name} holds ${describeToken(held)} but the store holds ${describeToken(raw)} (state ${state})`,
        );
      }
      const agrees =
        expected === undefined
          ? snapshot.matches({ session: 'anonymous' })
          : twoFactorStatusOf(expected) === 'pending'
            ? snapshot.matches({ session: 'awaitingTwoFactor' })
            : snapshot.matches({ session: 'unverified' }) || snapshot.matches({ session: 'authenticated' });
      if (!agrees) {
        throw violation(`after ${after}: client ${name} is in ${state} while holding ${describeToken(held)}`);
      }
    }
  };

  try {
    await Promise.all([A.ready(), B.ready()]);
    await checkAgreement('start');
    for (const [index, step] of scenario.steps.entries()) {
      await Promise.all(step.map((cmd) => settle(cmd.do, perform(cmd))));
      if (failures.length > 0) throw violation(`step ${index + 1}: ${failures.join('; ')}`);
      await checkAgreement(`step ${index + 1}`);
    }

    const inFlight = scenario.inFlightAtStop.map((cmd) => settle(cmd.do, perform(cmd), true));
    if (scenario.stopAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, scenario.stopAfterMs));
    A.stop();
    B.stop();
    await Promise.all(inFlight);
    if (failures.length > 0) throw violation(`at stop: ${failures.join('; ')}`);
    for (const name of ['A', 'B'] as const) {
      const { status } = clients[name].actor.getSnapshot();
      if (status !== 'stopped') throw violation(`client ${name} is '${status}' after stop()`);
    }
    await settle('isLoggedIn after stop', A.auth.isLoggedIn(), true);
    if (!(await until(() => counter.inFlight === 0, options.settleTimeoutMs))) {
      throw violation(`${counter.inFlight} request(s) still running after stop()`);
    }
    if (!(await until(() => activeTimers() <= timersBefore, options.settleTimeoutMs))) {
      throw violation(`${activeTimers() - timersBefore} timer(s) still pending after stop()`);
    }
  } finally {
    A.stop();
    B.stop();
  }
}
