import { type Emulator, startEmulator } from '@balena-auth/emulator';
import type { AuthChangeEvent } from '@balena-auth/machine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeAuth } from '../src/index.ts';
import { onCleanup, runNode, tempDirectory } from './support.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ loginRateLimit: false });
});
afterAll(() => emulator.close());

/** The time from `start` until `events` holds `event`, polled every 5 ms, at most `limitMs`. */
async function timeUntil(
  events: { event: AuthChangeEvent; at: number }[],
  event: AuthChangeEvent,
  start: number,
  limitMs = 3_000,
) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const seen = events.find((e) => e.event === event && e.at >= start);
    if (seen) return seen.at - start;
    if (Date.now() > deadline)
      throw new Error(`no ${event} within ${limitMs} ms; got ${events.map((e) => e.event)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('onAuthStateChange with the Node file store', () => {
  it('a token file written and then deleted by another process: SIGNED_IN, then SIGNED_OUT, each within 1 s', async () => {
    const dataDirectory = await tempDirectory();
    await emulator.createUser({ email: 'events@example.com', password: 'events-password' });
    const token = await emulator.sessionToken('events@example.com');
    const client = createNodeAuth({ apiUrl: emulator.url, dataDirectory });
    onCleanup(() => client.stop());
    const events: { event: AuthChangeEvent; at: number }[] = [];
    client.onAuthStateChange((event) => {
      events.push({ event, at: Date.now() });
    });
    await client.ready();

    const file = `${dataDirectory}/token`;
    const writtenAt = Date.now();
    await runNode([
      '-e',
      `require('node:fs').writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(token)})`,
    ]).exited;
    const signedIn = await timeUntil(events, 'SIGNED_IN', writtenAt);

    const deletedAt = Date.now();
    await runNode(['-e', `require('node:fs').unlinkSync(${JSON.stringify(file)})`]).exited;
    const signedOut = await timeUntil(events, 'SIGNED_OUT', deletedAt);

    console.log(`another process: SIGNED_IN after ${signedIn} ms, SIGNED_OUT after ${signedOut} ms`);
    expect(events[0]?.event).toBe('INITIAL_SESSION');
    expect(signedIn).toBeLessThan(1_000);
    expect(signedOut).toBeLessThan(1_000);
    expect(client.getSession()).toEqual({ status: 'signedOut' });
  });
});
