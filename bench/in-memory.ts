/**
 * What a call costs each client without the network (bench/in-memory-child.ts, bundled, plain
 * `node`): `isLoggedIn()` over the same in-memory `fetch`, ours vs balena-sdk, and the least any
 * XState client does per call, for scale. The µs are the client's own work per call; the ratio is
 * the median over the rounds of the per-round ratio ours ÷ balena-sdk.
 *
 * Run alone: `pnpm bench in-memory`
 */
import { bundleNodeScript, runNodeScript } from './lib/built-packages.ts';
import type { Section } from './lib/report.ts';
import { int, median, times } from './lib/stats.ts';

const ROUNDS = Number(process.env.BENCH_IN_MEMORY_ROUNDS ?? 40);

interface InMemoryReport {
  calls: number;
  rounds: number;
  perRound: Record<'fetchOnly' | 'ours' | 'balenaSdk' | 'xstateFloor', number[]>;
}

export async function measureInMemory(seed: number): Promise<Section> {
  const file = await bundleNodeScript('in-memory-child.ts');
  const report = await runNodeScript<InMemoryReport>(file, [String(seed), String(ROUNDS)]);
  const { perRound } = report;
  // The client's own work: the call minus the in-memory fetch it makes, round by round.
  const own = (variant: 'ours' | 'balenaSdk' | 'xstateFloor') =>
    perRound[variant].map((us, round) => us - perRound.fetchOnly[round]);
  const ours = own('ours');
  const balenaSdk = own('balenaSdk');
  const floor = own('xstateFloor');
  return {
    name: 'in-memory',
    rows: [
      {
        figure: "isLoggedIn over an in-memory fetch: the client's own µs per call",
        balenaSdk: `${int(median(balenaSdk))} µs`,
        ours: `${int(median(ours))} µs`,
        ratio: times(median(ours.map((us, round) => us / balenaSdk[round]))),
        target: '—',
      },
      {
        figure: 'the least an XState client does per call (event, invoked promise, reply)',
        balenaSdk: '—',
        ours: `${int(median(floor))} µs`,
        ratio: times(median(floor.map((us, round) => us / balenaSdk[round]))),
        target: '—',
      },
    ],
    details: {
      callsPerRound: report.calls,
      rounds: report.rounds,
      medianUsPerCall: Object.fromEntries(
        Object.entries(perRound).map(([name, values]) => [name, median(values)]),
      ),
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatTable } = await import('./lib/report.ts');
  console.log(formatTable((await measureInMemory(Number(process.env.BENCH_SEED ?? 20_251_127))).rows));
}
