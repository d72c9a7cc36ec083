/** The median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `1,234` */
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
/** `1.23×` */
export const times = (ratio: number, digits = 2) => `${ratio.toFixed(digits)}×`;
