/**
 * Renders an XState v5 machine as Mermaid `stateDiagram-v2`, read from the machine's own state
 * nodes (`states`, `initial`, `transitions`, `always`, `invoke`, `description`), so the picture
 * cannot drift from the chart.
 *
 * Conventions of the full diagram:
 * - every state node is a Mermaid state whose id is its path joined with `_` (the root is the
 *   machine id); compound states are composite states with an `[*]` marker on their initial child;
 * - a transition that changes state is an arrow labelled `event [guard]`; arrows with the same
 *   source and target are merged, one line per transition. An unguarded candidate that follows
 *   guarded ones for the same event is labelled `[else]`. Invoke results are `done(service)` and
 *   `error(service)`, eventless transitions `always`;
 * - a transition without a target (it runs actions and stays) is a line inside the state's box,
 *   `event [guard] / actions`; for a compound state (the root), whose box Mermaid draws as a frame,
 *   it is a self-loop instead;
 * - every arrow is written after all the states, at the top level: Mermaid moves a state into
 *   whichever composite block last mentions it.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

/** One transition of the machine, as drawn. */
export interface DrawnTransition {
  /** Mermaid id of the state node that owns the transition. */
  source: string;
  /** Mermaid id of the target, or undefined for a transition that stays (actions only). */
  target: string | undefined;
  /** `event [guard]`, plus ` / actions` when the transition has no target. */
  label: string;
}

/** One state node, as drawn and described. */
export interface DrawnState {
  /** Mermaid id: the path joined with `_`, or the machine id for the root. */
  id: string;
  /** The path in `snapshot.matches` form, e.g. `authenticated.idle` (the machine id for the root). */
  path: string;
  /**
   * Mermaid id of the top-level state it belongs to (itself for a top-level state, the root for the
   * root). Under a parallel root, the top level is each region's own states.
   */
  topLevel: string;
  description: string | undefined;
  /** The `src` of each service the state invokes. */
  invokes: string[];
}

/** Everything the diagrams are made of, in drawing order. */
export interface StatechartModel {
  /** The machine id, e.g. `auth`. */
  id: string;
  states: DrawnState[];
  /** One entry per target (a transition into two regions is two arrows); see `transitionCount`. */
  transitions: DrawnTransition[];
  /** The transitions of the machine (each candidate of each event, `always` included), however many targets each has. */
  transitionCount: number;
  /** How many of them have no target. */
  targetlessCount: number;
  /** Every state and transition: Mermaid source from `stateDiagram-v2`, without the code fence. */
  mermaid: string;
  /** Top-level states only; each arrow lists the events that lead from one to the other. */
  overview: string;
}

const mermaidId = (node: AnyStateNode): string => (node.path.length === 0 ? node.id : node.path.join('_'));

const nameOf = (item: unknown): string => {
  if (typeof item === 'string') return item;
  if (typeof item === 'function') return item.name || 'inline';
  if (item !== null && typeof item === 'object' && 'type' in item) return String(item.type);
  return 'inline';
};

/** Mermaid ends a label at `:` and `;`: write them as its entity codes. */
export const escapeLabel = (text: string): string => text.replace(/:/g, '#58;').replace(/;/g, '#59;');

function eventLabel(node: AnyStateNode, eventType: string): string {
  if (eventType === '') return 'always';
  const result = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (result) {
    const [, kind, invokeId] = result;
    const invoked = node.invoke.find((definition) => definition.id === invokeId);
    return `${kind}(${invoked ? nameOf(invoked.src) : invokeId})`;
  }
  const delayed = /^xstate\.after\.(.+)\.[^.]+$/.exec(eventType);
  if (delayed) return `after(${delayed[1]})`;
  return eventType;
}

function describeTransitions(node: AnyStateNode): DrawnTransition[] {
  const candidatesByEvent = [...node.transitions.entries()];
  if (node.always?.length) candidatesByEvent.unshift(['', node.always]);
  const drawn: DrawnTransition[] = [];
  for (const [eventType, candidates] of candidatesByEvent) {
    let guardedBefore = false;
    for (const candidate of candidates) {
      const guard = candidate.guard ? ` [${nameOf(candidate.guard)}]` : guardedBefore ? ' [else]' : '';
      guardedBefore ||= candidate.guard !== undefined;
      const event = `${eventLabel(node, eventType)}${guard}`;
      const targets = candidate.target ?? [];
      if (targets.length === 0) {
        const actions = candidate.actions.map(nameOf).join(', ');
        drawn.push({
          source: mermaidId(node),
          target: undefined,
          label: actions ? `${event} / ${actions}` : event,
        });
      }
      for (const target of targets)
        drawn.push({ source: mermaidId(node), target: mermaidId(target), label: event });
    }
  }
  return drawn;
}

function countTransitions(nodes: AnyStateNode[]) {
  const all = nodes.flatMap((node) => [...(node.always ?? []), ...[...node.transitions.values()].flat()]);
  return { total: all.length, targetless: all.filter((t) => !t.target?.length).length };
}

function collectStates(node: AnyStateNode, into: AnyStateNode[] = []): AnyStateNode[] {
  into.push(node);
  for (const child of Object.values(node.states)) collectStates(child, into);
  return into;
}

const eventOf = (label: string): string => label.split(' ')[0];
/** Code-point order: the same on every machine, whatever its locale. */
const byEvent = (a: string, b: string): number =>
  eventOf(a) < eventOf(b) ? -1 : eventOf(a) > eventOf(b) ? 1 : 0;

