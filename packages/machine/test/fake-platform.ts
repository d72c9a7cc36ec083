import { fromPromise } from 'xstate';
import { type AuthActors, createAuthServices } from '../src/auth.actors.ts';
import { authMachine } from '../src/auth.machine.ts';
import { memoryTokenStore } from '../src/memory-store.ts';

/**
 * The real machine with the store in memory, and the given services replaced by fakes; the input
 * to start it with carries the remaining (real) services, whose API rejects every request.
 */
export function machineWith(
  overrides: Partial<AuthActors>,
  options: { now?: () => number; stored?: string } = {},
) {
  const store = memoryTokenStore(options.stored);
  const unreachable = () => Promise.reject(new Error('this test expects no request'));
  return {
    store,
    input: { services: createAuthServices({ api: unreachable, store, now: options.now }) },
    machine: authMachine.provide({ actors: overrides }),
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
