/** Polls `check` until it returns a truthy value; fails with `message()` (said when the time is up) otherwise. */
export async function waitFor<T>(check: () => T | Promise<T>, o: { timeoutMs: number; message: () => string; everyMs?: number }) {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(o.message());
    await sleep(o.everyMs ?? 100);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How many runs each fault repeats: 2 in `npm test` (a third run of each cost about a minute of its 12), or
 * DBOPS_FAULT_RUNS (say 10, before a release or after touching a fault's code path).
 */
export const FAULT_RUNS = Math.max(1, Math.floor(Number(process.env.DBOPS_FAULT_RUNS ?? 2)) || 2);
