/**
 * The soak: login, whoami and logout, `SOAK_CYCLES` times on one client against the emulator at
 * `SOAK_EMULATOR_URL` (another process), then `stop()`. Needs `--expose-gc`. Prints one JSON line
 * with the heap after garbage collection before and after the cycles, and the active resources
 * (sockets, timers) of this process before the client existed, right after `stop()`, and once idle
 * keep-alive connections have had time to close; then it ends by itself, with nothing left to run.
 */
import { createAuth, memoryTokenStore } from '../../src/index.ts';
import { heapAfterGc } from './heap.ts';

const url = process.env.SOAK_EMULATOR_URL as string;
const credentials = {
  email: process.env.SOAK_EMAIL as string,
  password: process.env.SOAK_PASSWORD as string,
};
const cycles = Number(process.env.SOAK_CYCLES ?? 1000);
const WARM_UP_CYCLES = Number(process.env.SOAK_WARM_UP ?? 100);
const resources = () => process.getActiveResourcesInfo().sort();
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

const before = resources();
const { auth, actor, ready, stop } = createAuth({ apiUrl: url, store: memoryTokenStore() });
await ready();

let failures = 0;
async function cycle() {
  await auth.login(credentials);
  const actorInfo = await auth.whoami();
  if (actorInfo?.actorType !== 'user') failures++;
  await auth.logout();
}

for (let i = 0; i < WARM_UP_CYCLES; i++) await cycle();
const heapBefore = await heapAfterGc();
const samples: number[] = [];
const started = Date.now();
for (let i = 1; i <= cycles; i++) {
  await cycle();
  if (i % Math.max(1, Math.floor(cycles / 4)) === 0) samples.push(await heapAfterGc());
}
const elapsedMs = Date.now() - started;
const heapAfter = await heapAfterGc();
const childrenAtEnd = Object.keys(actor.getSnapshot().children).length;

stop();
await tick();
const afterStop = resources();
let afterIdle = afterStop;
const idleDeadline = Date.now() + 8_000;
while (Date.now() < idleDeadline) {
  afterIdle = resources();
  if (afterIdle.join() === before.join()) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}

process.stdout.write(
  `${JSON.stringify({
    cycles,
    failures,
    elapsedMs,
    heapBefore,
    heapAfter,
    samples,
    childrenAtEnd,
    actorStatus: actor.getSnapshot().status,
    resources: { before, afterStop, afterIdle },
  })}\n`,
);
