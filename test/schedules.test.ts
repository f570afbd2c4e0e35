import { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applySchedules, CATCHUP_WINDOW, listSchedules, scheduleIdOf, setPaused, triggerNow } from '../client/schedules';
import { seedDemoData } from '../db/demoData';
import type { dailyChecklist } from '../workflows/dailyChecklist';
import { createHarness, devServerConnection, roster, startWorker, type Harness } from './support/harness';

describe('checklist schedules on the Temporal dev server', () => {
  let harness: Harness;
  let native: NativeConnection;
  let connection: Connection;
  let client: Client;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  const taskQueue = `dev-schedules-${Date.now()}`;
  const settings = { taskQueue, timeZone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5], roster };

  beforeAll(async () => {
    harness = await createHarness();
    await seedDemoData(harness.db.pool);
    native = await devServerConnection();
    connection = await Connection.connect({ address: inject('devServerAddress') });
    client = new Client({ connection });
    harness.incidents.current = { client, taskQueue, roster, calendar: { timeZone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5], dayStartHour: 9 } };
    worker = await startWorker(native, harness, taskQueue);
  });
  afterAll(async () => {
    for (const id of ['morning', 'midday', 'end-of-day'] as const) await client?.schedule.getHandle(scheduleIdOf(id)).delete().catch(() => undefined);
    await worker?.stop();
    await connection?.close();
    await native?.close();
    await harness?.close();
  });

  it('applying the schedules twice leaves three, at the runbook times in the configured zone, skipping overlaps', async () => {
    expect((await applySchedules(client, settings)).map((r) => r.action)).toEqual(['created', 'created', 'created']);
    expect((await applySchedules(client, { ...settings, times: { morning: '08:30' } })).map((r) => r.action)).toEqual(['updated', 'updated', 'updated']);

    // Visibility of schedules is eventually consistent: wait until all three are listed.
    let listed: Awaited<ReturnType<typeof listSchedules>> = [];
    for (let i = 0; i < 50 && listed.length < 3; i++) {
      listed = await listSchedules(client);
      if (listed.length < 3) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listed.map((s) => s.id).sort()).toEqual(['dbops-checklist-end-of-day', 'dbops-checklist-midday', 'dbops-checklist-morning']);

    const morning = await client.schedule.getHandle(scheduleIdOf('morning')).describe();
    expect(morning.spec.timezone).toBe('Europe/Berlin');
    expect(morning.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 8, end: 8, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    expect(morning.policies.overlap).toBe('SKIP');
    expect(morning.policies.catchupWindow).toBe(15 * 60_000);
    expect(CATCHUP_WINDOW).toBe('15 minutes');

    await setPaused(client, 'midday', true, 'maintenance window');
    expect((await client.schedule.getHandle(scheduleIdOf('midday')).describe()).state.paused).toBe(true);
  });

  it('a schedule triggered now runs its checklist end to end', async () => {
    await applySchedules(client, settings);
    await triggerNow(client, 'midday');
    let workflowId: string | undefined;
    for (let i = 0; i < 100 && !workflowId; i++) {
      const d = await client.schedule.getHandle(scheduleIdOf('midday')).describe();
      workflowId = d.info.recentActions.at(-1)?.action.workflow.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(workflowId).toMatch(/^checklist\/midday/);
    const run = await client.workflow.getHandle<typeof dailyChecklist>(workflowId!).result();
    expect(run.status).toBe('finished');
    expect(run.items.map((i) => i.itemId)).toContain('query-performance');
    const stored = await harness.db.pool.query('SELECT status FROM checklist_runs WHERE run_id = $1', [run.runId]);
    expect(stored.rows[0].status).toBe('finished');
  });
});
