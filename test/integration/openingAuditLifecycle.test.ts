import { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { openIncident, type OpenIncidentContext } from '../../client/incidents/openIncident';
import { incidentStateQuery, triggerSignal } from '../../workflows/incident/messages';
import { eventually } from '../support/eventually';
import { calendar, createHarness, devServerConnection, roster, startWorker, type Harness } from '../support/harness';

/**
 * A critical incident writes its opening audit inside its first workflow task (versions.ts, OPENING_AT_ONCE). If the
 * worker dies after that write and before the task completes, another worker runs the task again, and repeats of the
 * alert may have arrived meanwhile; the store keeps what the first write stored under each sequence number. So the
 * opening must be the same events whatever arrived before the task ran: repeats are recorded after it. Played here
 * by letting the repeats arrive before any worker runs the incident's first task (dev server, real PostgreSQL).
 */
describe('the opening audit of a critical incident, with repeats already waiting for its first task (dev server)', () => {
  const taskQueue = `dev-opening-audit-${Date.now()}`;
  let harness: Harness;
  let native: NativeConnection;
  let connection: Connection;
  let ctx: OpenIncidentContext;

  beforeAll(async () => {
    harness = await createHarness();
    native = await devServerConnection();
    connection = await Connection.connect({ address: inject('devServerAddress') });
    ctx = { client: new Client({ connection }), taskQueue, roster, calendar };
  });
  afterAll(async () => {
    await connection?.close();
    await native?.close();
    await harness?.close();
  });

  it('is opened and its pages first, then the repeats, in one chain', { timeout: 120_000 }, async () => {
    const opened = await openIncident(ctx, {
      type: 'database-outage',
      tier: 'oltp',
      severity: 'critical',
      fingerprint: `opening-${Date.now()}`,
    });
    const handle = ctx.client.workflow.getHandle(opened.workflowId);
    for (let i = 0; i < 3; i++) await handle.signal(triggerSignal, { source: 'webhook', by: 'integration:test', summary: `repeat ${i}` });
    const worker = await startWorker(native, harness, taskQueue);
    try {
      const { incidentId } = await eventually(
        'the first task ran',
        () => handle.query(incidentStateQuery),
        (s) => !!s.incidentId,
      );
      const events = await eventually(
        'the repeats recorded',
        () => readIncidentEvents(harness.db.pool, incidentId),
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
