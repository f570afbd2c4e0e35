import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client } from '@temporalio/client';
import type { Context, MiddlewareHandler } from 'hono';
import type { Pool } from 'pg';

/**
 * How long an API request may wait on Temporal and the audit store before it answers 503 (DBOPS_API_DEADLINE_SECONDS):
 * a sender whose request hangs (a Temporal server that stopped answering held POST /alerts past 30 s) times out
 * and sends again while the first may still land; a prompt 503 with Retry-After lets it retry cleanly.
 */
export const DEFAULT_DEADLINE_MS = 5_000;

/** The deadline passed: every call to Temporal or the store still waiting was abandoned, and none is started after it. */
export class DeadlineExceededError extends Error {}

/** The deadline of the work running now (a request, or one alert of a group), read by the store's queries. */
const current = new AsyncLocalStorage<AbortSignal>();

/**
 * Work answered 503 but not yet settled: its calls fail at once after the deadline, but the Temporal client may still
 * have a retry of one scheduled (a backoff of up to a few seconds). Closing the client's connection under it throws
 * from that timer, so whoever closes it waits for this first (abandonedWorkSettled).
 */
const abandoned = new Set<Promise<unknown>>();

/** Resolves once the work abandoned at its deadline has settled, or after `timeoutMs`. */
export async function abandonedWorkSettled(timeoutMs = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([Promise.allSettled([...abandoned]), timeout]);
  clearTimeout(timer);
}

/** Runs the API's work within deadlines: Temporal's calls through the client's gRPC deadline, the store's through `pool`. */
export interface Deadlines {
  ms: number;
  temporal: Client;
}

/**
 * `work` within `d.ms`: at the deadline its Temporal calls fail (gRPC deadline: one started later fails at once), its
 * store queries are abandoned (poolWithinDeadlines; one issued later is never sent), and this rejects with
 * DeadlineExceededError even if `work` has not settled yet.
 */
export async function withinDeadline<T>(d: Deadlines, work: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new DeadlineExceededError(`Temporal or the audit store gave no answer within ${d.ms} ms`);
      controller.abort(err);
      reject(err);
    }, d.ms);
  });
  const at = Date.now() + d.ms;
  const running = current.run(controller.signal, () => d.temporal.withDeadline(at, work));
  try {
    return await Promise.race([running, expired]);
  } catch (err) {
    if (err instanceof DeadlineExceededError) {
      const settled: Promise<unknown> = running.then(
        () => abandoned.delete(settled),
        () => abandoned.delete(settled),
      );
      abandoned.add(settled);
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the work running now has passed its deadline (its failures after that were already answered with a 503). */
export const pastDeadline = () => current.getStore()?.aborted ?? false;

/** Middleware: the rest of the request within one deadline. */
export const requestDeadline =
  (d: Deadlines): MiddlewareHandler =>
  async (_c, next) =>
    withinDeadline(d, next);

/**
 * Middleware: `inner` (authentication) within a deadline of its own, and what follows it without one: a group of
 * thousands of alerts takes longer than one deadline, so each of its alerts gets its own (withinDeadline).
 */
export function deadlineFor<E extends { Variables: object }>(d: Deadlines, inner: MiddlewareHandler<E>): MiddlewareHandler<E> {
  return async (c, next) => {
    let passed = false;
    const answer = await withinDeadline(d, async () =>
      inner(c, async () => {
        passed = true;
      }),
    );
    if (passed) return next();
    return answer as Response | undefined;
  };
}

/** 503 with Retry-After: Temporal or the store did not answer in time; sending the same request again is safe. */
export function unavailable(c: Context, d: Pick<Deadlines, 'ms'>, message: string) {
  c.header('Retry-After', String(Math.max(1, Math.ceil(d.ms / 1000))));
  return c.json({ error: message }, 503);
}

/**
 * The store as the API uses it: a query, or a wait for a pooled connection, is abandoned when the deadline of the
 * work it runs in passes, and one asked for after it is never sent (so nothing is written after the 503).
 */
export function poolWithinDeadlines(pool: Pool): Pool {
  return new Proxy(pool, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop !== 'query' && prop !== 'connect') return value.bind(target);
      return (...args: unknown[]) => {
        const signal = current.getStore();
        if (!signal) return value.apply(target, args);
        if (signal.aborted) return Promise.reject(signal.reason);
        const pending = value.apply(target, args) as Promise<unknown> | undefined;
        if (typeof pending?.then !== 'function') return pending;
        return new Promise((resolve, reject) => {
          const abandon = () => {
            reject(signal.reason);
            // A connection handed out after its request gave up goes back to the pool.
            if (prop === 'connect') void pending.then((client) => (client as { release(): void }).release()).catch(() => undefined);
            else void pending.catch(() => undefined);
          };
          signal.addEventListener('abort', abandon, { once: true });
          void pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', abandon));
        });
      };
    },
  });
}
