import type { InspectionEvent } from 'xstate';

const MAX_ENTRIES = 100;

/** `{ authenticated: 'idle' }` → `authenticated.idle`. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.entries(value as Record<string, unknown>)
    .map(([key, child]) => `${key}.${stateName(child)}`)
    .join(', ');
}

/** Errors become `Name: message` (they would otherwise serialise as `{}`). */
const readable = (_key: string, value: unknown) =>
  value instanceof Error ? `${value.name}: ${value.message}` : value;

function describe(event: Record<string, unknown>): string {
  const { type, actorId: _actorId, ...payload } = event;
  const details = Object.keys(payload).length > 0 ? ` ${JSON.stringify(payload, readable)}` : '';
  return `${String(type)}${details.length > 240 ? `${details.slice(0, 240)}…` : details}`;
}

/**
 * The live panel: the machine's current state, and a log of the events the machine received and
 * the states they led to, as the `inspect` option hands them over (already redacted by the machine).
 *
 * @example
 * const log = createEventLog(document.querySelector('#event-log'), document.querySelector('#state'));
 * createWebAuth({ inspect: log.inspect });
 */
export function createEventLog(list: HTMLOListElement, state: HTMLOutputElement) {
  let lastState = '';
  const add = (line: string, kind: 'event' | 'state') => {
    const item = document.createElement('li');
    item.className = kind;
    item.textContent = line;
    list.prepend(item);
    while (list.children.length > MAX_ENTRIES) list.lastElementChild?.remove();
  };
  return {
    inspect(inspection: InspectionEvent): void {
      // Only the machine's own events: the services' results reach it as done/error events.
      if (inspection.actorRef.sessionId !== inspection.rootId) return;
      if (inspection.type === '@xstate.event') add(`← ${describe(inspection.event)}`, 'event');
      if (inspection.type === '@xstate.snapshot') {
        const value = stateName((inspection.snapshot as { value?: unknown }).value ?? '');
        if (value && value !== lastState) add(`⇒ ${value}`, 'state');
        lastState = value || lastState;
      }
    },
    showState(value: unknown): void {
      state.value = stateName(value);
    },
  };
}
