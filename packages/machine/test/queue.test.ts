import { describe, expect, it } from 'vitest';
import { createActor, type InspectionEvent, waitFor } from 'xstate';
import type { AuthReply, AuthRequest } from '../src/auth.types.ts';
import { controlledService, machineWith } from './fake-platform.ts';
import { fakeJwt, HOUR } from './jwt.ts';

const NOW = Date.UTC(2026, 10, 27, 12);
const seconds = (ms: number) => Math.floor(ms / 1000);
const session = fakeJwt({ id: 1, iat: seconds(NOW - HOUR), exp: seconds(NOW + 100 * HOUR) });

/** The real chart with a fake setup-key service, its microsteps counted through `inspect`. */
async function queuedSetupKeyRequests(count: number) {
  const setupKey = controlledService<{ secret: string }, { token: string }>();
  const { machine, input } = machineWith(
    { fetchSetupKey: setupKey.logic },
    { stored: session, now: () => NOW },
  );
  let microsteps = 0;
  const actor = createActor(machine, {
    input,
    inspect: (event: InspectionEvent) => {
      if (event.type === '@xstate.microstep' && event.actorRef === actor) microsteps++;
    },
  });
  const replies: AuthReply[] = [];
  actor.on('auth.reply', (reply) => replies.push(reply));
  actor.start();
  await waitFor(actor, (s) => s.matches({ activity: 'ready' }));
  const first = microsteps;
  for (let id = 1; id <= count; id++)
    actor.send({ type: 'auth.totp.getSetupKey', id, at: NOW } satisfies AuthRequest);
  expect(actor.getSnapshot().context.queue).toHaveLength(count - 1);
  for (let answered = 0; answered < count; answered++) {
    await waitFor(actor, (s) => s.matches({ activity: 'fetchingSetupKey' }));
    setupKey.resolveNext({ secret: 'JBSWY3DPEHPK3PXP' });
    await waitFor(actor, () => replies.length === answered + 1);
  }
  actor.stop();
  return { microsteps: microsteps - first, replies, calls: setupKey.calls.length };
}

describe('the request queue', () => {
  it('releases 100 queued requests one at a time, with at most 4 microsteps each', async () => {
    const { microsteps, replies, calls } = await queuedSetupKeyRequests(100);
    console.log(`100 queued requests: ${microsteps} microsteps (${microsteps / 100} per request)`);
    expect(calls).toBe(100);
    expect(replies.map((reply) => reply.id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(replies.every((reply) => reply.ok)).toBe(true);
    expect(microsteps / 100).toBeLessThanOrEqual(4);
  });

  it('costs the same per request for 10 queued requests as for 100 (no quadratic release)', async () => {
    const ten = await queuedSetupKeyRequests(10);
    const hundred = await queuedSetupKeyRequests(100);
    expect(hundred.microsteps / 100).toBeLessThanOrEqual(ten.microsteps / 10 + 0.5);
  });
});
