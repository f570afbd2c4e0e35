import { Context } from '@temporalio/activity';

/**
 * Runs a long hook while the activity heartbeats, so Temporal notices a lost worker within the step's heartbeat
 * timeout instead of its whole start-to-close timeout. The hook gets the activity's cancellation signal: a
 * cancellation (the attempt timed out, the worker shuts down) arrives with a heartbeat's answer, and the hook must
 * stop what it runs then.
 */
export async function whileHeartbeating<T>(hook: (cancelled: AbortSignal) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  // A few beats per heartbeat timeout; the SDK throttles what it actually sends to the server.
  const everyMs = Math.min(2000, (ctx.info.heartbeatTimeoutMs ?? 6000) / 3);
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), everyMs);
  try {
    return await hook(ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
