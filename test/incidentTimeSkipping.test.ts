import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../activities/auditChain';
import { readIncidentEvents } from '../client/auditStore';
import { openIncident } from '../client/openIncident';
import { acknowledgeUpdate, incidentStateQuery, resolveUpdate } from '../workflows/incidentDefinitions';
import { calendar, createHarness, roster, startWorker, timeSkippingEnvironment, type Harness } from './support/harness';

describe('incident response on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let harness: Harness;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  const taskQueue = 'ts-incidents';

  beforeAll(async () => {
    [env, harness] = await Promise.all([timeSkippingEnvironment(), createHarness()]);
    worker = await startWorker(env.nativeConnection, harness, taskQueue);
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
    await harness?.close();
  });

  it('lets an hour of SLA pass, escalates the unacknowledged incident, and audits it in PostgreSQL', async () => {
    const ctx = { client: env.client, taskQueue, roster, calendar };
    const { handle } = await openIncident(ctx, { type: 'performance-degradation', tier: 'olap', severity: 'medium', fingerprint: 'hour-timer' });
    const startMs = await env.currentTimeMs();
    await env.sleep('1 hour');
    expect((await env.currentTimeMs()) - startMs).toBeGreaterThanOrEqual(3_600_000);

    const state = await handle.query(incidentStateQuery);
    // medium: 30 min to acknowledge (the type's time is stricter than the severity's hour), then one rung up.
    expect(state.escalation.responseMissed).toBe(true);
    expect(state.escalation.level).toBe(1);

    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'dana' }] });
    const final = await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'index rebuilt' }] });
    expect(final.phase).toBe('resolved');
    const result = await handle.result();

    const events = await readIncidentEvents(harness.db.pool, result.incidentId);
    const kinds = events.map((e) => e.kind);
    expect(kinds.slice(0, 2)).toEqual(['opened', 'paged']);
    expect(kinds).toContain('response-sla-missed');
    expect(kinds).toContain('escalated');
    expect(kinds.at(-1)).toBe('resolved');
    expect(verifyChain(events)).toEqual([]);
    const missed = events.find((e) => e.kind === 'response-sla-missed')!;
    const opened = events.find((e) => e.kind === 'opened')!;
    // Workflow time of a timer task can trail the deadline by the task's own latency: compare to the second.
    expect(Math.round((Date.parse(missed.occurredAt) - Date.parse(opened.occurredAt)) / 1000)).toBe(30 * 60);
    const row = await harness.db.pool.query('SELECT phase, acknowledged_by, escalation_level FROM incidents WHERE incident_id = $1', [result.incidentId]);
    expect(row.rows[0]).toEqual({ phase: 'resolved', acknowledged_by: 'dana', escalation_level: 1 });
  });
});
