import { describe, expect, it } from 'vitest';
import { createRateLimiter, MAX_TRACKED_CALLERS } from '../../client/api/rateLimiter';

/**
 * The API's rate limiter kept a bucket for every key and every page link it had seen, forever: memory grew with
 * every caller. It now forgets a caller whose bucket is full again (idle a minute) and keeps at most
 * MAX_TRACKED_CALLERS, least recently used first, without loosening the limit of a caller that keeps calling.
 */
describe('the rate limiter is bounded', () => {
  const CALLERS = 100_000;

  it(`keeps at most ${MAX_TRACKED_CALLERS} buckets for ${CALLERS} distinct keys and links, and still refuses a busy caller`, () => {
    // All within the same millisecond: nobody's bucket refills, so only the cap bounds them.
    const limiter = createRateLimiter(10, () => 0);
    for (let i = 0; i < 10; i++) expect(limiter.take('integration:busy')).toBe(0);
    let largest = 0;
    for (let i = 0; i < CALLERS; i++) {
      limiter.take(i % 2 ? `integration:${i}` : `link:${i}`);
      // The busy caller keeps calling through the flood: it is never the least recently used, so never forgotten.
      if (i % 1000 === 0) expect(limiter.take('integration:busy')).toBeGreaterThan(0);
      largest = Math.max(largest, limiter.size);
    }
    expect(largest).toBe(MAX_TRACKED_CALLERS);
    expect(limiter.size).toBeGreaterThan(MAX_TRACKED_CALLERS * 0.8);
  });

  it('forgets a caller once its bucket is full again (idle a minute), which changes nothing for it', () => {
    let t = 0;
    const limiter = createRateLimiter(2, () => t);
    for (let i = 0; i < 1000; i++) limiter.take(`link:${i}`);
    expect(limiter.take('integration:a')).toBe(0);
    expect(limiter.take('integration:a')).toBe(0);
    expect(limiter.take('integration:a')).toBeGreaterThan(0);
    t += 60_000;
    expect(limiter.take('integration:a')).toBe(0);
    // Only the caller just seen is left.
    expect(limiter.size).toBe(1);
  });
});
