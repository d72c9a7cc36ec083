import { authMachine } from '@balena-auth/machine';
import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { statechartModel } from '../../../scripts/statechart-mermaid.ts';
import { type ChartNode, layOutStatechart } from '../statechart-layout.ts';

const inside = (inner: ChartNode, outer: ChartNode) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;
const overlap = (a: ChartNode, b: ChartNode) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const onBorder = (point: { x: number; y: number }, node: ChartNode) =>
  point.x >= node.x - 2 &&
  point.x <= node.x + node.width + 2 &&
  point.y >= node.y - 2 &&
  point.y <= node.y + node.height + 2;

describe("the statechart picture's layout", () => {
  it("draws every state node of authMachine inside its parent, siblings apart, and every transition's arrow between its two nodes", async () => {
    const chart = await layOutStatechart(authMachine);
    const model = statechartModel(authMachine);
    expect(chart.nodes.map((node) => node.path)).toEqual(model.states.map((state) => state.path));
    expect(chart.nodes).toHaveLength(24);
    const byId = new Map(chart.nodes.map((node) => [node.id, node]));
    for (const node of chart.nodes) {
      expect(node.width * node.height).toBeGreaterThan(0);
      if (node.parent === undefined) continue;
      expect(inside(node, byId.get(node.parent) as ChartNode), `${node.path} inside its parent`).toBe(true);
      for (const sibling of chart.nodes.filter((other) => other.parent === node.parent && other !== node))
        expect(overlap(node, sibling), `${node.path} and ${sibling.path}`).toBe(false);
    }
    const targeted = model.transitions.filter((transition) => transition.target !== undefined);
    expect(chart.edges.flatMap((edge) => edge.labels)).toHaveLength(targeted.length);
    for (const transition of targeted) {
      const edge = chart.edges.find((e) => e.source === transition.source && e.target === transition.target);
      expect(edge?.labels, `${transition.source} -> ${transition.target}`).toContain(transition.label);
    }
    for (const edge of chart.edges) {
      expect(edge.points.length).toBeGreaterThanOrEqual(2);
      expect(
        onBorder(edge.points[0], byId.get(edge.source) as ChartNode),
        `${edge.id} starts at its source`,
      ).toBe(true);
      expect(
        onBorder(edge.points.at(-1) as { x: number; y: number }, byId.get(edge.target) as ChartNode),
        `${edge.id} ends at its target`,
      ).toBe(true);
    }
    expect(chart.nodes.filter((node) => node.initial).map((node) => node.path)).toEqual([
      'session.restoring',
      'session.unverified.pending',
      'activity.reading',
      'activity.ready.idle',
    ]);
  });

  it('is read from the machine it is given, not drawn by hand, and the same machine gives the same picture', async () => {
    const toggle = createMachine({
      id: 'toggle',
      initial: 'off',
      states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } } },
    });
    const chart = await layOutStatechart(toggle);
    expect(chart.nodes.map((node) => [node.path, node.kind, node.initial])).toEqual([
      ['toggle', 'compound', false],
      ['off', 'atomic', true],
      ['on', 'atomic', false],
    ]);
    expect(chart.edges.map((edge) => [edge.id, edge.labels])).toEqual([
      ['off->on', ['flip']],
      ['on->off', ['flip']],
    ]);
    expect(await layOutStatechart(authMachine)).toEqual(await layOutStatechart(authMachine));
  });
});
