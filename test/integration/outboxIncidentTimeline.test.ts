import { describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../../activities/contracts';
import { createOutbox } from '../../activities/notify/outbox';
import { openIncident } from '../../client/incidents/openIncident';
import { deliveryFailureReporter } from '../../client/incidents/reportDeliveryFailure';
import { verifyChain } from '../../db/audit/chain';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { calendar, devServerSuite, recordingChannel, roster } from '../support/harness';

async function waitFor<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dana = { id: 'dana', name: 'Dana Ortiz', role: 'database-lead', channels: { slack: '@dana' } } as const;

describe('a notification the outbox gave up on, on the Temporal dev server', () => {
  const taskQueue = `dev-outbox-${Date.now()}`;
  const suite = devServerSuite(taskQueue);

  it("lands in the incident's audit timeline as 'delivery-failed'; a checklist's dead notification signals nothing", async () => {
    const ctx = { client: suite.client, taskQueue, roster, calendar };
    const pool = suite.harness.db.pool;
    const { workflowId, handle } = await openIncident(ctx, { type: 'database-outage', tier: 'oltp', fingerprint: `outbox-${Date.now()}` });
    const incidentId = await waitFor(
      async () =>
        (await pool.query('SELECT incident_id FROM incidents WHERE workflow_id = $1', [workflowId])).rows[0]?.incident_id as string,
      'the incident row',
    );
    const down = recordingChannel();
    down.failing = true;
    const outbox = createOutbox({ pool, channels: [down], policy: { maxAttempts: 1, onDead: deliveryFailureReporter(pool, () => ctx) } });
    const request = (notificationId: string, subjectId: string): NotificationRequest => ({
      notificationId,
      subjectId,
      kind: 'page',
      message: 'please acknowledge',
      recipients: [dana],
      occurredAt: new Date().toISOString(),
    });

    expect(await outbox.send(request(`${incidentId}:page:outbox-test`, incidentId))).toEqual({ delivered: 0, pending: 0, dead: 1 });
    const event = await waitFor(
      async () => (await readIncidentEvents(pool, incidentId)).find((e) => e.kind === 'delivery-failed'),
      "the 'delivery-failed' event",
    );
    expect(event.data).toMatchObject({
      notificationId: `${incidentId}:page:outbox-test`,
      channel: 'recorder',
      recipients: ['dana'],
      attempts: 1,
      error: 'recorder channel is down',
    });
    expect(verifyChain(await readIncidentEvents(pool, incidentId))).toEqual([]);

    // A checklist run is not an incident: the row is reported (log and other channels) and nothing is signalled.
    expect(await outbox.send(request('run-morning-1:report', 'run-morning-1'))).toEqual({ delivered: 0, pending: 0, dead: 1 });
    const rows = await pool.query(
      `SELECT dead_reported_at FROM notification_outbox WHERE notification_id = 'run-morning-1:report@recorder'`,
    );
    expect(rows.rows[0].dead_reported_at).toBeInstanceOf(Date);
    await handle.terminate('test over');
  });
});
