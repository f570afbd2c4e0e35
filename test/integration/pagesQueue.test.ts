import type { PoolClient } from 'pg';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../db/audit/chain';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { acknowledgeUpdate, incidentStateQuery, resolveUpdate } from '../../workflows/incident/messages';
import { startFastIncident } from '../faults/support/fastIncident';
import { eventually } from '../support/eventually';
import { devServerSuite } from '../support/harness';

/**
 * Under a storm the main task queue's activities (audit writes, checks) are held to a rate and a few slots, and may
 * queue for minutes. Escalations must not queue with them: they go to the pages queue, served by a worker of its own.
 */
describe('pages have a task queue of their own (dev server)', () => {
  const taskQueue = `dev-pages-queue-${Date.now()}`;
  // One main-queue activity at a time: held by a stalled audit write, the main queue serves nothing else.
  const suite = devServerSuite(taskQueue, () => ({}), { maxConcurrentActivityTaskExecutions: 1 });

  it('escalates on its clock while every main-queue activity slot is held by a stalled audit write', async () => {
    const stall: PoolClient = await suite.harness.db.pool.connect();
    await stall.query('BEGIN');
    await stall.query('LOCK TABLE incident_events IN SHARE ROW EXCLUSIVE MODE');
    let handle;
    try {
      handle = await startFastIncident(suite.client, taskQueue, {
        type: 'data-integrity',
        fingerprint: `pages-queue-${Date.now()}`,
        cadenceSeconds: 2,
      });
      const { incidentId } = await handle.query(incidentStateQuery);
      const sent = () => Promise.resolve(suite.harness.channel.sent.filter((n) => n.subjectId === incidentId));
      const pages = await eventually(
        'the opening page and two escalations',
        sent,
        (n) => n.filter((x) => x.kind === 'escalation').length >= 2,
        30_000,
      );
      expect(pages[0].kind).toBe('page');
      // Nothing of this incident has reached the audit store: its writes (and the only slot) are still stalled.
      const { rows } = await suite.harness.db.pool.query('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1', [
        incidentId,
      ]);
      expect(rows[0].n).toBe(0);
    } finally {
      await stall.query('ROLLBACK');
      stall.release();
    }
    const acked = await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'dana' }] });
    const events = await eventually(
      'the audit catching up',
      () => readIncidentEvents(suite.harness.db.pool, acked.incidentId),
      (e) => e.some((x) => x.kind === 'acknowledged'),
      30_000,
    );
    expect(events.filter((e) => e.kind === 'escalated').length).toBeGreaterThanOrEqual(2);
    expect(verifyChain(events)).toEqual([]);
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'checked' }] });
  });
});
