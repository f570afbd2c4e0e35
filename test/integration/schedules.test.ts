import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySchedules, listSchedules, scheduleIdOf, setPaused, triggerNow } from '../../client/checklists/schedules';
import { seedDemoData } from '../../dev/demoData';
import { loadCatalog } from '../../lib/catalog';
import type { dailyChecklist } from '../../workflows/checklist/dailyChecklist';
import { devServerSuite, roster } from '../support/harness';

describe('checklist schedules on the Temporal dev server', () => {
  const taskQueue = `dev-schedules-${Date.now()}`;
  const settings = { taskQueue, timeZone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5], roster };
  const suite = devServerSuite(taskQueue);
  beforeAll(() => seedDemoData(suite.harness.db.pool));
  afterAll(async () => {
    for (const id of ['morning', 'midday', 'end-of-day'] as const)
      await suite.client?.schedule
        .getHandle(scheduleIdOf(id))
        .delete()
        .catch(() => undefined);
  });

  it('applying the schedules twice leaves three, at the runbook times in the configured zone, skipping overlaps', async () => {
    expect((await applySchedules(suite.client, settings)).map((r) => r.action)).toEqual(['created', 'created', 'created']);
    const morningAt0830 = loadCatalog({ checklistTimes: { morning: '08:30' } }).checklists;
    expect((await applySchedules(suite.client, { ...settings, definitions: morningAt0830 })).map((r) => r.action)).toEqual([
      'updated',
      'updated',
      'updated',
    ]);

    // Visibility of schedules is eventually consistent: wait until all three are listed.
    let listed: Awaited<ReturnType<typeof listSchedules>> = [];
    for (let i = 0; i < 50 && listed.length < 3; i++) {
      listed = await listSchedules(suite.client);
      if (listed.length < 3) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listed.map((s) => s.id).sort()).toEqual(['dbops-checklist-end-of-day', 'dbops-checklist-midday', 'dbops-checklist-morning']);

    const morning = await suite.client.schedule.getHandle(scheduleIdOf('morning')).describe();
    expect(morning.spec.timezone).toBe('Europe/Berlin');
    expect(morning.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 8, end: 8, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    expect(morning.policies.overlap).toBe('SKIP');
    expect(morning.policies.catchupWindow).toBe(15 * 60_000);

    await setPaused(suite.client, 'midday', true, 'maintenance window');
    expect((await suite.client.schedule.getHandle(scheduleIdOf('midday')).describe()).state.paused).toBe(true);
  });

  it('a schedule triggered now runs its checklist end to end', async () => {
    await applySchedules(suite.client, settings);
    await triggerNow(suite.client, 'midday');
    let workflowId: string | undefined;
    for (let i = 0; i < 100 && !workflowId; i++) {
      const d = await suite.client.schedule.getHandle(scheduleIdOf('midday')).describe();
      workflowId = d.info.recentActions.at(-1)?.action.workflow.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(workflowId).toMatch(/^checklist\/midday/);
    const run = await suite.client.workflow.getHandle<typeof dailyChecklist>(workflowId!).result();
    expect(run.status).toBe('finished');
    expect(run.items.map((i) => i.itemId)).toContain('query-performance');
    const stored = await suite.harness.db.pool.query('SELECT status FROM checklist_runs WHERE run_id = $1', [run.runId]);
    expect(stored.rows[0].status).toBe('finished');
  });
});
