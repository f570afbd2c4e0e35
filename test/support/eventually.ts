/**
 * Reads `read` every 100 ms until `done` says yes, and returns that value; after `timeoutMs`, fails naming `what`
 * and the last value read (real servers answer in their own time; a test waits for the outcome, not a fixed sleep).
 */
export async function eventually<T>(what: string, read: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
