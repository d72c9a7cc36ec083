import { useAuthSelector } from '@balena-auth/react';
import { useId } from 'react';
import { activePaths } from './active-paths.ts';
import { type LastTransition, labelOfEvent } from './inspection-log.ts';
import type { ChartEdge, ChartNode, LaidOutChart } from './statechart-layout.ts';

const sameValue = (a: string, b: string) => a === b;
const polyline = (edge: ChartEdge) => edge.points.map(({ x, y }) => `${x},${y}`).join(' ');

function StateBox({ node, active }: { node: ChartNode; active: boolean }) {
  const atomic = node.kind === 'atomic';
  return (
    <g
      className={`state ${node.kind}${active ? ' active' : ''}`}
      data-state={node.path}
      data-active={active ? 'true' : 'false'}
    >
      <title>{`${node.path}${node.description ? `: ${node.description}` : ''}`}</title>
      <rect x={node.x} y={node.y} width={node.width} height={node.height} rx={atomic ? 15 : 8} />
      <text
        x={atomic ? node.x + node.width / 2 : node.x + 10}
        y={atomic ? node.y + node.height / 2 : node.y + 17}
        textAnchor={atomic ? 'middle' : 'start'}
        dominantBaseline={atomic ? 'central' : 'auto'}
      >
        {node.initial ? '● ' : ''}
        {node.label}
        {node.kind === 'parallel' ? ' (parallel regions)' : ''}
      </text>
    </g>
  );
}

type EdgeRole = 'taken' | 'next' | 'other';

function Arrow({ edge, role, marker }: { edge: ChartEdge; role: EdgeRole; marker: string }) {
  return (
    <polyline
      className={`transition ${role}`}
      data-transition={edge.id}
      data-taken={role === 'taken' ? 'true' : undefined}
      points={polyline(edge)}
      markerEnd={`url(#${marker}-${role})`}
    >
      <title>{`${edge.source} → ${edge.target}\n${edge.labels.join('\n')}`}</title>
    </polyline>
  );
}

/** The event's name beside the last leg of a taken arrow, kept inside the picture. */
function TakenLabel({ edge, event, width }: { edge: ChartEdge; event: string; width: number }) {
  const end = edge.points.at(-1);
  const before = edge.points.at(-2);
  if (!end || !before) return null;
  const text = labelOfEvent(event);
  const x = (end.x + before.x) / 2;
  const y = (end.y + before.y) / 2;
  const fitsRight = x + 8 + text.length * 8.6 < width;
  return (
    <text
      className="taken-label"
      x={fitsRight ? x + 8 : x - 8}
      y={y}
      textAnchor={fitsRight ? 'start' : 'end'}
      dominantBaseline="central"
    >
      {text}
    </text>
  );
}

/**
 * The live statechart: the layout computed from `authMachine` on the server, the active state
 * nodes of the client's snapshot filled, the arrows of the last transition in orange with its
 * event, and the arrows leaving the active states (what can happen next) darker than the rest.
 *
 * @example
 * <StatechartPicture chart={chart} last={lastTransition} />
 */
export function StatechartPicture({
  chart,
  last,
}: {
  chart: LaidOutChart;
  last: LastTransition | undefined;
}) {
  const value = useAuthSelector((snapshot) => JSON.stringify(snapshot.value), sameValue);
  const active = new Set([chart.machineId, ...activePaths(JSON.parse(value))]);
  const pathOf = new Map(chart.nodes.map((node) => [node.id, node.path]));
  const taken = new Set(last?.edges ?? []);
  const roleOf = (edge: ChartEdge): EdgeRole =>
    taken.has(edge.id) ? 'taken' : active.has(pathOf.get(edge.source) as string) ? 'next' : 'other';
  const marker = useId().replace(/:/g, '');
  const byRole = (role: EdgeRole) => chart.edges.filter((edge) => roleOf(edge) === role);
  const nodes = [...chart.nodes].sort((a, b) => Number(a.kind === 'atomic') - Number(b.kind === 'atomic'));
  return (
    <svg
      viewBox={`0 0 ${chart.width} ${chart.height}`}
      width={chart.width}
      height={chart.height}
      role="img"
      aria-labelledby={`${marker}-title`}
      className="statechart"
    >
      <title
        id={`${marker}-title`}
      >{`Statechart ${chart.machineId}; active: ${[...active].join(', ')}`}</title>
      <defs>
        {(['taken', 'next', 'other'] as const).map((role) => (
          <marker
            key={role}
            id={`${marker}-${role}`}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" className={`arrow-head ${role}`} />
          </marker>
        ))}
      </defs>
      {nodes.map((node) => (
        <StateBox key={node.id} node={node} active={active.has(node.path)} />
      ))}
      {(['other', 'next', 'taken'] as const).flatMap((role) =>
        byRole(role).map((edge) => <Arrow key={edge.id} edge={edge} role={role} marker={marker} />),
      )}
      {last
        ? byRole('taken').map((edge) => (
            <TakenLabel key={edge.id} edge={edge} event={last.event} width={chart.width} />
          ))
        : null}
    </svg>
  );
}
