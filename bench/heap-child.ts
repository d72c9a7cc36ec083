/**
 * Heap per idle client, in a process of its own on plain `node --expose-gc` (bundled by bench/heap.ts;
 * ours imported from packages/machine/dist, balena-sdk from its compiled JavaScript): creates COUNT idle
 * clients of one kind and prints one JSON line with the heap after garbage collection before and after.
 *
 * - ours: `createAuth({ store: memoryTokenStore() })`, then `ready()` (the store has been read).
 * - balena-sdk: `getSdk({ dataDirectory: false })`, and its `auth` namespace (built on first access).
 *
 * Usage: `node --expose-gc bench/.build/heap-child.mjs <ours|balenaSdk> <count>`
 */
import { createAuth, memoryTokenStore } from '@balena-auth/machine';
import { getSdk } from 'balena-sdk';
import { assertPlainNode } from './lib/plain-node.ts';

assertPlainNode();

const kind = process.argv[2] as 'ours' | 'balenaSdk';
const count = Number(process.argv[3] ?? 10_000);
const WARM_UP = 200;
const apiUrl = 'https://api.balena-cloud.com';
const collectGarbage = globalThis.gc as () => void;

async function idleClient(): Promise<unknown> {
  if (kind === 'ours') {
    const client = createAuth({ apiUrl, store: memoryTokenStore() });
    await client.ready();
    return client;
  }
  const sdk = getSdk({ apiUrl, dataDirectory: false });
  return [sdk, sdk.auth];
}

async function heapAfterGc() {
  for (let i = 0; i < 4; i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return process.memoryUsage().heapUsed;
}

const warmUp: unknown[] = [];
for (let i = 0; i < WARM_UP; i++) warmUp.push(await idleClient());
warmUp.length = 0;
const heapBefore = await heapAfterGc();
const clients: unknown[] = [];
for (let i = 0; i < count; i++) clients.push(await idleClient());
const heapAfter = await heapAfterGc();
process.stdout.write(
  `${JSON.stringify({ kind, count: clients.length, heapBefore, heapAfter, bytesPerClient: (heapAfter - heapBefore) / count })}\n`,
);
process.exit(0);
