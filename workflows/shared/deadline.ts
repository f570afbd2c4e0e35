import { condition } from '@temporalio/workflow';

/**
 * A deadline that handlers can re-arm: a waiter sleeps until its time, and wakes early when `rearm()` says the
 * times it was computed from may have changed (a new severity, an acknowledgement), so it can look again.
 * (Like the Temporal samples' UpdatableTimer, for a waiter that recomputes its own wake-up time.)
 */
export class RearmableDeadline {
  private version = 0;

  rearm(): void {
    this.version++;
  }

  /** Sleeps until `atMs`; returns false when it came, true when re-armed or `stop()` held before that. */
  async sleepUntil(atMs: number, stop: () => boolean): Promise<boolean> {
    const seen = this.version;
    return condition(() => this.version !== seen || stop(), Math.max(atMs - Date.now(), 1));
  }
}
