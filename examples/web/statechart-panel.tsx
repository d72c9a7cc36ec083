import { useAuthSelector } from '@balena-auth/react';
import { type RefObject, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { type createInspectionLog, stateName } from './inspection-log.ts';
import type { LaidOutChart } from './statechart-layout.ts';
import { StatechartPicture } from './statechart-picture.tsx';

type InspectionLog = ReturnType<typeof createInspectionLog>;

/**
 * Where the picture is wider than its frame (phones), scrolls the frame sideways to the active
 * states: all of them when they fit, else the activity region's (where most steps happen).
 */
function useActiveStatesInView(frame: RefObject<HTMLElement | null>, state: string) {
  // biome-ignore lint/correctness/useExhaustiveDependencies: `state` is the signal to look again
  useLayoutEffect(() => {
    const element = frame.current;
    if (!element || element.scrollWidth <= element.clientWidth) return;
    const origin = element.getBoundingClientRect().left - element.scrollLeft;
    const boxes = [...element.querySelectorAll<SVGGElement>('.state.atomic.active')].map((node) => ({
      path: node.dataset.state ?? '',
      box: node.getBoundingClientRect(),
    }));
    const span = (items: typeof boxes) => ({
      left: Math.min(...items.map(({ box }) => box.left)) - origin,
      right: Math.max(...items.map(({ box }) => box.right)) - origin,
    });
    if (boxes.length === 0) return;
    let { left, right } = span(boxes);
    if (right - left > element.clientWidth)
      ({ left, right } = span(boxes.filter(({ path }) => path.startsWith('activity'))));
    element.scrollLeft = Math.max(0, (left + right) / 2 - element.clientWidth / 2);
  }, [frame, state]);
}

/**
 * The live statechart: the picture, the current state, the last transition, and the event log
 * (redacted by the machine, newest first).
 *
 * @example
 * <StatechartPanel chart={chart} log={log} />
 */
export function StatechartPanel({ chart, log }: { chart: LaidOutChart; log: InspectionLog }) {
  const { entries, last } = useSyncExternalStore(log.subscribe, log.get);
  const state = useAuthSelector((snapshot) => stateName(snapshot.value));
  const frame = useRef<HTMLDivElement>(null);
  useActiveStatesInView(frame, state);
  return (
    <section id="statechart-panel" aria-labelledby="statechart-title">
      <h2 id="statechart-title">Statechart</h2>
      <p>
        Current state: <output id="state">{state}</output>
      </p>
      <p id="last-transition">
        {last ? (
          <>
            Last transition: <code className="event">{last.event}</code> — {last.from} ⇒ {last.to}
          </>
        ) : (
          'No transition yet.'
        )}
      </p>
      <figure className="statechart-figure">
        <div className="statechart-frame" ref={frame}>
          <StatechartPicture chart={chart} last={last} />
        </div>
        <figcaption className="hint">
          Drawn from <code>authMachine</code>'s own definition. Filled: the active states; orange: the arrows
          of the last transition; dark: what can happen next. Hover a state or an arrow for its description
          and events. On a narrow screen the picture keeps its size: scroll it sideways.
        </figcaption>
      </figure>
      <h3>
        Event log <small>(redacted, newest first)</small>
      </h3>
      <ol id="event-log" reversed>
        {entries.map((entry) => (
          <li key={entry.id} className={entry.kind}>
            {entry.text}
          </li>
        ))}
      </ol>
    </section>
  );
}
