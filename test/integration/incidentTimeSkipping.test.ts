import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../db/audit/chain';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { openIncident } from '../../client/incidents/openIncident';
import { acknowledgeUpdate, changeSeverityUpdate, incidentStateQuery, resolveUpdate } from '../../workflows/incident/messages';
import { calendar, roster, timeSkippingSuite } from '../support/harness';

describe('incident response on the time-skipping server', () => {
  const taskQueue = 'ts-incidents';
  const suite = timeSkippingSuite(taskQueue);

  it('lets an hour of SLA pass, escalates the unacknowledged incident, and audits it in PostgreSQL', async () => {
    const ctx = { client: suite.env.client, taskQueue, roster, calendar };
    const { handle } = await openIncident(ctx, {
      type: 'performance-degradation',
      tier: 'olap',
      severity: 'medium',
      fingerprint: 'hour-timer',
    });
    const startMs = await suite.env.currentTimeMs();
    await suite.env.sleep('1 hour');
    expect((await suite.env.currentTimeMs()) - startMs).toBeGreaterThanOrEqual(3_600_000);

    const state = await handle.query(incidentStateQuery);
    // medium: 30 min to acknowledge (the type's time is stricter than the severity's hour), then one rung up.
    expect(state.escalation.responseMissed).toBe(true);
    expect(state.escalation.level).toBe(1);

    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'dana' }] });
    const final = await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'index rebuilt' }] });
    expect(final.phase).toBe('resolved');
    const result = await handle.result();

    const events = await readIncidentEvents(suite.harness.db.pool, result.incidentId);
    const kinds = events.map((e) => e.kind);
    expect(kinds.slice(0, 2)).toEqual(['opened', 'paged']);
    expect(kinds).toContain('response-sla-missed');
    expect(kinds).toContain('escalated');
    expect(kinds.at(-1)).toBe('resolved');
    expect(verifyChain(events)).toEqual([]);
    const missed = events.find((e) => e.kind === 'response-sla-missed')!;
    // Due 30 minutes after the opening, and recorded no earlier than due (a loaded worker may take a moment longer).
    const dueAt = Date.parse((missed.data as { dueAt: string }).dueAt);
    expect(dueAt - Date.parse(state.openedAt)).toBe(30 * 60_000);
    expect(Date.parse(missed.occurredAt)).toBeGreaterThanOrEqual(dueAt);
    const row = await suite.harness.db.pool.query('SELECT phase, acknowledged_by, escalation_level FROM incidents WHERE incident_id = $1', [
      result.incidentId,
    ]);
    expect(row.rows[0]).toEqual({ phase: 'resolved', acknowledged_by: 'dana', escalation_level: 1 });
  });

  it('a severity change re-arms the clocks from the moment of the change', async () => {
    const ctx = { client: suite.env.client, taskQueue, roster, calendar };
    const { handle } = await openIncident(ctx, { type: 'performance-degradation', tier: 'oltp', severity: 'low', fingerprint: 'regrade' });
    await suite.env.sleep('10 minutes');
    const changed = await handle.executeUpdate(changeSeverityUpdate, {
      args: [{ actor: 'dana', severity: 'critical', reason: 'customers affected' }],
    });
    const changedAt = Date.parse(changed.timeline.at(-1)!.at);
    // critical: 5 minutes to acknowledge from the change, not 30 from the opening.
    expect(Date.parse(changed.escalation.responseDueAt) - changedAt).toBe(5 * 60_000);
    await suite.env.sleep('6 minutes');
    const s = await handle.query(incidentStateQuery);
    expect(s.escalation.responseMissed).toBe(true);
    // Critical pages every rung not paged yet at once (levels 2 to 4 of this ladder), 5 minutes after the change.
    expect(s.escalation.level).toBe(3);
    const escalations = suite.harness.channel.sent.filter((n) => n.subjectId === s.incidentId && n.kind === 'escalation');
    expect(escalations.map((n) => Math.round((Date.parse(n.occurredAt) - changedAt) / 60_000))).toEqual([5, 5, 5]);
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'regraded and fixed' }] });
  });

  it('a manual step reminds the responders on its cadence and is marked overdue at its due time', async () => {
    const ctx = { client: suite.env.client, taskQueue, roster, calendar };
    const { handle } = await openIncident(ctx, { type: 'data-integrity', tier: 'content', fingerprint: 'reminders' });
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar' }] });
    await suite.env.sleep('35 minutes');
    const s = await handle.query(incidentStateQuery);
    const opened = Date.parse(s.openedAt);
    const reminders = suite.harness.channel.sent.filter((n) => n.subjectId === s.incidentId && n.kind === 'reminder');
    // identify-scope: due after 30 minutes, a reminder every 10.
    expect(reminders.map((n) => Math.round((Date.parse(n.occurredAt) - opened) / 60_000))).toEqual([10, 20, 30]);
    expect(reminders.map((n) => n.message.startsWith('OVERDUE'))).toEqual([false, false, true]);
    expect(s.timeline.some((t) => t.kind === 'step-overdue')).toBe(true);
    expect(s.steps[0].status).toBe('awaiting-completion');
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'scoped and restored' }] });
  });
});
