/**
 * A store read that every caller within `ttlMs` shares: the alert intake's hot path asks "which maintenance windows
 * are active, which outages are open" for every alert, and a storm of 2,000 alerts must not become 6,000 queries
 * queued on the same few connections as the worker's audit writes. One read in flight at a time per pool (callers
 * wait for it), kept `ttlMs`; `invalidate()` drops every pool's copy at once, and the store's own writes call it,
 * so a window or an outage written by this process is seen by its next alert. Another process' writes are seen
 * within `ttlMs`.
 */
export interface SharedRead<T> {
  get(pool: object): Promise<T>;
  invalidate(): void;
}

export function sharedRead<T>(ttlMs: number, read: (pool: object) => Promise<T>): SharedRead<T> {
  const copies = new WeakMap<object, { generation: number; readAt: number; value: Promise<T> }>();
  // Bumped by every write: a read that began before it is never served after it.
  let generation = 0;
  return {
    get(pool) {
      const copy = copies.get(pool);
      if (copy && copy.generation === generation && Date.now() - copy.readAt < ttlMs) return copy.value;
      const fresh = { generation, readAt: Date.now(), value: read(pool) };
      copies.set(pool, fresh);
      // A failed read is not kept: the next caller asks the store again.
      fresh.value.catch(() => copies.get(pool) === fresh && copies.delete(pool));
      return fresh.value;
    },
    invalidate() {
      generation++;
    },
  };
}
