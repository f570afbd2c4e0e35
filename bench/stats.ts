import { performance } from 'node:perf_hooks';

/** Nearest-rank percentile (p in 0..100) of a sample; enough for the small samples these benchmarks take. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export const median = (values: number[]) => percentile(values, 50);
export const max = (values: number[]) => Math.max(...values);

/** Runs fn and returns its result with the wall-clock milliseconds it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** Milliseconds rounded for printing: one decimal below 100 ms, whole numbers above. */
export function ms(value: number): string {
  return value < 100 ? `${value.toFixed(1)} ms` : `${Math.round(value).toLocaleString('en-US')} ms`;
}
