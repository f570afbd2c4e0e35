/** Most callers (credentials, page links) a limiter keeps a bucket for; the least recently seen go first. */
export const MAX_TRACKED_CALLERS = 10_000;

/** A bucket refills whole in a minute: one idle that long holds nothing a new bucket would not, and is forgotten. */
const REFILL_MS = 60_000;

/**
 * A token bucket per caller (credential): `perMinute` requests a minute on average, bursts up to the same number.
 * Per process: N intakes allow N times the rate, which is what the operator sizes when running N of them.
 * Bounded: every key and every page link ever seen used to keep a bucket forever. Buckets are kept least recently
 * used first; one idle for a minute is full again and dropped, and beyond `maxCallers` the least recently used is
 * dropped too (that caller starts again with a full bucket: a flood of that many live credentials or links at once
 * loosens the limit of the quietest, never holds memory).
 */
export function createRateLimiter(perMinute: number, now: () => number = Date.now, maxCallers = MAX_TRACKED_CALLERS) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refillPerMs = perMinute / 60_000;
  // Swept from the least recently used, down to 90 % of the cap, and at most once a second for idle ones: a sweep
  // per request would walk the map's freed slots each time.
  const keepAfterSweep = Math.floor(maxCallers * 0.9);
  let nextSweepAt = 0;
  const forget = (t: number) => {
    if (buckets.size <= maxCallers && t < nextSweepAt) return;
    nextSweepAt = t + 1000;
    for (const [key, b] of buckets) {
      if (buckets.size <= keepAfterSweep && t - b.at < REFILL_MS) return;
      buckets.delete(key);
    }
  };
  return {
    /** 0 when the request may go on; otherwise the whole seconds to wait before the next one would. */
    take(key: string): number {
      const t = now();
      const b = buckets.get(key) ?? { tokens: perMinute, at: t };
      b.tokens = Math.min(perMinute, b.tokens + (t - b.at) * refillPerMs);
      b.at = t;
      // Re-inserted: the map's order is least recently used first.
      buckets.delete(key);
      buckets.set(key, b);
      forget(t);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / refillPerMs / 1000));
    },
    /** Callers with a bucket now. */
    get size() {
      return buckets.size;
    },
  };
}
