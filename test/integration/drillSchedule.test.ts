import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { applyDrillSchedules, drillScheduleIdOf } from '../../client/drills/drillSchedules';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { eventually } from '../support/eventually';
import { devServerSuite } from '../support/harness';

/**
 * The monthly drill Schedule (docs/drills.md) on the Temporal dev server: off unless configured, made to match the
 * setting (created, then deleted when the setting is gone), and when it fires it opens a drill through the worker.
 */
describe('monthly drill schedule on the Temporal dev server', () => {
  const taskQueue = `dev-drill-schedule-${Date.now()}`;
  const suite = devServerSuite(taskQueue);
  const drill = { type: 'security-breach', tier: 'content' };
  const settings = { taskQueue, timeZone: 'Europe/Berlin' };
  afterAll(async () => {
    await suite.client?.schedule
      .getHandle(drillScheduleIdOf(drill))
      .delete()
      .catch(() => undefined);
  });

  it('is created for a configured runbook, opens a drill when it fires, and is deleted once no longer configured', async () => {
    expect(await applyDrillSchedules(suite.client, [drill], settings)).toEqual([
      { id: 'dbops-drill-security-breach-content', action: 'created' },
    ]);
    const handle = suite.client.schedule.getHandle(drillScheduleIdOf(drill));
    const described = await handle.describe();
    expect(described.spec.timezone).toBe('Europe/Berlin');
    // The first Tuesday of the month, at 10:00.
    expect(described.spec.calendars?.[0]).toMatchObject({
      dayOfMonth: [{ start: 1, end: 7, step: 1 }],
      dayOfWeek: [{ start: 'TUESDAY', end: 'TUESDAY', step: 1 }],
      hour: [{ start: 10, end: 10, step: 1 }],
    });

    await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    const pool = suite.harness.db.pool;
    const [row] = await eventually(
      'the scheduled drill in the audit store',
      async () => (await pool.query('SELECT incident_id, workflow_id, title, drill FROM incidents')).rows,
      (rows) => rows.length > 0,
    );
    expect(row).toMatchObject({ title: 'Drill: Security Breach on content', drill: true });
    const opened = (await readIncidentEvents(pool, row.incident_id)).find((e) => e.kind === 'opened');
    expect(opened).toMatchObject({ actor: 'schedule', data: { drill: true } });
    await suite.client.workflow.getHandle(row.workflow_id).terminate('test over');

    const applied = await eventually(
      'the schedule listed, then deleted',
      () => applyDrillSchedules(suite.client, [], settings),
      (a) => a.some((x) => x.id === 'dbops-drill-security-breach-content'),
    );
    expect(applied).toContainEqual({ id: 'dbops-drill-security-breach-content', action: 'deleted' });
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});
