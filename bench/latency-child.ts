/**
 * The latency and CPU samples, in a process of its own on plain `node` (bundled by bench/latency.ts; our
 * client imported from packages/machine/dist, balena-sdk from its compiled JavaScript). Prints one JSON
 * line: every route's samples, round by round.
 *
 * A round is CALLS calls of each of the three variants (a raw `fetch`, ours, balena-sdk) in an order
 * shuffled for that round from the seed, so no variant always follows the same one (what runs just
 * before a call decides how cold its caches are). Each call is timed on its own, wall clock and this
 * process's CPU time (user + system); a variant's untimed preparation runs just before its call.
 *
 * Usage: `node bench/.build/latency-child.mjs '<json LatencyPlan>'`
 */
import { performance } from 'node:perf_hooks';
import { createAuth, memoryTokenStore } from '@balena-auth/machine';
import { getSdk } from 'balena-sdk';
import { connectEmulator } from './lib/emulator.ts';
import { assertPlainNode } from './lib/plain-node.ts';
import { seededShuffle } from './lib/seeded-order.ts';

/** What bench/latency.ts asks of this process. */
export interface LatencyPlan {
  emulatorUrl: string;
  seed: number;
  rounds: number;
  warmUpRounds: number;
  callsPerRound: number;
  /** The emulator holds each answer this long for the routes measured again "with a slow server". */
  serverDelayMs: number;
  slowServerRounds: number;
}

export const VARIANTS = ['raw', 'ours', 'balenaSdk'] as const;
export type Variant = (typeof VARIANTS)[number];

/** One round of one route: each variant's calls, in µs, in the order they ran. */
export interface RoundSamples {
  wallUs: Record<Variant, number[]>;
  cpuUs: Record<Variant, number[]>;
}

export interface RouteSamples {
  name: string;
  /** `network`: every variant sends a request; `local`: ours and balena-sdk answer from memory. */
  kind: 'network' | 'local';
  serverDelayMs: number;
  rounds: RoundSamples[];
  /** Requests the emulator logged on the route's path during the route (warm-up included). */
  requests: number;
  expectedRequests: number;
}

export interface LatencyReport {
  /** Whether `createAuth(...).api` exists in this build. */
  apiAvailable: boolean;
  routes: RouteSamples[];
}

interface Route {
  name: string;
  path: string;
  kind: 'network' | 'local';
  /** Untimed, just before each call of that variant. */
  before?: Partial<Record<Variant, () => Promise<unknown>>>;
  run: Record<Variant, () => Promise<unknown>>;
}

assertPlainNode();
const plan = JSON.parse(process.argv[2]) as LatencyPlan;
const shuffle = seededShuffle(plan.seed);
const emulator = connectEmulator(plan.emulatorUrl);

async function sample(
  route: Route,
  { rounds, warmUpRounds, serverDelayMs }: { rounds: number; warmUpRounds: number; serverDelayMs: number },
): Promise<RouteSamples> {
  const slots = VARIANTS.flatMap((variant) => Array.from({ length: plan.callsPerRound }, () => variant));
  const measured: RoundSamples[] = [];
  await emulator.clearRequests();
  for (let round = -warmUpRounds; round < rounds; round++) {
    const samples: RoundSamples = {
      wallUs: { raw: [], ours: [], balenaSdk: [] },
      cpuUs: { raw: [], ours: [], balenaSdk: [] },
    };
    for (const variant of shuffle(slots)) {
      await route.before?.[variant]?.();
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      await route.run[variant]();
      const elapsed = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      samples.wallUs[variant].push(elapsed * 1000);
      samples.cpuUs[variant].push(cpu.user + cpu.system);
    }
    if (round >= 0) measured.push(samples);
  }
  const log = await emulator.requests();
  const calls = (rounds + warmUpRounds) * plan.callsPerRound;
  return {
    name: route.name,
    kind: route.kind,
    serverDelayMs,
    rounds: measured,
    requests: log.filter((record) => record.path === route.path).length,
    // A local route's clients must not reach the server: only the raw fetch does.
    expectedRequests: route.kind === 'network' ? calls * VARIANTS.length : calls,
  };
}

