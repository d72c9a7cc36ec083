/** The seed every benchmark uses unless `BENCH_SEED` says otherwise; printed with the results. */
export const DEFAULT_SEED = 20_251_127;

/**
 * The seed of this run: `BENCH_SEED` (an unsigned 32-bit integer) or {@link DEFAULT_SEED}.
 *
 * @example
 * const seed = benchSeed(); // BENCH_SEED=7 pnpm bench → 7
 */
export function benchSeed(env: Record<string, string | undefined> = process.env): number {
  const text = env.BENCH_SEED;
  if (text === undefined || text === '') return DEFAULT_SEED;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new Error(`BENCH_SEED must be an integer from 0 to ${0xffff_ffff}, got ${JSON.stringify(text)}`);
  }
  return seed;
}

/**
 * A reproducible shuffler: the same seed gives the same sequence of orders (mulberry32 driving a
 * Fisher–Yates shuffle), so a run can be repeated order for order.
 *
 * @example
 * const shuffle = seededShuffle(42);
 * shuffle(['raw', 'ours', 'balenaSdk']); // a new array, e.g. ['ours', 'raw', 'balenaSdk']
 */
export function seededShuffle(seed: number): <T>(items: readonly T[]) => T[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
  return (items) => {
    const order = [...items];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  };
}
