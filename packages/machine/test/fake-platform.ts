import { fromPromise } from 'xstate';
import { createAuthActors } from '../src/auth.actors.ts';
import { createAuthGuards } from '../src/auth.guards.ts';
import { authMachine } from '../src/auth.machine.ts';
import { memoryTokenStore } from '../src/memory-store.ts';

type Overrides = Partial<ReturnType<typeof createAuthActors>>;

/** The real machine with the store in memory, a fixed clock, and the given services replaced by fakes. */
export function machineWith(overrides: Overrides, options: { now?: () => number; stored?: string } = {}) {
  const store = memoryTokenStore(options.stored);
  const unreachable = () => Promise.reject(new Error('this test expects no request'));
  const actors = createAuthActors({ api: unreachable, store, now: options.now });
  return {
    store,
    machine: authMachine.provide({
      actors: { ...actors, ...overrides },
      guards: createAuthGuards(options.now ?? (() => Date.now())),
    }),
  };
}

/** A fake service: a promise you resolve or reject by hand, and a count of calls. */
export function controlledService<Output, Input = unknown>() {
  const calls: Input[] = [];
  const settlers: { resolve(value: Output): void; reject(error: unknown): void }[] = [];
  const logic = fromPromise<Output, Input>(
    ({ input }) =>
      new Promise<Output>((resolve, reject) => {
        calls.push(input);
        settlers.push({ resolve, reject });
      }),
  );
  return {
    logic,
    calls,
    resolveNext: (value: Output) => settlers.shift()?.resolve(value),
    rejectNext: (error: unknown) => settlers.shift()?.reject(error),
  };
}
