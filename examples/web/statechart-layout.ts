/**
 * The statechart picture's geometry, computed from `authMachine`'s own definition when the demo
 * server starts: every state node and every transition that changes state (read by the same
 * `statechartModel` that generates docs/statechart.md), laid out by ELK's layered algorithm with
 * compound states drawn as boxes around their children. The page gets the result as JSON and draws
 * it as SVG; nothing here runs in the browser.
 */

import elkModule from 'elkjs/lib/elk.bundled.js';
import type { ELK, ELKConstructorArguments, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { statechartModel } from '../../scripts/statechart-mermaid.ts';

/** elkjs is CommonJS: its default import is the `ELK` class itself (its typings say `.default`). */
const Elk = elkModule as unknown as new (options?: ELKConstructorArguments) => ELK;

/** A state node as drawn: ids and paths as in docs/statechart.md, coordinates from the page's origin. */
export interface ChartNode {
  /** The path joined with `_` (`session_unverified_pending`), or the machine id for the root. */
  id: string;
  /** The path in `snapshot.matches` form (`session.unverified.pending`); the machine id for the root. */
  path: string;
  /** The state's key (`pending`), or the machine id for the root. */
  label: string;
  /** The id of the parent node; undefined for the root. */
  parent: string | undefined;
  /** `parallel` (children active together), `compound` (one child active) or `atomic`. */
  kind: 'parallel' | 'compound' | 'atomic';
  /** The parent's initial state. */
  initial: boolean;
  description: string | undefined;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** All the transitions from one node to another, drawn as one arrow. */
export interface ChartEdge {
  id: string;
  source: string;
  target: string;
  /** `event [guard]` of each transition, e.g. `done(loginWithPassword) [isIssuedTokenTwoFactorPending]`. */
  labels: string[];
  /** The polyline, from the source's border to the target's. */
  points: { x: number; y: number }[];
}

/** What the page draws. */
export interface LaidOutChart {
  machineId: string;
  width: number;
  height: number;
  nodes: ChartNode[];
  edges: ChartEdge[];
}

/** Of the picture's 14 px monospace font. */
const CHAR_WIDTH = 8.6;
const NODE_HEIGHT = 32;
const LABEL_BAND = 26;

function initialPaths(root: AnyStateNode): Set<string> {
  const paths = new Set<string>();
  const visit = (node: AnyStateNode) => {
    const initial = node.type === 'compound' ? node.initial?.target?.[0] : undefined;
    if (initial) paths.add(initial.path.join('.'));
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(root);
  return paths;
}

/**
 * Lays out `machine` (every state node and every transition with a target, merged per pair of
 * nodes) with ELK. Deterministic: the same machine gives the same picture.
 *
 * @example
 * const chart = await layOutStatechart(authMachine);
 * console.log(`${chart.nodes.length} states, ${chart.edges.length} arrows, ${chart.width}×${chart.height}`);
 */
export async function layOutStatechart(machine: AnyStateMachine): Promise<LaidOutChart> {
  const model = statechartModel(machine);
  const initial = initialPaths(machine.root);
  const idOfPath = new Map(model.states.map((state) => [state.path, state.id]));
  const parentOf = (path: string): string | undefined => {
    if (path === model.id) return undefined;
    const parentPath = path.split('.').slice(0, -1).join('.');
    return parentPath === '' ? model.id : idOfPath.get(parentPath);
  };
  const nodes = model.states.map((state) => {
    const label = state.path === model.id ? model.id : (state.path.split('.').at(-1) as string);
    return { ...state, label, parent: parentOf(state.path) };
  });
  const children = new Map<string | undefined, typeof nodes>();
  for (const node of nodes) children.set(node.parent, [...(children.get(node.parent) ?? []), node]);
  const kindOf = (path: string): ChartNode['kind'] => {
    const stateNode =
      path === model.id ? machine.root : machine.root.machine.getStateNodeById(`${model.id}.${path}`);
    return stateNode.type === 'parallel' ? 'parallel' : stateNode.type === 'compound' ? 'compound' : 'atomic';
  };

  const pairs = new Map<string, ChartEdge>();
  for (const transition of model.transitions) {
    if (transition.target === undefined) continue;
    const id = `${transition.source}->${transition.target}`;
    const edge = pairs.get(id) ?? {
      id,
      source: transition.source,
      target: transition.target,
      labels: [],
      points: [],
    };
    edge.labels.push(transition.label);
    pairs.set(id, edge);
  }

  const toElk = (node: (typeof nodes)[number]): ElkNode => {
    const inner = children.get(node.id) ?? [];
    const width = Math.ceil(node.label.length * CHAR_WIDTH + 24);
    if (inner.length === 0) return { id: node.id, width, height: NODE_HEIGHT };
    return {
      id: node.id,
      layoutOptions: {
        'elk.padding': `[top=${LABEL_BAND},left=12,bottom=12,right=12]`,
        'elk.nodeSize.minimum': `(${width + 24}, ${NODE_HEIGHT + LABEL_BAND})`,
      },
      children: inner.map(toElk),
    };
  };
  const root = nodes.find((node) => node.parent === undefined) as (typeof nodes)[number];
  const graph: ElkNode = {
    ...toElk(root),
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '34',
      'elk.spacing.nodeNode': '22',
      'elk.spacing.edgeNode': '12',
      'elk.spacing.edgeEdge': '6',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.padding': `[top=${LABEL_BAND},left=12,bottom=12,right=12]`,
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.randomSeed': '1',
    },
    edges: [...pairs.values()].map(
      (edge): ElkExtendedEdge => ({ id: edge.id, sources: [edge.source], targets: [edge.target] }),
    ),
  };
  const laidOut = await new Elk().layout(graph);

  const placed = new Map<string, ElkNode>();
  const collect = (node: ElkNode) => {
    placed.set(node.id, node);
    for (const child of node.children ?? []) collect(child);
  };
  collect(laidOut);
  const edges = (laidOut.edges ?? []).map((elkEdge) => {
    const edge = pairs.get(elkEdge.id) as ChartEdge;
    const points = (elkEdge.sections ?? []).flatMap((section) => [
      section.startPoint,
      ...(section.bendPoints ?? []),
      section.endPoint,
    ]);
    return { ...edge, points: points.map(({ x, y }) => ({ x: Math.round(x), y: Math.round(y) })) };
  });
  return {
    machineId: model.id,
    width: Math.ceil(laidOut.width ?? 0),
    height: Math.ceil(laidOut.height ?? 0),
    nodes: nodes.map((node) => {
      const box = placed.get(node.id) as ElkNode;
      return {
        id: node.id,
        path: node.path,
        label: node.label,
        parent: node.parent,
        kind: kindOf(node.path),
        initial: initial.has(node.path),
        description: node.description,
        x: Math.round(box.x ?? 0),
        y: Math.round(box.y ?? 0),
        width: Math.round(box.width ?? 0),
        height: Math.round(box.height ?? 0),
      };
    }),
    edges,
  };
}
