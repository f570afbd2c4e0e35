import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { slaReport } from '../../db/reports/slaReport';
import { openIncident } from '../../client/incidents/openIncident';
import { verifyIncidentAudit } from '../../client/incidents/verifyAudit';
import type { FlapSettings } from '../../runbooks/alertLifecycle';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { alertResolvedSignal, incidentStateQuery, resolveUpdate } from '../../workflows/incident/messages';
import { eventually } from '../support/eventually';
import { calendar, roster, timeSkippingSuite } from '../support/harness';
import { maybeRecordHistory } from '../support/histories';

type Handle = WorkflowHandle<typeof incidentResponse>;

/**
 * Flapping on a real (time-skipping) Temporal server and PostgreSQL: an alert's breach holds before it pages (a clear
 * within the hold pages nobody and is recorded), and an alert that fires again soon after its clearing closed the
 * incident reopens that incident. The alerts come as the intake sends them (source webhook, a routing rule's settings).
 */
describe('alert flapping (time-skipping)', () => {
  const taskQueue = 'ts-flap';
  const suite = timeSkippingSuite(taskQueue);
  const HOLD = 60;
  const fire = async (fingerprint: string, flap: FlapSettings) => {
    const { handle } = await openIncident(
      { client: suite.env.client, taskQueue, roster, calendar },
      {
        type: 'connection-pool-exhaustion',
        tier: 'oltp',
        fingerprint,
        severity: 'high',
        title: fingerprint,
        source: 'webhook',
        by: 'integration:monitoring',
      },
      undefined,
      { flap },
    );
    return handle as Handle;
  };
  const clear = async (h: Handle) =>
    h.signal(alertResolvedSignal, {
      by: 'integration:monitoring',
      policy: 'resolve',
      firstRunId: (await h.describe()).raw.workflowExecutionInfo!.firstRunId!,
      dedupKey: h.workflowId,
    });
  const stateOf = (h: Handle) => h.query(incidentStateQuery);
  const pages = (incidentId: string) => suite.harness.channel.sent.filter((n) => n.subjectId === incidentId && n.kind !== 'lifecycle');
  const eventsOf = async (incidentId: string) =>
    (await readIncidentEvents(suite.harness.db.pool, incidentId)).map((e) => ({ ...e, data: e.data as Record<string, unknown> }));
  const sleepUntil = async (atMs: number) => suite.env.sleep(atMs - (await suite.env.currentTimeMs()));

  it('a breach that clears one second before its hold ends pages nobody, and the suppressed flap is in the audit', async () => {
    const h = await fire('clears-in-hold', { holdForSeconds: HOLD });
    const held = await stateOf(h);
    expect(held.hold).toMatchObject({ holdForSeconds: HOLD });
    await sleepUntil(Date.parse(held.hold!.until) - 1000);
    await clear(h);
    const final = await h.result();
    expect(final).toMatchObject({ phase: 'resolved', resolvedBy: 'integration:monitoring' });
    expect(pages(final.incidentId)).toEqual([]);
    const events = await eventually(
      'the flap in the audit',
      () => eventsOf(final.incidentId),
      (e) => e.some((x) => x.kind === 'resolved'),
    );
    expect(events.map((e) => e.kind)).toEqual(['opened', 'flap-suppressed', 'resolved']);
    const flap = events[1].data;
    expect(flap).toMatchObject({ holdForSeconds: HOLD });
    expect(flap.heldMs as number).toBeLessThan(HOLD * 1000);
    // dbops report counts it apart: nobody was asked to respond.
    const row = (await slaReport(suite.harness.db.pool)).find((r) => r.type === 'connection-pool-exhaustion' && r.severity === 'high');
    expect(row?.suppressedFlaps).toBe(1);
    await maybeRecordHistory(h, 'incident-flap-suppressed');
  });

  it('a breach that holds to the end of its hold pages then, and its clocks start then', async () => {
    const h = await fire('holds', { holdForSeconds: HOLD });
    const held = await stateOf(h);
    await sleepUntil(Date.parse(held.hold!.until) - 1000);
    expect(pages(held.incidentId)).toEqual([]);
    await sleepUntil(Date.parse(held.hold!.until));
    const [page] = await eventually(
      'the page at the end of the hold',
      () => pages(held.incidentId),
      (p) => p.length > 0,
    );
    expect(page.kind).toBe('page');
    const opened = await stateOf(h);
    expect(opened.hold).toBeUndefined();
    expect(opened.openedAt).toBe(held.hold!.until);
    expect(Date.parse(opened.escalation.responseDueAt) - Date.parse(held.hold!.until)).toBe(10 * 60_000);
    // The audit is written behind the page (paging never waits for it).
    await eventually(
      'the hold passing in the audit',
      () => eventsOf(held.incidentId),
      (events) => ['opened', 'hold-passed'].every((kind) => events.some((e) => e.kind === kind)),
    );
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'pool resized' }] });
  });

  it('firing again within the reopen window reopens the same incident (counted, paged again); after it, a new incident', async () => {
    const flap = { reopenWithinMinutes: 30 };
    const h = await fire('reopens', flap);
    const first = await stateOf(h);
    await eventually(
      'the first page',
      () => pages(first.incidentId),
      (p) => p.length > 0,
    );
    await clear(h);
    await eventually(
      'closed by its alert',
      () => stateOf(h),
      (s) => s.phase === 'resolved' && !!s.closedByAlert,
    );
    await suite.env.sleep('29 minutes');
    await fire('reopens', flap);
    const reopened = await eventually(
      'reopened',
      () => stateOf(h),
      (s) => s.phase === 'triggered',
    );
    expect(reopened).toMatchObject({ incidentId: first.incidentId, reopens: 1 });
    expect(reopened.resolvedAt).toBeUndefined();
    const again = await eventually(
      'the page after the reopen',
      () => pages(first.incidentId),
      (p) => p.length > 1,
    );
    expect(again.at(-1)!.message).toMatch(/back in escalation, please acknowledge \(level 1\)/);
    const events = await eventually(
      'the reopened event',
      () => eventsOf(first.incidentId),
      (e) => e.some((x) => x.kind === 'reopened'),
    );
    expect(events.find((e) => e.kind === 'reopened')).toMatchObject({
      actor: 'integration:monitoring',
      data: { count: 1, withinMinutes: 30 },
    });

    // Clears again (the reopened incident hears its alert's end again), and nobody fires within 30 minutes: it ends.
    await clear(h);
    const closed = await h.result();
    expect(closed).toMatchObject({ phase: 'resolved', reopens: 1 });
    await maybeRecordHistory(h, 'incident-reopened');
    // audit verify (the chain, its anchor, the report columns) agrees with a reopened incident's row: resolved by the
    // resolve after its last reopen. (The time-skipping server has no visibility to find the history by.)
    const verdict = await eventually(
      'the trail written',
      () => verifyIncidentAudit(suite.harness.db.pool, first.incidentId),
      (v) => v.problems.length === 0,
      5_000,
    );
    expect(verdict.problems).toEqual([]);
    const later = await fire('reopens', flap);
    const fresh = await stateOf(later);
    expect(fresh.incidentId).not.toBe(first.incidentId);
    expect(fresh.reopens).toBeUndefined();
    await later.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'pool resized' }] });
  });
});
