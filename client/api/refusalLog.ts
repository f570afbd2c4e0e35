import type { Logger } from '../../lib/logger';

/**
 * Refused requests (no valid credential) are counted, and logged at most once per `everyMs`: a flood of bad keys
 * must not become a flood of log lines, nor reach Temporal or the audit store.
 */
export function createRefusalLog(log: Logger, everyMs = 10_000, now: () => number = Date.now) {
  let total = 0;
  let sinceLast = 0;
  let lastAt = 0;
  return {
    get total() {
      return total;
    },
    refused(reason: string, path: string) {
      total++;
      sinceLast++;
      const t = now();
      if (t - lastAt < everyMs) return;
      log.warn({ refused: sinceLast, total, lastReason: reason, path }, 'requests refused without a valid credential');
      lastAt = t;
      sinceLast = 0;
    },
  };
}
