import type { InspectionEvent } from 'xstate';
import { activePaths } from './active-paths.ts';
import type { LaidOutChart } from './statechart-layout.ts';

const MAX_ENTRIES = 100;

/** One line of the event log: an event the machine received, or the state it led to. */
export interface LogEntry {
  id: number;
  kind: 'event' | 'state';
  text: string;
}

/** The last transition that changed the chart's state: its event, and the arrows it took. */
export interface LastTransition {
  /** The event's type, e.g. `auth.login` or `xstate.done.actor.loginWithPassword`. */
  event: string;
  /** State value before and after, as `session.anonymous, activity.ready.idle`. */
  from: string;
  to: string;
  /** Ids of the picture's arrows that this event took (one per region it moved). */
  edges: string[];
}

/** What the log panel and the picture show. A new object whenever something changes. */
export interface InspectionView {
  entries: LogEntry[];
  last: LastTransition | undefined;
}

/** `{ authenticated: 'idle' }` → `authenticated.idle`; regions joined with `, `. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.entries(value as Record<string, unknown>)
    .map(([key, child]) => `${key}.${stateName(child)}`)
    .join(', ');
}

/** How the picture's arrow labels name an event: `done(loginWithPassword)`, `auth.login`. */
export function labelOfEvent(type: string): string {
  const invoked = /^xstate\.(done|error)\.actor\.(.+)$/.exec(type);
  return invoked ? `${invoked[1]}(${invoked[2]})` : type;
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
 * The demo's record of what the machine did, fed by the `inspect` option (whose events the machine
 * has already redacted): the event log, newest first, and the last transition matched to the
 * picture's arrows. `subscribe` and `get` suit `useSyncExternalStore`.
 *
 * @example
 * const log = createInspectionLog(chart);
 * const client = createWebAuth({ inspect: log.inspect });
 */
export function createInspectionLog(chart: LaidOutChart) {
  const listeners = new Set<() => void>();
  const byPath = new Map(chart.nodes.map((node) => [node.id, node.path]));
  let view: InspectionView = { entries: [], last: undefined };
  let previous: unknown;
  let lastId = 0;
  let outsideEvent = '';

  const publish = (next: InspectionView) => {
    view = next;
    for (const listener of [...listeners]) listener();
  };
  const add = (kind: LogEntry['kind'], text: string, last = view.last) =>
    publish({ entries: [{ id: ++lastId, kind, text }, ...view.entries].slice(0, MAX_ENTRIES), last });

  function arrowsTaken(event: string, from: unknown, to: unknown): string[] {
    const before = new Set([chart.machineId, ...activePaths(from)]);
    const after = new Set(activePaths(to));
    const label = labelOfEvent(event);
    return chart.edges
      .filter(
        (edge) =>
          before.has(byPath.get(edge.source) as string) &&
          after.has(byPath.get(edge.target) as string) &&
          edge.labels.some((line) => line.split(' ')[0] === label),
      )
      .map((edge) => edge.id);
  }

  return {
    inspect(inspection: InspectionEvent): void {
      // Only the machine's own events: the services' results reach it as done/error events.
      if (inspection.actorRef.sessionId !== inspection.rootId) return;
      if (inspection.type === '@xstate.event') {
        if (!inspection.event.type.startsWith('xstate.')) outsideEvent = inspection.event.type;
        add('event', `← ${describe(inspection.event)}`);
      }
      if (inspection.type !== '@xstate.snapshot') return;
      const value = (inspection.snapshot as { value?: unknown }).value;
      if (value === undefined || stateName(value) === stateName(previous ?? '')) return;
      const event = String(inspection.event.type);
      const last =
        previous === undefined
          ? undefined
          : {
              event,
              from: stateName(previous),
              to: stateName(value),
              edges: arrowsTaken(event, previous, value),
            };
      previous = value;
      add('state', `⇒ ${stateName(value)}`, last);
    },
    get: () => view,
    /** The type of the last event that came from outside the machine (`auth.login`, `store.changed`, …). */
    lastOutsideEvent: () => outsideEvent,
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
