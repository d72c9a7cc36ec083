import {
  type AnyStateNode,
  type AnyTransitionDefinition,
  createActor,
  fromPromise,
  initialTransition,
  transition,
} from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { authActors } from '../../src/auth.actors.ts';
import { authMachine } from '../../src/auth.machine.ts';
import type { AuthEvent } from '../../src/index.ts';
import { CHART_EVENTS, nameOfToken } from './chart-events.ts';

type Snapshot = ReturnType<typeof authMachine.getInitialSnapshot>;

/**
 * What the walk tells apart: the state value, whether requests wait or queries run, whether the
 * user is known, which named token is held, and (while checking a code) which request asked.
 */
export function chartKey(snapshot: Snapshot, heldName = nameOfToken(snapshot.context.token)): string {
  const { context } = snapshot;
  return JSON.stringify([
    snapshot.value,
    Math.min(context.queue.length, 1),
    Math.min(Object.keys(context.queries).length, 1),
    context.user !== undefined,
    heldName ?? null,
    snapshot.matches({ activity: 'verifyingTotp' }) ? context.current?.type : null,
  ]);
}

/** `source|event|index`: one transition of the chart, the same on `authMachine` and on its `provide` copies. */
const transitionKey = (transition: AnyTransitionDefinition) =>
  `${transition.source.id}|${transition.eventType}|${transition.source.transitions.get(transition.eventType)?.indexOf(transition)}`;

function allTransitions(node: AnyStateNode, into = new Set<string>()): Set<string> {
  for (const transitions of node.transitions.values())
    for (const t of transitions) into.add(transitionKey(t));
  for (const child of Object.values(node.states)) allTransitions(child, into);
  return into;
}
function allStateNodes(node: AnyStateNode, into = new Set<string>()): Set<string> {
  into.add(node.id);
  for (const child of Object.values(node.states)) allStateNodes(child, into);
  return into;
}

const services = Object.keys(authActors);
/** The chart with services that never finish: the walk supplies their done and error events itself. */
const inertChart = authMachine.provide({
  actors: Object.fromEntries(services.map((name) => [name, fromPromise(() => new Promise<never>(() => {}))])),
});

/** The transitions (every microstep, raised requests included) that `event` takes from `snapshot`. */
function transitionsTaken(snapshot: Snapshot, event: AuthEvent): Set<string> {
  const taken = new Set<string>();
  const actor = createActor(inertChart, {
    input: {},
    snapshot: authMachine.getPersistedSnapshot(snapshot) as Snapshot,
    inspect: (inspection) => {
      if (inspection.type === '@xstate.microstep')
        for (const t of inspection._transitions) taken.add(transitionKey(t));
    },
  });
  actor.start();
  actor.send(event);
  actor.stop();
  return taken;
}

export interface ChartPath {
  /** The events from the start, each with the key of the state it leads to. */
  steps: { event: AuthEvent; key: string }[];
}

/**
 * Walks `authMachine` itself: the shortest path to every distinct state (`chartKey`) under
 * `CHART_EVENTS`, then, greedily, one path for each transition not yet taken (a shortest path plus
 * one event). Reports how much of the chart the chosen paths cover.
 */
export function chartPaths() {
  /** An event the chart reacts to here; a service's result only while that service runs. */
  const handles = (state: Snapshot, event: AuthEvent) =>
    (!('actorId' in event) || event.actorId in state.children) &&
    authMachine.getTransitionData(state, event).length > 0;
  const shortest = getShortestPaths(authMachine, {
    events: CHART_EVENTS,
    serializeState: (state) => chartKey(state),
    filterEvents: handles,
    limit: 2_000_000,
  });
  const transitions = allTransitions(authMachine.root);
  const covered = new Set<string>();
  const statesVisited = new Set<string>();
  const chosen: ChartPath[] = [];
  for (const path of shortest) {
    // Replay the path's events: two paths of one length may reach a key with different contexts.
    let state = initialTransition(authMachine, {})[0];
    const prefix: ChartPath['steps'] = [];
    for (const { event } of path.steps.slice(1)) {
      state = transition(authMachine, state, event)[0];
      prefix.push({ event, key: chartKey(state) });
    }
    for (const event of CHART_EVENTS) {
      if (!handles(state, event)) continue;
      const direct = authMachine.getTransitionData(state, event).map(transitionKey);
      if (state.context.queue.length === 0 && direct.every((key) => covered.has(key))) continue;
      const fresh = [...transitionsTaken(state, event)].filter((key) => !covered.has(key));
      if (fresh.length === 0) continue;
      for (const key of fresh) covered.add(key);
      const [next] = transition(authMachine, state, event);
      chosen.push({ steps: [...prefix, { event, key: chartKey(next) }] });
      for (const node of [...state._nodes, ...next._nodes]) statesVisited.add(node.id);
    }
  }
  return {
    paths: chosen,
    distinctStates: shortest.length,
    transitions: { covered: covered.size, total: transitions.size },
    stateNodes: { covered: statesVisited.size, total: allStateNodes(authMachine.root).size },
  };
}
