/**
 * One balena-sdk process of the fleet benchmark: its own `getSdk` with an in-memory store, as a
 * replica without a shared store runs. Usage: `fleet-balena-sdk-child.ts <apiUrl> <calls>`; the
 * first stdin line is the session token to start with. Then the protocol of the Redis adapter's
 * fleet member: prints `ready`, and on `go` fires `calls` concurrent calls (isLoggedIn and whoami
 * alternately) and prints `done {"failures":[...]}`; `exit` ends it.
 */
import { createInterface } from 'node:readline';
import { getSdk } from 'balena-sdk';
import { fireFleetCalls } from '../packages/adapter-redis/test/fixtures/fleet-calls.ts';

const [apiUrl, calls] = process.argv.slice(2);
const { auth } = getSdk({ apiUrl, dataDirectory: false });
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
await auth.loginWithToken(String((await lines.next()).value));
console.log('ready');
for (let next = await lines.next(); !next.done && next.value !== 'exit'; next = await lines.next()) {
  if (next.value !== 'go') continue;
  const failures = await fireFleetCalls(auth, Number(calls));
  console.log(`done ${JSON.stringify({ failures })}`);
}
process.stdin.destroy();
