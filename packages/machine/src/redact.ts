import type { InspectionEvent } from 'xstate';
import { JWT_PATTERN, redactToken } from './token.ts';

const SECRET_KEYS = new Set([
  'token',
  'password',
  'code',
  'result',
  'secret',
  'raw',
  'authorization',
  'verificationtoken',
  'g-recaptcha-response',
  'authtoken',
  'apikey',
]);
const MAX_DEPTH = 12;
/** How XState marks an actor reference in a snapshot's JSON (`children`). */
const ACTOR_TYPE = 1;

type Data = Record<string, unknown>;

/**
 * A plain-data copy of `value` with every secret replaced: strings under secret keys (`token`,
 * `password`, `code`, `secret`, …) become `(redacted)` (`eyJ…(redacted)` for a JWT), and anything
 * shaped like a JWT anywhere else is replaced the same way. Functions are dropped, errors become
 * `{ name, message, … }` (without hidden fields such as a token), actors become `{ id }`, other
 * class instances their class name: nothing in the copy leads back to a live object.
 *
 * @example
 * redact({ type: 'auth.login', email: 'ada@example.com', password: 'hunter2' });
 * // { type: 'auth.login', email: 'ada@example.com', password: '(redacted)' }
 */
export function redact<T>(value: T): T {
  return plain(value, 0, new Set(), false) as T;
}

function plain(value: unknown, depth: number, path: Set<object>, namesForFunctions: boolean): unknown {
  if (typeof value === 'string') return namesForFunctions ? value : value.replace(JWT_PATTERN, redactToken);
  if (typeof value === 'function') return namesForFunctions ? { type: value.name } : undefined;
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (path.has(value)) return '[circular]';
  path.add(value);
  try {
    return plainObject(value, depth, path, namesForFunctions);
  } finally {
    path.delete(value);
  }
}

function plainObject(value: object, depth: number, path: Set<object>, namesForFunctions: boolean): unknown {
  const copy = (item: unknown) => plain(item, depth + 1, path, namesForFunctions);
  if (Array.isArray(value)) return value.map(copy);
  if (value instanceof Error) return plainError(value, copy);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Set) return [...value].map(copy);
  if (value instanceof Map) return [...value.entries()].map(copy);
  if (isActorRef(value)) return { xstate$$type: ACTOR_TYPE, id: String(value.id) };
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return `[${className(value)}]`;
  const result: Data = {};
  for (const key of Object.keys(value)) {
    const item = readProperty(value, key);
    result[key] =
      !namesForFunctions && SECRET_KEYS.has(key.toLowerCase()) && typeof item === 'string'
        ? redactToken(item)
        : copy(item);
  }
  return result;
}

function plainError(error: Error, copy: (item: unknown) => unknown): Data {
  const result: Data = { name: String(error.name), message: copy(String(error.message)) };
  for (const key of Object.keys(error)) {
    const item = readProperty(error, key);
    result[key] =
      SECRET_KEYS.has(key.toLowerCase()) && typeof item === 'string' ? redactToken(item) : copy(item);
  }
  return result;
}

function readProperty(object: object, key: string): unknown {
  try {
    return (object as Data)[key];
  } catch {
    return '[unreadable]';
  }
}

function className(value: object): string {
  const name = readProperty(value, 'constructor') as { name?: unknown } | undefined;
  return typeof name?.name === 'string' && name.name !== '' ? name.name : 'object';
}

type LiveActor = {
  id?: unknown;
  sessionId?: unknown;
  systemId?: unknown;
  src?: unknown;
  _parent?: LiveActor;
  logic?: { config?: unknown };
  getSnapshot?: () => unknown;
};

function isActorRef(value: object): value is LiveActor {
  const actor = value as LiveActor;
  return typeof actor.sessionId === 'string' && typeof actor.getSnapshot === 'function';
}

/**
 * A snapshot as plain redacted data, shaped like its JSON: `status`, `value`, `context`, `input`,
 * `output`, `error`, `children` as `{ xstate$$type, id }`, `historyValue`, `tags`.
 */
