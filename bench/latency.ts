/**
 * Per-call latency and client CPU over a raw `fetch` of the same route, ours vs balena-sdk, with the
 * emulator in another process. Each route is sampled SAMPLES times per variant, the three variants
 * interleaved (the order rotates every round), after a warm-up.
 *
 * - whoami (uncached): both clients cache whoami; an untimed loginWithToken(sameToken) before each
 *   sample drops the cache, so the timed whoami is a network call. This row carries the target.
 * - isLoggedIn: both clients always ask the server (GET /actor/v1/whoami).
 * - whoami (cached): what a repeated whoami costs in both (no request); the raw fetch still goes out.
 * - login: POST /login_ and storing the token.
 *
 * The emulator answers in well under a millisecond, far faster than a real API, which makes any
 * fixed client overhead a larger fraction; the network rows are therefore measured a second time
 * with the emulator holding every answer SERVER_DELAY_MS (open-balena-api answers whoami in
 * 10-30 ms on loopback). CPU is this process's user+system time (process.cpuUsage) over each call.
 *
 * Run alone: `pnpm bench:latency`
 */
import { performance } from 'node:perf_hooks';
import { createAuth, memoryTokenStore } from '@balena-auth/machine';
import { getSdk } from 'balena-sdk';
import type { EmulatorProcess } from './lib/emulator.ts';
import type { Row, Section } from './lib/report.ts';
import { median, times } from './lib/stats.ts';

const SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 300);
const WARM_UP = 30;
const SERVER_DELAY_MS = 10;

type Variant = 'raw' | 'ours' | 'balenaSdk';
const VARIANTS: Variant[] = ['raw', 'ours', 'balenaSdk'];
interface Route {
  name: string;
  path: string;
  /** Untimed preparation before each sample of a variant. */
  before?: Partial<Record<Variant, () => Promise<unknown>>>;
  run: Record<Variant, () => Promise<unknown>>;
  /** Whether this route's figures carry the latency and CPU targets. */
  targeted: boolean;
  /** Also measured with a slower server. */
  network: boolean;
}

/** Interleaved samples of the three variants of one route. */
async function sample(route: Route) {
  const wall: Record<Variant, number[]> = { raw: [], ours: [], balenaSdk: [] };
  const cpu: Record<Variant, number> = { raw: 0, ours: 0, balenaSdk: 0 };
  for (let round = -WARM_UP; round < SAMPLES; round++) {
    const offset = ((round % 3) + 3) % 3;
    for (let k = 0; k < 3; k++) {
      const variant = VARIANTS[(k + offset) % 3];
      await route.before?.[variant]?.();
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      await route.run[variant]();
      const elapsed = performance.now() - start;
      const used = process.cpuUsage(cpuStart);
      if (round >= 0) {
        wall[variant].push(elapsed);
        cpu[variant] += used.user + used.system;
      }
    }
  }
  const medianMs = Object.fromEntries(VARIANTS.map((v) => [v, median(wall[v])])) as Record<Variant, number>;
  const cpuUs = Object.fromEntries(VARIANTS.map((v) => [v, cpu[v] / SAMPLES])) as Record<Variant, number>;
  return { medianMs, cpuUs };
}