const user = { email: 'bench-latency@example.com', password: 'bench-password-1' };
await emulator.createUser(user);
const client = createAuth({ apiUrl: plan.emulatorUrl, store: memoryTokenStore() });
await client.ready();
const sdk = getSdk({ apiUrl: plan.emulatorUrl, dataDirectory: false });
await client.auth.login(user);
await sdk.auth.login(user);
const oursToken = await client.auth.getToken();
const sdkToken = await sdk.auth.getToken();
const rawToken = await emulator.sessionToken(user.email);

const rawWhoami = async () => {
  const response = await fetch(`${plan.emulatorUrl}/actor/v1/whoami`, {
    headers: { Authorization: `Bearer ${rawToken}` },
  });
  if (!response.ok) throw new Error(`raw whoami: ${response.status}`);
  return response.json();
};
const rawLogin = async () => {
  const response = await fetch(`${plan.emulatorUrl}/login_`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user.email, password: user.password }),
  });
  if (!response.ok) throw new Error(`raw login: ${response.status}`);
  return response.text();
};
const dropCachedUser = {
  ours: () => client.auth.loginWithToken(oursToken),
  balenaSdk: () => sdk.auth.loginWithToken(sdkToken),
};

const uncachedWhoami: Route = {
  name: 'whoami (uncached)',
  path: '/actor/v1/whoami',
  kind: 'network',
  // Both clients cache whoami; logging in with the same token again drops the cached user.
  before: dropCachedUser,
  run: { raw: rawWhoami, ours: () => client.auth.whoami(), balenaSdk: () => sdk.auth.whoami() },
};
const routes: Route[] = [
  uncachedWhoami,
  {
    name: 'isLoggedIn',
    path: '/actor/v1/whoami',
    kind: 'network',
    run: { raw: rawWhoami, ours: () => client.auth.isLoggedIn(), balenaSdk: () => sdk.auth.isLoggedIn() },
  },
  {
    name: 'login',
    path: '/login_',
    kind: 'network',
    run: { raw: rawLogin, ours: () => client.auth.login(user), balenaSdk: () => sdk.auth.login(user) },
  },
];

// `client.api` may not exist in the build being measured; its row then says so.
const api = (client as { api?: unknown }).api;
const apiAvailable = typeof api === 'function';
if (apiAvailable) {
  const get = api as (path: string) => Promise<unknown>;
  routes.push({
    name: 'client.api GET',
    path: '/actor/v1/whoami',
    kind: 'network',
    run: {
      raw: rawWhoami,
      ours: () => get('/actor/v1/whoami'),
      // balena-sdk's counterpart: an authenticated request through its own request layer.
      balenaSdk: () =>
        sdk.request.send({ method: 'GET', url: '/actor/v1/whoami', baseUrl: plan.emulatorUrl }),
    },
  });
}

routes.push({
  name: 'whoami (cached)',
  path: '/actor/v1/whoami',
  kind: 'local',
  // Both caches are filled once before the route; every timed call is then answered from memory (the
  // raw fetch still goes out, so the clients' calls land between network round trips, as in an app).
  run: { raw: rawWhoami, ours: () => client.auth.whoami(), balenaSdk: () => sdk.auth.whoami() },
});

const report: LatencyReport = { apiAvailable, routes: [] };
for (const route of routes) {
  if (route.kind === 'local') {
    await client.auth.loginWithToken(oursToken);
    await sdk.auth.loginWithToken(sdkToken);
    await client.auth.whoami();
    await sdk.auth.whoami();
  }
  report.routes.push(
    await sample(route, { rounds: plan.rounds, warmUpRounds: plan.warmUpRounds, serverDelayMs: 0 }),
  );
}
// The same route with a server as slow as a real one; the code is warm by now.
const slowServer = { rounds: plan.slowServerRounds, warmUpRounds: 1, serverDelayMs: plan.serverDelayMs };
await emulator.faults(
  uncachedWhoami.path,
  { kind: 'delay', ms: plan.serverDelayMs },
  (slowServer.rounds + slowServer.warmUpRounds) * plan.callsPerRound * VARIANTS.length,
);
report.routes.push(await sample(uncachedWhoami, slowServer));
await emulator.clearFaults();

client.stop();
await sdk.auth.logout();
process.stdout.write(`${JSON.stringify(report)}\n`);
