import { describe, expect, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { openIncident } from '../../client/incidents/openIncident';
import { incidentStateQuery, resolveUpdate } from '../../workflows/incident/messages';
import { calendar, roster, timeSkippingSuite } from '../support/harness';

const MINUTE = 60_000;

describe('an incident’s clocks start when its alert was received', () => {
  const taskQueue = 'ts-alert-clock';
  const suite = timeSkippingSuite(taskQueue);
  const ctx = () => ({ client: suite.env.client, taskQueue, roster, calendar });

  it('an alert received 3 minutes before its workflow started is due 3 minutes earlier, and escalates then', async () => {
    const now = await suite.env.currentTimeMs();
    const receivedAt = now - 3 * MINUTE;
    const { handle } = await openIncident(
      ctx(),
      { type: 'database-outage', tier: 'oltp', severity: 'critical', fingerprint: 'late-start', firedAt: '2026-01-02T03:04:05+01:00' },
      new Date(receivedAt),
    );
    const opened = await handle.query(incidentStateQuery);
    // critical: 5 minutes to acknowledge, counted from the alert, not from the workflow's first task.
    expect(Date.parse(opened.openedAt)).toBe(receivedAt);
    expect(Date.parse(opened.escalation.responseDueAt)).toBe(receivedAt + 5 * MINUTE);

    await suite.env.sleep(150_000);
    const s = await handle.query(incidentStateQuery);
    expect(s.escalation.responseMissed).toBe(true);
    const escalation = suite.harness.channel.sent.find((n) => n.subjectId === s.incidentId && n.kind === 'escalation')!;
    // Workflow time of a timer task can trail its deadline by the task's own latency (a second or so here).
    const escalatedAfter = Date.parse(escalation.occurredAt) - receivedAt;
    expect(escalatedAfter).toBeGreaterThanOrEqual(5 * MINUTE);
    expect(escalatedAfter).toBeLessThan(5 * MINUTE + 30_000);

    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'back up' }] });
    await handle.result();
    const first = (await readIncidentEvents(suite.harness.db.pool, s.incidentId))[0];
    // The source's own timestamp is kept beside the receive time, as sent.
    expect(first.data).toMatchObject({ receivedAt: new Date(receivedAt).toISOString(), firedAt: '2026-01-02T03:04:05+01:00' });
  });

  it('a receive time in the future starts the clocks now; one from long ago, an hour back at most', async () => {
    const now = await suite.env.currentTimeMs();
    const future = await openIncident(
      ctx(),
      { type: 'database-outage', tier: 'content', severity: 'critical', fingerprint: 'skewed-ahead' },
      new Date(now + 10 * MINUTE),
    );
    const ahead = await future.handle.query(incidentStateQuery);
    expect(Date.parse(ahead.escalation.responseDueAt) - Date.parse(ahead.openedAt)).toBe(5 * MINUTE);
    expect(Date.parse(ahead.openedAt)).toBeLessThan(now + MINUTE);
    expect(Date.parse(ahead.openedAt)).toBeGreaterThanOrEqual(now);

    const stale = await openIncident(
      ctx(),
      { type: 'performance-degradation', tier: 'olap', severity: 'low', fingerprint: 'skewed-behind' },
      new Date(now - 5 * 60 * MINUTE),
    );
    const behind = await stale.handle.query(incidentStateQuery);
    const startedAt = Date.parse(behind.openedAt) + 60 * MINUTE;
    expect(startedAt).toBeGreaterThanOrEqual(now);
    expect(startedAt).toBeLessThan(now + MINUTE);

    for (const h of [future.handle, stale.handle]) await h.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'skew' }] });
  });
});