export async function measureLatency(emulator: EmulatorProcess): Promise<Section> {
  const user = { email: 'bench-latency@example.com', password: 'bench-password-1' };
  await emulator.createUser(user);
  const ours = createAuth({ apiUrl: emulator.url, store: memoryTokenStore() });
  await ours.ready();
  const sdk = getSdk({ apiUrl: emulator.url, dataDirectory: false });
  await ours.auth.login(user);
  await sdk.auth.login(user);
  const oursToken = await ours.auth.getToken();
  const sdkToken = await sdk.auth.getToken();
  const rawToken = await emulator.sessionToken(user.email);

  const rawWhoami = async () => {
    const response = await fetch(`${emulator.url}/actor/v1/whoami`, {
      headers: { Authorization: `Bearer ${rawToken}` },
    });
    if (!response.ok) throw new Error(`raw whoami: ${response.status}`);
    return response.json();
  };
  const rawLogin = async () => {
    const response = await fetch(`${emulator.url}/login_`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user.email, password: user.password }),
    });
    if (!response.ok) throw new Error(`raw login: ${response.status}`);
    return response.text();
  };

  const routes: Route[] = [
    {
      name: 'whoami (uncached)',
      path: '/actor/v1/whoami',
      before: {
        ours: () => ours.auth.loginWithToken(oursToken),
        balenaSdk: () => sdk.auth.loginWithToken(sdkToken),
      },
      run: { raw: rawWhoami, ours: () => ours.auth.whoami(), balenaSdk: () => sdk.auth.whoami() },
      targeted: true,
      network: true,
    },
    {
      name: 'isLoggedIn',
      path: '/actor/v1/whoami',
      run: { raw: rawWhoami, ours: () => ours.auth.isLoggedIn(), balenaSdk: () => sdk.auth.isLoggedIn() },
      targeted: false,
      network: true,
    },
    {
      name: 'whoami (cached)',
      path: '/actor/v1/whoami',
      run: { raw: rawWhoami, ours: () => ours.auth.whoami(), balenaSdk: () => sdk.auth.whoami() },
      targeted: false,
      network: false,
    },
    {
      name: 'login',
      path: '/login_',
      run: { raw: rawLogin, ours: () => ours.auth.login(user), balenaSdk: () => sdk.auth.login(user) },
      targeted: false,
      network: true,
    },
  ];

  const details: Record<string, unknown> = {
    samples: SAMPLES,
    warmUp: WARM_UP,
    serverDelayMs: SERVER_DELAY_MS,
  };
  const rows: Row[] = [];
  const cpuRows: Row[] = [];
  for (const delayMs of [0, SERVER_DELAY_MS]) {
    for (const route of routes) {
      if (delayMs > 0 && !route.network) continue;
      if (delayMs > 0) {
        await emulator.faults(route.path, { kind: 'delay', ms: delayMs }, 10 * (SAMPLES + WARM_UP) + 10);
      }
      const { medianMs, cpuUs } = await sample(route);
      await emulator.clearFaults();
      const overRaw = (v: Variant) => medianMs[v] / medianMs.raw;
      const cpuOverRaw = (v: Variant) => cpuUs[v] / cpuUs.raw;
      const label = delayMs > 0 ? `${route.name}, ${delayMs} ms server` : route.name;
      details[label] = {
        medianMs,
        addedMsOverRawFetch: {
          ours: medianMs.ours - medianMs.raw,
          balenaSdk: medianMs.balenaSdk - medianMs.raw,
        },
        cpuMicrosecondsPerCall: cpuUs,
        latencyOverRawFetch: { ours: overRaw('ours'), balenaSdk: overRaw('balenaSdk') },
        cpuOverRawFetch: { ours: cpuOverRaw('ours'), balenaSdk: cpuOverRaw('balenaSdk') },
      };
      const micros = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
      const shown = (v: Variant) =>
        route.network
          ? `${times(overRaw(v), 3)} (+${micros(medianMs[v] - medianMs.raw)})`
          : `${times(overRaw(v), 3)} (${micros(medianMs[v])})`;
      rows.push({
        figure: `${label} latency over raw fetch, median`,
        balenaSdk: shown('balenaSdk'),
        ours: shown('ours'),
        ratio: times(medianMs.ours / medianMs.balenaSdk),
        target: route.targeted ? '≤ 1.03×' : '—',
        met: route.targeted ? overRaw('ours') <= 1.03 : undefined,
      });
      if (delayMs === 0) {
        cpuRows.push({
          figure: `${route.name} client CPU per call over raw fetch`,
          balenaSdk: `${times(cpuOverRaw('balenaSdk'))} (${cpuUs.balenaSdk.toFixed(0)} µs)`,
          ours: `${times(cpuOverRaw('ours'))} (${cpuUs.ours.toFixed(0)} µs)`,
          ratio: times(cpuUs.ours / cpuUs.balenaSdk),
          target: route.targeted ? '≤ 1.2×' : '—',
          met: route.targeted ? cpuOverRaw('ours') <= 1.2 : undefined,
        });
      }
    }
  }
  ours.stop();
  await sdk.auth.logout();
  return { name: 'latency', rows: [...rows, ...cpuRows], details };
}
