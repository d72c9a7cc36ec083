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

/** An inspection event safe to hand to an inspector: events, snapshots and action params are redacted. */
export function redactInspectionEvent(event: InspectionEvent): InspectionEvent {
  const copy = { ...event } as Record<string, unknown>;
  if ('event' in event) copy.event = redact(event.event);
  if (event.type === '@xstate.snapshot') {
    const snapshot = event.snapshot as unknown as Record<string, unknown>;
    copy.snapshot = {
      ...snapshot,
      ...('context' in snapshot ? { context: redact(snapshot.context) } : {}),
      ...('input' in snapshot ? { input: redact(snapshot.input) } : {}),
      ...('output' in snapshot ? { output: redact(snapshot.output) } : {}),
    };
  }
  if (event.type === '@xstate.action') copy.action = redact(event.action);
  return copy as unknown as InspectionEvent;
}
