import { type Emulator, startEmulator } from '@balena-auth/emulator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTokenStore, type TokenStore } from '../../src/index.ts';
import { InvariantViolation, type RunOptions, runScenario, scenarios, type World } from './session-model.ts';

/** ≥ 500 in CI; `RELIABILITY_RUNS=5000 pnpm test` for a longer search. */
const RUNS = Number(process.env.RELIABILITY_RUNS ?? 500);
/** Fixed so that CI is repeatable; `RELIABILITY_SEED=<n>` replays or varies it. */
const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_127);
const OPTIONS: RunOptions = { requestTimeoutMs: 50, settleTimeoutMs: 3_000 };

let emulator: Emulator;
let world: World;
const unhandled: unknown[] = [];
const onUnhandledRejection = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  emulator = await startEmulator({ loginRateLimit: false });
  const plain = { email: 'plain@example.com', password: 'plain-password-1' };
  const twoFactor = { email: 'twofa@example.com', password: 'twofa-password-1' };
  await emulator.createUser(plain);
  await emulator.createUser({ ...twoFactor, twoFactor: true });
  world = { emulator, plain, twoFactor, apiKey: await emulator.createApiKey(plain.email) };
  process.on('unhandledRejection', onUnhandledRejection);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandledRejection);
  await emulator.close();
});

/** One run of the property: the scenario's invariants, then no unhandled rejection anywhere. */
async function property(scenario: Parameters<typeof runScenario>[1], options: RunOptions) {
  unhandled.length = 0;
  await runScenario(world, scenario, options);
  await new Promise((resolve) => setImmediate(resolve));
  if (unhandled.length > 0) {
    throw new InvariantViolation(`${unhandled.length} unhandled rejection(s): ${String(unhandled[0])}`);
  }
}

describe('random sessions: facade calls, another client on the same store, store edits, faults and clock jumps', () => {
  it(
    'keep the store and both machines in agreement, settle every call, and leave nothing running after stop()',
    async () => {
      console.log(
        `session property: seed ${SEED}, ${RUNS} runs (RELIABILITY_SEED / RELIABILITY_RUNS to change)`,
      );
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(scenarios, (scenario) => property(scenario, OPTIONS)),
        { seed: SEED, numRuns: RUNS },
      );
      console.log(
        `session property: ${RUNS}/${RUNS} runs green in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    },
    Math.max(120_000, RUNS * 400),
  );

  it('catch a store that silently drops writes (the invariants can fail)', async () => {
    const droppingStore = (initial: string | undefined): TokenStore => {
      const inner = memoryTokenStore(initial);
      return { ...inner, set: async () => {} };
    };
    const result = await fc.check(
      fc.asyncProperty(scenarios, (scenario) => property(scenario, { ...OPTIONS, store: droppingStore })),
      { seed: SEED, numRuns: 200, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
    expect(String((result.errorInstance as Error | undefined)?.message)).toMatch(
      /holds .* but the store holds/,
    );
  });
});
