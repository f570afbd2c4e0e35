import { describe, expect, it } from 'vitest';
import { handoffNotices } from '../../db/oncall/handoffs';
import { createOverrides } from '../../db/oncall/overrides';
import { handoffWorkflowId, tellHandoffWorkflowOfChange } from '../../client/oncall/handoffWatch';
import { faultSuite } from './support/faultSuite';
import { sleep, waitFor } from './support/waitFor';

const SUBJECT = 'oncall:on-call-engineer';

/**
 * A worker SIGKILLed at a handoff, while the notice to the person handing over is on its way to the team webhook:
 * a new worker finishes the telling, and each person still gets exactly one notice (one notification id each, one
 * outbox row per channel, one answered delivery at the webhook, one audit row).
 */
describe('fault: a worker killed at an on-call handoff', () => {
  const f = faultSuite('handoff');

  // Waits out an activity timeout (30 s) and an outbox lease: one run, not FAULT_RUNS.
  it('run 1: each person is told once, whoever sends it', async () => {
    const run = await f.startRun(1);
    try {
      let worker = run.startWorker();
      await worker.ready;
      // The team webhook holds the first notice's request: the telling is under way when the worker dies.
      run.receiver.setMode({ kind: 'slow', delayMs: 120_000 });
      // Bea takes the on-call role (oscar's on the roster) from a few seconds from now: its start is a handoff.
      const at = Math.ceil((Date.now() + 5_000) / 1000) * 1000;
      await createOverrides(run.db.pool, 'on-call-engineer', { id: 'dana', rosterVersion: 't', scheduleVersion: 't' }, 'fault', () => [
        { role: 'on-call-engineer', person: 'bea', start: at, end: at + 3_600_000, replaces: ['oscar'] },
      ]);
      await tellHandoffWorkflowOfChange(f.client, run.taskQueue);
      await waitFor(() => run.receiver.received.find((d) => d.subject === SUBJECT), {
        timeoutMs: 60_000,
        message: () => `no handoff notice reached the webhook: ${worker.output()}`,
      });
      await worker.kill9();
      run.receiver.setMode({ kind: 'up' });
      worker = run.startWorker();
      await worker.ready;

      // The new worker retries the telling once the dead one's activity timed out; the claimed webhook row of the
      // first notice is sent again once its lease ends, by whichever worker flushes.
      const answered = () => run.receiver.of(SUBJECT);
      await waitFor(() => new Set(answered().map((d) => d.id)).size >= 2, {
        timeoutMs: 150_000,
        everyMs: 250,
        message: () => `handoff notices answered at the webhook: ${JSON.stringify(answered())}\n${worker.output()}`,
      });
      await sleep(2_000);

      const atIso = new Date(at).toISOString();
      const ids = [`handoff:on-call-engineer:${atIso}:oscar`, `handoff:on-call-engineer:${atIso}:bea`];
      expect(
        answered()
          .map((d) => d.id)
          .sort(),
        JSON.stringify(run.receiver.received),
      ).toEqual([...ids].sort());
      // Any repeat of a request the dead worker left unanswered carries the same id (the receiver's Idempotency-Key).
      expect(new Set(run.receiver.received.filter((d) => d.subject === SUBJECT).map((d) => d.id))).toEqual(new Set(ids));
      const { rows } = await run.db.pool.query<{ notification_id: string; status: string }>(
        "SELECT notification_id, status FROM notification_outbox WHERE kind = 'handoff' AND channel = 'webhook' ORDER BY notification_id",
      );
      expect(rows).toEqual(ids.sort().map((id) => ({ notification_id: `${id}@webhook`, status: 'delivered' })));
      const audit = await handoffNotices(run.db.pool);
      expect(audit.map((a) => [a.person, a.direction])).toEqual([
        ['oscar', 'outgoing'],
        ['bea', 'incoming'],
      ]);
    } finally {
      await f.client.workflow
        .getHandle(handoffWorkflowId(run.taskQueue))
        .terminate('fault test over')
        .catch(() => undefined);
      await run.close();
    }
  });
});
