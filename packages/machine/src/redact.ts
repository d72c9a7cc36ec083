import type { InspectionEvent } from 'xstate';
import { redactToken } from './token.ts';

const SECRET_KEYS = new Set(['token', 'password', 'code', 'result', 'secret', 'raw', 'authorization']);
const JWT_PATTERN = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/g;

/** A copy of `value` with every secret replaced: values under secret keys, and anything shaped like a JWT. */
export function redact<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return value.replace(JWT_PATTERN, (jwt) => redactToken(jwt)) as T;
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1)) as T;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      SECRET_KEYS.has(key.toLowerCase()) && typeof item === 'string'
        ? redactToken(item)
        : redact(item, depth + 1);
  }
  return copy as T;
}

function redactSnapshot(snapshot: unknown): unknown {
  if (snapshot === null || typeof snapshot !== 'object') return snapshot;
  const copy: Record<string, unknown> = { ...(snapshot as Record<string, unknown>) };
  for (const key of ['context', 'input', 'output'] as const) if (key in copy) copy[key] = redact(copy[key]);
  return copy;
}

/** The actor itself, except that reading its snapshot (as inspectors do) gives the redacted one. */
function redactedActorRef<T extends object>(actorRef: T): T {
  return new Proxy(actorRef, {
    get(target, property) {
      if (property === 'getSnapshot')
        return () => redactSnapshot((target as { getSnapshot(): unknown }).getSnapshot());
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * An inspection event safe to hand to an inspector: its event, snapshot and action params are
 * redacted, and its `actorRef` only yields redacted snapshots.
 */
export function redactInspectionEvent(event: InspectionEvent): InspectionEvent {
  const copy = { ...event, actorRef: redactedActorRef(event.actorRef) } as Record<string, unknown>;
  if ('event' in event) copy.event = redact(event.event);
  if ('snapshot' in event) copy.snapshot = redactSnapshot(event.snapshot);
  if (event.type === '@xstate.action') copy.action = redact(event.action);
  return copy as unknown as InspectionEvent;
}
