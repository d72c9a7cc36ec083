/**
 * Per-call cost of each client over a raw `fetch` of the same route, ours (packages/machine/dist) vs
 * balena-sdk (its compiled JavaScript), against the emulator in another process. The samples are taken
 * in a plain-node child (bench/latency-child.ts: rounds of shuffled calls); this module turns them into
 * figures.
 *
 * Per route and variant: the median wall time of all calls, and the mean CPU time per call. Per round:
 * the ratio ours ÷ balena-sdk of the time each adds to the round's raw fetch (round medians), of the CPU
 * per call, and of the wall time (local routes). A figure's ratio is the median of its per-round ratios:
 * both clients meet the same machine load within a round, so the ratio holds when absolute times drift.
 *
 * Run alone: `pnpm bench:latency`
 */
import type { LatencyPlan, LatencyReport, RoundSamples, RouteSamples, Variant } from './latency-child.ts';
import { bundleNodeScript, runNodeScript } from './lib/built-packages.ts';
import type { EmulatorProcess } from './lib/emulator.ts';
import type { Row, Section } from './lib/report.ts';
import { int, mean, median, quantile, times } from './lib/stats.ts';

const ROUNDS = Number(process.env.BENCH_LATENCY_ROUNDS ?? 60);
const CALLS_PER_ROUND = Number(process.env.BENCH_LATENCY_CALLS ?? 20);
const WARM_UP_ROUNDS = 3;
const SERVER_DELAY_MS = 10;
const SLOW_SERVER_ROUNDS = 10;
/** Target for every network call: ours adds no more time and uses no more CPU than balena-sdk. */
const NETWORK_TARGET = 1;
/** Target for a getter answered from memory, µs. */
const CACHED_TARGET_US = 5;

interface RouteSummary {
  serverDelayMs: number;
  rounds: number;
  callsPerRound: number;
  medianUs: Record<Variant, number>;
  /** Median of all of a client's calls minus the median of all raw fetches. */
  addedUs: { ours: number; balenaSdk: number };
  cpuUsPerCall: Record<Variant, number>;
  /** Medians of the per-round ratios ours ÷ balena-sdk, with their interquartile range. */
  perRoundRatio: {
    addedOverRawFetch?: RatioSpread;
    cpu: RatioSpread;
    wall: RatioSpread;
  };
  /** Rounds left out of the added-time ratio because balena-sdk's calls were not slower than the raw fetch. */
  roundsWithoutSdkAddedTime?: number;
}

interface RatioSpread {
  median: number;
  p25: number;
  p75: number;
}

const spread = (ratios: number[]): RatioSpread => ({
  median: median(ratios),
  p25: quantile(ratios, 0.25),
  p75: quantile(ratios, 0.75),
});
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const all = (rounds: RoundSamples[], field: keyof RoundSamples, variant: Variant) =>
  rounds.flatMap((round) => round[field][variant]);

function summarise(route: RouteSamples): RouteSummary {
  const { rounds } = route;
  const medianUs = {
    raw: median(all(rounds, 'wallUs', 'raw')),
    ours: median(all(rounds, 'wallUs', 'ours')),
    balenaSdk: median(all(rounds, 'wallUs', 'balenaSdk')),
  };
  const addedRatios: number[] = [];
  for (const round of rounds) {
    const raw = median(round.wallUs.raw);
    const sdkAdded = median(round.wallUs.balenaSdk) - raw;
    if (sdkAdded > 0) addedRatios.push((median(round.wallUs.ours) - raw) / sdkAdded);
  }
  return {
    serverDelayMs: route.serverDelayMs,
    rounds: rounds.length,
    callsPerRound: rounds[0]?.wallUs.raw.length ?? 0,
    medianUs,
    addedUs: { ours: medianUs.ours - medianUs.raw, balenaSdk: medianUs.balenaSdk - medianUs.raw },
    cpuUsPerCall: {
      raw: mean(all(rounds, 'cpuUs', 'raw')),
      ours: mean(all(rounds, 'cpuUs', 'ours')),
      balenaSdk: mean(all(rounds, 'cpuUs', 'balenaSdk')),
    },
    perRoundRatio: {
      addedOverRawFetch: route.kind === 'network' ? spread(addedRatios) : undefined,
      cpu: spread(rounds.map((round) => sum(round.cpuUs.ours) / sum(round.cpuUs.balenaSdk))),
      wall: spread(rounds.map((round) => median(round.wallUs.ours) / median(round.wallUs.balenaSdk))),
    },
    roundsWithoutSdkAddedTime: route.kind === 'network' ? rounds.length - addedRatios.length : undefined,
  };
}

