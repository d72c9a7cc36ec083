/**
 * What a call costs the client itself, with the network taken out: both clients get the same
 * in-memory `fetch` (it answers whoami from memory with a new `Response`), so each call's time is
 * the client's own work: ours (packages/machine/dist), balena-sdk (its compiled JavaScript, which
 * calls the global `fetch`), and the least any XState client does per call (one event, one invoked
 * promise that fetches, one emitted reply, on a one-state machine). Prints one JSON line.
 *
 * A round is CALLS `isLoggedIn()` calls of each variant, in an order shuffled for that round from
 * the seed; the figure per variant is the median over the rounds of the round's mean µs per call.
 *
 * Usage: `node bench/.build/in-memory-child.mjs <seed> <rounds>`
 */
import { performance } from 'node:perf_hooks';
import { assertPlainNode } from './lib/plain-node.ts';
import { seededShuffle } from './lib/seeded-order.ts';

assertPlainNode();
const seed = Number(process.argv[2]);
const rounds = Number(process.argv[3] ?? 40);
const CALLS = 200;
const WARM_UP_ROUNDS = 5;
const apiUrl = 'http://127.0.0.1:9';
const user = { id: 1, actorType: 'user', actorTypeId: 1, username: 'bench', email: 'bench@example.com' };
const body = JSON.stringify(user);
const inMemoryFetch: typeof fetch = async () =>
  new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
// balena-sdk's request layer keeps the global fetch it finds when it loads: swap it in first.
globalThis.fetch = inMemoryFetch;

const { getSdk } = await import('balena-sdk');
const { createAuth, memoryTokenStore } = await import('@balena-auth/machine');
const { assign, createActor, emit, fromPromise, setup } = await import('xstate');

const claims = { iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 86_400, id: 1 };
const jwt = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJl`;

const sdk = getSdk({ apiUrl, dataDirectory: false });
await sdk.auth.loginWithToken(jwt);
const client = createAuth({ apiUrl, store: memoryTokenStore(), fetch: inMemoryFetch });
await client.ready();
await client.auth.loginWithToken(jwt);

const floorMachine = setup({
  types: {} as {
    context: { id: number };
    events: { type: 'ask'; id: number };
    emitted: { type: 'reply'; id: number };
  },
  actors: { fetchUser: fromPromise(async () => (await inMemoryFetch(`${apiUrl}/actor/v1/whoami`)).json()) },
}).createMachine({
  initial: 'idle',
  context: { id: 0 },
  states: {
    idle: { on: { ask: { target: 'asking', actions: assign({ id: ({ event }) => event.id }) } } },
    asking: {
      invoke: {
        src: 'fetchUser',
        onDone: { target: 'idle', actions: emit(({ context }) => ({ type: 'reply', id: context.id })) },
      },
    },
  },
});
const floor = createActor(floorMachine);
const waiting = new Map<number, () => void>();
floor.on('reply', ({ id }) => waiting.get(id)?.());
floor.start();
let lastId = 0;
const askFloor = () =>
  new Promise<void>((resolve) => {
    const id = ++lastId;
    waiting.set(id, () => {
      waiting.delete(id);
      resolve();
    });
    floor.send({ type: 'ask', id });
  });

const variants = {
  fetchOnly: async () => JSON.parse(await (await inMemoryFetch(`${apiUrl}/actor/v1/whoami`)).text()),
  ours: () => client.auth.isLoggedIn(),
  balenaSdk: () => sdk.auth.isLoggedIn(),
  xstateFloor: askFloor,
} as const;
type Variant = keyof typeof variants;

const shuffle = seededShuffle(seed);
const perRound: Record<Variant, number[]> = { fetchOnly: [], ours: [], balenaSdk: [], xstateFloor: [] };
for (let round = -WARM_UP_ROUNDS; round < rounds; round++) {
  for (const name of shuffle(Object.keys(variants) as Variant[])) {
    const run = variants[name];
    const start = performance.now();
    for (let call = 0; call < CALLS; call++) await run();
    const microseconds = ((performance.now() - start) * 1000) / CALLS;
    if (round >= 0) perRound[name].push(microseconds);
  }
}
client.stop();
process.stdout.write(`${JSON.stringify({ calls: CALLS, rounds, perRound })}\n`);
process.exit(0);
