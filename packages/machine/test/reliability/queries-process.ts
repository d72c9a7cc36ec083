/**
 * `QUERY_CALLS` authenticate() calls on one client, in batches of 50 at a time, after a warm-up of
 * 1,000; prints one JSON line with the heap after garbage collection before and after. Needs
 * `--expose-gc`. The transport answers at once with a token (a `fetch` override): what is measured
 * is what the client and the shared machine keep per call, not sockets.
 */
import { createAuth, memoryTokenStore } from '../../src/index.ts';
import { fakeJwt } from '../jwt.ts';
import { heapAfterGc } from './heap.ts';

const calls = Number(process.env.QUERY_CALLS ?? 20_000);

const token = fakeJwt({
  id: 1,
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 3600,
});
const client = createAuth({
  apiUrl: 'http://127.0.0.1:9',
  store: memoryTokenStore(),
  fetch: async () => new Response(token, { status: 200, headers: { 'content-type': 'text/plain' } }),
});
await client.ready();
const credentials = { email: 'query@example.com', password: 'a password' };
const run = async (count: number) => {
  for (let done = 0; done < count; done += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, count - done) }, () => client.auth.authenticate(credentials)),
    );
};
await run(1_000);
const heapBefore = await heapAfterGc();
await run(calls);
const heapAfter = await heapAfterGc();
const children = Object.keys(client.actor.getSnapshot().children).length;
client.stop();
console.log(JSON.stringify({ calls, heapBefore, heapAfter, children }));
