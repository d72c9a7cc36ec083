/**
 * The page the Playwright tests open: a createWebAuth client on `?api=`, the states it went
 * through (with times), and when ready() resolved. Tests drive it through `window.harness`.
 */
import type { BalenaAuth } from '@balena-auth/machine';
import { createWebAuth } from '../../src/index.ts';

export interface Harness {
  auth: BalenaAuth;
  /** Every state the client was in, from its creation, with the `Date.now()` it entered it. */
  states: { state: string; at: number }[];
  /** The state when ready() resolved, once it has. */
  stateAtReady?: string;
  /** Every `onAuthStateChange` event since `listen()`, with the `Date.now()` it arrived. */
  sessionEvents: { event: string; at: number }[];
  /** Subscribes to `onAuthStateChange` (not at start: a listener makes the client confirm its user). */
  listen(): void;
  ready(): Promise<void>;
  stop(): void;
}

declare global {
  interface Window {
    harness: Harness;
  }
}

const name = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : Object.entries(value as Record<string, unknown>)
        .map(([key, child]) => `${key}.${name(child)}`)
        .join(',');

/** The state of the chart's session region, e.g. `unverified.pending`. */
const sessionName = (value: unknown) => name((value as { session: unknown }).session);

const client = createWebAuth({ apiUrl: new URLSearchParams(location.search).get('api') ?? undefined });
const harness: Harness = {
  auth: client.auth,
  states: [{ state: sessionName(client.actor.getSnapshot().value), at: Date.now() }],
  sessionEvents: [],
  listen() {
    client.onAuthStateChange((event) => {
      harness.sessionEvents.push({ event, at: Date.now() });
    });
  },
  ready: client.ready,
  stop: client.stop,
};
client.actor.subscribe((snapshot) => {
  const state = sessionName(snapshot.value);
  if (state !== harness.states.at(-1)?.state) harness.states.push({ state, at: Date.now() });
});
void client.ready().then(() => {
  harness.stateAtReady = sessionName(client.actor.getSnapshot().value);
});
window.harness = harness;
