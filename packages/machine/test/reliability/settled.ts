import type { AuthClient } from '../../src/index.ts';

type Snapshot = ReturnType<AuthClient['actor']['getSnapshot']>;

/**
 * Nothing is in flight: the activity region is ready, no invoked or spawned service is still running (every request, store read
 * and store write is one), no request waits in the queue, and none is being served.
 */
export function isSettled(snapshot: Snapshot): boolean {
  return (
    snapshot.status === 'active' &&
    snapshot.matches({ activity: 'ready' }) &&
    runningServices(snapshot).length === 0 &&
    snapshot.context.queue.length === 0 &&
    snapshot.context.current === undefined
  );
}

/** The ids of the machine's services (child actors other than the `platform` holder) that have not finished. */
export function runningServices(snapshot: Snapshot): string[] {
  return Object.entries(snapshot.children)
    .filter(([, child]) => child?.getSnapshot().status === 'active')
    .map(([id]) => id);
}