/** Arrows `source --> target : line<br/>line`, merged per pair and ordered by source, then target. */
function arrowLines(edges: { source: string; target: string; label: string }[], order: Map<string, number>) {
  const groups = new Map<string, { source: string; target: string; labels: string[] }>();
  for (const { source, target, label } of edges) {
    const key = `${source} ${target}`;
    const group = groups.get(key) ?? { source, target, labels: [] };
    group.labels.push(label);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0) ||
        (order.get(a.target) ?? 0) - (order.get(b.target) ?? 0),
    )
    .map(
      ({ source, target, labels }) =>
        `  ${source} --> ${target} : ${[...labels].sort(byEvent).map(escapeLabel).join('<br/>')}`,
    );
}

/**
 * Reads a machine into states and transitions and renders them as Mermaid `stateDiagram-v2`: the
 * full chart and a top-level overview. Output is deterministic: states in definition order, arrows
 * ordered by source and target, the lines of one arrow by event name (candidates of the same event
 * keep their priority order).
 *
 * @example
 * import { authMachine } from '@balena-auth/machine';
 * const { mermaid, states, transitions } = statechartModel(authMachine);
 * console.log(`${states.length} states, ${transitions.length} transitions\n${mermaid}`);
 */
export function statechartModel(machine: AnyStateMachine): StatechartModel {
  const nodes = collectStates(machine.root);
  const order = new Map(nodes.map((node, index) => [mermaidId(node), index]));
  const parallelRoot = machine.root.type === 'parallel';
  const depth = parallelRoot ? 2 : 1;
  const topLevelOf = (node: AnyStateNode) => {
    if (node.path.length === 0) return node.id;
    let top = machine.root;
    for (const key of node.path.slice(0, depth)) top = top.states[key];
    return mermaidId(top);
  };
  const states: DrawnState[] = nodes.map((node) => ({
    id: mermaidId(node),
    path: node.path.length === 0 ? node.id : node.path.join('.'),
    topLevel: topLevelOf(node),
    description: node.description,
    invokes: node.invoke.map((definition) => nameOf(definition.src)),
  }));
  const transitions = nodes.flatMap(describeTransitions);
  const isCompound = new Map(nodes.map((node) => [mermaidId(node), Object.keys(node.states).length > 0]));

  const lines = ['stateDiagram-v2'];
  const declare = (node: AnyStateNode, indent: string) => {
    const id = mermaidId(node);
    const children = Object.values(node.states);
    const label = node.path.length === 0 ? node.id : node.key;
    if (children.length === 0) {
      lines.push(label === id ? `${indent}${id}` : `${indent}state "${label}" as ${id}`);
      const internal = transitions.filter((t) => t.source === id && t.target === undefined);
      for (const label of internal.map((t) => t.label).sort(byEvent))
        lines.push(`${indent}${id} : ${escapeLabel(label)}`);
      return;
    }
    if (label !== id) lines.push(`${indent}state "${label}" as ${id}`);
    lines.push(`${indent}state ${id} {`);
    const initial = node.type === 'parallel' ? undefined : node.initial?.target?.[0];
    if (initial) lines.push(`${indent}  [*] --> ${mermaidId(initial)}`);
    children.forEach((child, index) => {
      if (node.type === 'parallel' && index > 0) lines.push(`${indent}  --`);
      declare(child, `${indent}  `);
    });
    lines.push(`${indent}}`);
  };
  declare(machine.root, '  ');
  lines.push(
    ...arrowLines(
      transitions
        .filter((t) => t.target !== undefined || isCompound.get(t.source))
        .map((t) => ({ ...t, target: t.target ?? t.source })),
      order,
    ),
  );

  const topOf = new Map(states.map((state) => [state.id, state.topLevel]));
  const overview = ['stateDiagram-v2', `  state ${machine.root.id} {`];
  if (parallelRoot) {
    Object.values(machine.root.states).forEach((region, index) => {
      if (index > 0) overview.push('    --');
      overview.push(`    state ${mermaidId(region)} {`);
      const initial = region.initial?.target?.[0];
      if (initial) overview.push(`      [*] --> ${mermaidId(initial)}`);
      for (const child of Object.values(region.states)) {
        const id = mermaidId(child);
        overview.push(child.key === id ? `      ${id}` : `      state "${child.key}" as ${id}`);
      }
      overview.push('    }');
    });
  } else {
    const initial = machine.root.initial?.target?.[0];
    if (initial) overview.push(`    [*] --> ${mermaidId(initial)}`);
    for (const child of Object.values(machine.root.states)) overview.push(`    ${mermaidId(child)}`);
  }
  overview.push('  }');
  const crossings = new Map<string, { source: string; target: string; label: string }>();
  for (const t of transitions) {
    if (t.target === undefined) continue;
    const source = topOf.get(t.source) as string;
    const target = topOf.get(t.target) as string;
    if (source === target) continue;
    const edge = { source, target, label: eventOf(t.label) };
    crossings.set(`${source} ${target} ${edge.label}`, edge);
  }
  overview.push(...arrowLines([...crossings.values()], order));

  return {
    id: machine.root.id,
    states,
    transitions,
    transitionCount: countTransitions(nodes).total,
    targetlessCount: countTransitions(nodes).targetless,
    mermaid: lines.join('\n'),
    overview: overview.join('\n'),
  };
}