function plainSnapshot(snapshot: unknown): unknown {
  if (snapshot === null || typeof snapshot !== 'object') return redact(snapshot);
  const source = snapshot as Data;
  const result: Data = {};
  for (const key of ['status', 'value', 'context', 'input', 'output', 'error'] as const) {
    if (key in source) result[key] = redact(readProperty(source, key));
  }
  const children = readProperty(source, 'children');
  if (children !== null && typeof children === 'object') {
    result.children = Object.fromEntries(
      Object.entries(children).map(([id, child]) => [
        id,
        { xstate$$type: ACTOR_TYPE, id: String((child as LiveActor | undefined)?.id ?? id) },
      ]),
    );
  }
  if ('historyValue' in source) result.historyValue = plainHistory(readProperty(source, 'historyValue'));
  const tags = readProperty(source, 'tags');
  if (tags instanceof Set) result.tags = [...tags].filter((tag) => typeof tag === 'string');
  return result;
}

function plainHistory(history: unknown): Data {
  if (history === null || typeof history !== 'object') return {};
  return Object.fromEntries(
    Object.entries(history).map(([key, nodes]) => [
      key,
      Array.isArray(nodes) ? nodes.map((node) => ({ id: String((node as { id?: unknown })?.id) })) : [],
    ]),
  );
}

/**
 * What an inspector may read of an actor: its ids, its parent's ids, a `getSnapshot()` that
 * answers the plain redacted snapshot, a `send` that does nothing, and for a state machine a plain
 * copy of its definition (`logic.config`, functions as `{ type: name }`).
 */
function plainActorRef(actor: unknown, withDefinition = false): Data | undefined {
  if (actor === null || typeof actor !== 'object') return undefined;
  const live = actor as LiveActor;
  const ref: Data = {
    id: String(live.id),
    sessionId: String(live.sessionId),
    systemId: typeof live.systemId === 'string' ? live.systemId : undefined,
    src: typeof live.src === 'string' ? live.src : undefined,
    _parent: plainParent(live._parent),
    getSnapshot: () => plainSnapshot(readSnapshot(live)),
    send: () => {},
  };
  const config = withDefinition ? live.logic?.config : undefined;
  if (config !== null && typeof config === 'object')
    ref.logic = { config: plain(config, 0, new Set(), true) };
  return ref;
}

function readSnapshot(actor: LiveActor): unknown {
  try {
    return actor.getSnapshot?.();
  } catch {
    return undefined;
  }
}

function plainParent(parent: LiveActor | undefined, depth = 0): Data | undefined {
  if (parent === null || typeof parent !== 'object' || depth > MAX_DEPTH) return undefined;
  return {
    id: String(parent.id),
    sessionId: String(parent.sessionId),
    _parent: plainParent(parent._parent, depth + 1),
  };
}

function plainTransitions(transitions: unknown): Data[] {
  if (!Array.isArray(transitions)) return [];
  return transitions.map(
    (transition: { eventType?: unknown; source?: { id?: unknown }; target?: unknown }) => ({
      eventType: String(transition?.eventType),
      source: `#${String(transition?.source?.id)}`,
      target: Array.isArray(transition?.target)
        ? transition.target.map((node: { id?: unknown }) => `#${String(node?.id)}`)
        : undefined,
    }),
  );
}

/**
 * An inspection event as plain redacted data, safe to hand to an inspector: `type`, `rootId`, the
 * redacted `event`, `snapshot` and action `params`, and `actorRef` / `sourceRef` reduced to what
 * inspectors such as `@statelyai/inspect` read (`id`, `sessionId`, `_parent.sessionId`,
 * `getSnapshot()`, and the machine definition on `@xstate.actor`). No live actor, actor system,
 * store or API client can be reached from it, whether by `util.inspect`, `JSON.stringify` or
 * calling its functions.
 *
 * @example
 * createActor(authMachine, { input, inspect: (event) => inspector.inspect.next(redactInspectionEvent(event)) });
 */
export function redactInspectionEvent(event: InspectionEvent): InspectionEvent {
  const source = event as unknown as Data;
  const copy: Data = {
    type: event.type,
    rootId: event.rootId,
    actorRef: plainActorRef(event.actorRef, event.type === '@xstate.actor'),
  };
  if ('sourceRef' in source) copy.sourceRef = plainActorRef(source.sourceRef);
  if ('event' in source) copy.event = redact(source.event);
  if ('snapshot' in source) copy.snapshot = plainSnapshot(source.snapshot);
  if ('_transitions' in source) copy._transitions = plainTransitions(source._transitions);
  if (event.type === '@xstate.action') {
    copy.action = { type: String(event.action?.type), params: redact(event.action?.params) };
  }
  return copy as unknown as InspectionEvent;
}