const us = (value: number) => `${int(value)} µs`;
const added = (value: number) => `${value < 0 ? '−' : '+'}${int(Math.abs(value))} µs`;

function rowsOf(name: string, summary: RouteSummary): { latency: Row[]; cpu: Row[] } {
  const ratios = summary.perRoundRatio;
  if (ratios.addedOverRawFetch === undefined) {
    return {
      latency: [
        {
          figure: `${name}, per call`,
          balenaSdk: us(summary.medianUs.balenaSdk),
          ours: us(summary.medianUs.ours),
          ratio: times(ratios.wall.median),
          target: `≤ ${CACHED_TARGET_US} µs`,
          met: summary.medianUs.ours <= CACHED_TARGET_US,
        },
      ],
      cpu: [],
    };
  }
  const slow = summary.serverDelayMs > 0;
  const latency: Row = {
    figure: slow
      ? `${name} added over raw fetch, ${summary.serverDelayMs} ms server`
      : `${name} added over raw fetch, loopback`,
    balenaSdk: added(summary.addedUs.balenaSdk),
    ours: added(summary.addedUs.ours),
    ratio: times(ratios.addedOverRawFetch.median),
    target: slow ? '—' : `≤ ${times(NETWORK_TARGET)}`,
    met: slow ? undefined : ratios.addedOverRawFetch.median <= NETWORK_TARGET,
  };
  const cpu: Row = {
    figure: `${name} client CPU per call`,
    balenaSdk: us(summary.cpuUsPerCall.balenaSdk),
    ours: us(summary.cpuUsPerCall.ours),
    ratio: times(ratios.cpu.median),
    target: `≤ ${times(NETWORK_TARGET)}`,
    met: ratios.cpu.median <= NETWORK_TARGET,
  };
  return { latency: [latency], cpu: slow ? [] : [cpu] };
}

/** The two rows `client.api` would have, saying it is not in the build measured. */
function missingApiRows(): { latency: Row[]; cpu: Row[] } {
  const missing = (figure: string): Row => ({
    figure,
    balenaSdk: '—',
    ours: 'not available in this build',
    ratio: '—',
    target: `≤ ${times(NETWORK_TARGET)}`,
  });
  return {
    latency: [missing('client.api GET added over raw fetch, loopback')],
    cpu: [missing('client.api GET client CPU per call')],
  };
}

export async function measureLatency(emulator: EmulatorProcess, seed: number): Promise<Section> {
  const plan: LatencyPlan = {
    emulatorUrl: emulator.url,
    seed,
    rounds: ROUNDS,
    warmUpRounds: WARM_UP_ROUNDS,
    callsPerRound: CALLS_PER_ROUND,
    serverDelayMs: SERVER_DELAY_MS,
    slowServerRounds: SLOW_SERVER_ROUNDS,
  };
  const child = await bundleNodeScript('latency-child.ts');
  const report = await runNodeScript<LatencyReport>(child, [JSON.stringify(plan)]);

  const details: Record<string, unknown> = { plan: { ...plan, emulatorUrl: undefined } };
  const latency: Row[] = [];
  const cpu: Row[] = [];
  const add = (rows: { latency: Row[]; cpu: Row[] }) => {
    latency.push(...rows.latency);
    cpu.push(...rows.cpu);
  };
  for (const route of report.routes) {
    if (route.requests !== route.expectedRequests) {
      throw new Error(
        `${route.name}: the emulator saw ${route.requests} requests, expected ${route.expectedRequests}; the route does not measure what it says`,
      );
    }
    const summary = summarise(route);
    const label = route.serverDelayMs > 0 ? `${route.name}, ${route.serverDelayMs} ms server` : route.name;
    details[label] = summary;
    add(rowsOf(route.name, summary));
    if (route.name === 'login' && !report.apiAvailable) add(missingApiRows());
  }
  details.clientApi = report.apiAvailable ? 'measured' : 'not available in this build';
  return { name: 'latency', rows: [...latency, ...cpu], details };
}
