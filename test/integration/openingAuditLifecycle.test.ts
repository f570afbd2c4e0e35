import { describe, expect, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { openIncident } from '../../client/incidents/openIncident';
import { incidentStateQuery, triggerSignal } from '../../workflows/incident/messages';
import { eventually } from '../support/eventually';
import { devServerSuiteWithoutWorker } from '../support/harness';

/**
 * A critical incident writes its opening audit inside its first workflow task (versions.ts, OPENING_AT_ONCE). If the
 * worker dies after that write and before the task completes, another worker runs the task again, and repeats of the
 * alert may have arrived meanwhile; the store keeps what the first write stored under each sequence number. So the
 * opening must be the same events whatever arrived before the task ran: repeats are recorded after it. Played here
 * by letting the repeats arrive before any worker runs the incident's first task (dev server, real PostgreSQL).
 */
describe('the opening audit of a critical incident, with repeats already waiting for its first task (dev server)', () => {
  const suite = devServerSuiteWithoutWorker(`dev-opening-audit-${Date.now()}`);

  it('is opened and its pages first, then the repeats, in one chain', { timeout: 120_000 }, async () => {
    const opened = await openIncident(suite.incidents, {
      type: 'database-outage',
      tier: 'oltp',
      severity: 'critical',
      fingerprint: `opening-${Date.now()}`,
    });
    const handle = suite.client.workflow.getHandle(opened.workflowId);
    for (let i = 0; i < 3; i++) await handle.signal(triggerSignal, { source: 'webhook', by: 'integration:test', summary: `repeat ${i}` });
    const worker = await suite.runWorker();
    try {
      const { incidentId } = await eventually(
        'the first task ran',
        () => handle.query(incidentStateQuery),
        (s) => !!s.incidentId,
      );
      const events = await eventually(
        'the repeats recorded',
        () => readIncidentEvents(suite.harness.db.pool, incidentId),
        (e) => e.some((x) => x.kind === 'retriggered'),
      );
      const kinds = events.map((e) => e.kind);
      const retriggered = kinds.indexOf('retriggered');
      expect(kinds[0], kinds.join(', ')).toBe('opened');
      // The whole ladder paged at once: every rung's `paged` is in the opening, before the repeats.
      expect(kinds.slice(0, retriggered).filter((k) => k === 'paged').length, kinds.join(', ')).toBeGreaterThan(1);
      expect(kinds.slice(retriggered), kinds.join(', ')).not.toContain('paged');
      expect(events[retriggered].data).toMatchObject({ repeats: 3, count: 4 });
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      await handle.terminate('test over');
    } finally {
      await worker.stop();
    }
  });
});
