import { describe, expect, it } from 'vitest';
import { triggerSignal } from '../../workflows/incident/messages';
import { faultSuite } from './support/faultSuite';
import { startFastIncident } from './support/fastIncident';
import { sleep, waitFor } from './support/waitFor';

/**
 * A worker killed while an incident's first task sends its opening page, with repeats of the alert arriving before a
 * new worker retries that task. The retried task sees the repeats first; the page it sends must still be the same page:
 * one notification id, so one outbox row and one Idempotency-Key (it was numbered after the audit sequence, which the
 * repeats moved: two pages, 57 s apart, seen from outside).
 */
describe('fault: a worker killed during an incident’s first task while repeats arrive', () => {
  const f = faultSuite('firsttask');

  // Each run waits out an outbox lease (60 s): one run, not FAULT_RUNS.
  for (let n = 1; n <= 1; n++) {
    it(`run ${n}: the opening page has one identity, whoever sends it and whatever arrived meanwhile`, async () => {
      const run = await f.startRun(n);
      try {
        let worker = run.startWorker();
        await worker.ready;
        // The team webhook holds the opening page's request: the first task is still running when the worker dies.
        run.receiver.setMode({ kind: 'slow', delayMs: 120_000 });
        const fingerprint = `first-task-${n}-${Date.now()}`;
        const handle = await startFastIncident(f.client, run.taskQueue, {
          type: 'connection-pool-exhaustion',
          fingerprint,
          cadenceSeconds: 600,
        });
        await waitFor(() => run.receiver.received.find((d) => d.kind === 'page'), {
          timeoutMs: 30_000,
          message: () => `the opening page never reached the webhook: ${worker.output()}`,
        });
        await worker.kill9();
        for (let i = 0; i < 3; i++)
          await handle.signal(triggerSignal, { source: 'webhook', by: 'integration:fault', summary: `repeat ${i}` });
        run.receiver.setMode({ kind: 'up' });
        worker = run.startWorker();
        await worker.ready;

        const incidentId = run.receiver.received.find((d) => d.kind === 'page')!.subject;
        const pageRows = async () =>
          (
            await run.db.pool.query<{ notification_id: string; channel: string; status: string }>(
              "SELECT notification_id, channel, status FROM notification_outbox WHERE subject_id = $1 AND kind = 'page'",
              [incidentId],
            )
          ).rows;
        // The retried task runs once the dead worker's task timed out; the claimed webhook row is sent again once its
        // lease ends (FAULT_OUTBOX_LEASE_SECONDS), by whichever worker flushes.
        await waitFor(async () => (await pageRows()).some((r) => r.channel === 'webhook' && r.status === 'delivered'), {
          timeoutMs: 120_000,
          message: () => `the opening page was never delivered to the webhook: ${worker.output()}`,
        });
        await sleep(2_000);
        const rows = await pageRows();
        // One page: one row per channel, all of one notification id, and one Idempotency-Key at the receiver.
        expect(
          rows.filter((r) => r.channel === 'webhook'),
          JSON.stringify(rows),
        ).toHaveLength(1);
        const notificationIds = new Set(rows.map((r) => r.notification_id.split('@')[0]));
        expect(notificationIds.size, JSON.stringify(rows)).toBe(1);
        const ids = new Set(run.receiver.received.filter((d) => d.subject === incidentId && d.kind === 'page').map((d) => d.id));
        expect(ids.size, [...ids].join(' ')).toBe(1);
        expect([...ids][0].startsWith([...notificationIds][0])).toBe(true);
        await handle.terminate('fault test over');
      } finally {
        await run.close();
      }
    });
  }
});
