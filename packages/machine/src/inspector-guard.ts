import type { InspectionEvent } from 'xstate';
import { warnOnConsole } from './console-warning.ts';
import { redactInspectionEvent } from './redact.ts';

type Inspect = (event: InspectionEvent) => void;

/**
 * The `inspect` option as the actor may call it: each event is handed over as plain redacted data
 * (`redactInspectionEvent`), and whatever the inspector throws, or rejects with when it answers a
 * promise, is ignored (`warn` is told once), so an inspector can never stop or break the client.
 *
 * @example
 * createActor(authMachine, { input, inspect: guardInspector(options.inspect) });
 */
export function guardInspector(
  inspect: Inspect | { next?: Inspect } | undefined,
  warn: (message: string) => void = warnOnConsole,
): Inspect | undefined {
  const observer = typeof inspect === 'function' ? undefined : inspect;
  const next = typeof inspect === 'function' ? inspect : inspect?.next;
  if (typeof next !== 'function') return undefined;
  let warned = false;
  const ignore = () => {
    if (warned) return;
    warned = true;
    warn('balena-auth: the inspect callback failed; its failures are ignored.');
  };
  return (event) => {
    try {
      const answer: unknown = next.call(observer, redactInspectionEvent(event));
      if (answer !== null && typeof answer === 'object')
        (answer as Promise<unknown>).then?.(undefined, ignore);
    } catch {
      ignore();
    }
  };
}
