import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { openIncident } from '../../client/incidents/openIncident';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { incidentStateQuery, resolveUpdate, type OpenIncidentInput } from '../../workflows/incident/messages';
import { startTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { calendar, roster, timeSkippingSuite } from '../support/harness';
import { maybeRecordHistory } from '../support/histories';

type Handle = WorkflowHandle<typeof incidentResponse>;

/**
 * Snooze on a real (time-skipping) Temporal server and PostgreSQL, through the real dbops API: the clocks pause and
 * resume with the remaining time they had, a worse alert breaks the snooze, and only a responder may snooze.
 * connection-pool-exhaustion at high: its response deadline (and level 2) is 10 minutes after it opens.
 */
describe('incident snooze (time-skipping, through the API)', () => {
  const taskQueue = 'ts-snooze';
  const suite = timeSkippingSuite(taskQueue);
  let api: TestApi;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    api = await startTestApi(suite.env.client, suite.harness.db.pool, taskQueue);
    for (const person of ['oscar', 'lee', 'pat']) tokens[person] = await api.tokenOf(person);
  });
  afterAll(() => api?.close());

  const ctx = () => ({ client: suite.env.client, taskQueue, roster, calendar });
  const open = async (fingerprint: string, severity: OpenIncidentInput['severity'] = 'high') => {
    const { handle } = await openIncident(ctx(), {
      type: 'connection-pool-exhaustion',
      tier: 'oltp',
      fingerprint,
      severity,
      title: fingerprint,
    });
    return handle as Handle;
  };
  const stateOf = (h: Handle) => h.query(incidentStateQuery);
  const call = (person: string, h: Handle, action: string, body: unknown) =>
    fetch(`${api.url}/incidents/${encodeURIComponent(h.workflowId)}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[person]}` },
      body: JSON.stringify(body),
    });
  const sent = (incidentId: string, kind: string) =>
    suite.harness.channel.sent.filter((n) => n.subjectId === incidentId && n.kind === kind);
  const eventsOf = async (incidentId: string, kind: string) =>
    (await readIncidentEvents(suite.harness.db.pool, incidentId))
      .filter((e) => e.kind === kind)
      .map((e) => ({ ...e, data: e.data as Record<string, unknown> }));
  const event = (incidentId: string, kind: string) =>
    eventually(
      `a '${kind}' event`,
      () => eventsOf(incidentId, kind),
      (e) => e.length > 0,
    ).then((e) => e[0]);

  /** The next deadline the incidents row says (what lists show), once its audit writes have caught up with `expected`. */
  const rowDeadline = (incidentId: string, expected: { what: string; at: string | undefined }) =>
    eventually(
      `the row's next deadline: ${expected.what}`,
      async () => {
        const { rows } = await suite.harness.db.pool.query('SELECT next_deadline, next_deadline_at FROM incidents WHERE incident_id = $1', [
          incidentId,
        ]);
        return rows[0] && { what: rows[0].next_deadline as string, at: (rows[0].next_deadline_at as Date | null)?.toISOString() };
      },
      (row) => row?.what === expected.what && row.at === expected.at,
    );

  it('a snooze across the deadline: nothing pages while it lasts, and level 2 comes exactly the remaining time after it ends', async () => {
    const h = await open('across-deadline');
    const opened = await stateOf(h);
    await rowDeadline(opened.incidentId, { what: 'response due', at: opened.escalation.responseDueAt });
    await suite.env.sleep('4 minutes');
    const res = await call('oscar', h, 'snooze', { for: '30m', reason: 'vendor fix lands in 30 minutes' });
    expect(res.status).toBe(200);
    const snoozed = await stateOf(h);
    // Lists read the row: while snoozed, what comes next is the snooze's end.
    await rowDeadline(opened.incidentId, { what: 'snooze ends', at: snoozed.snooze!.until });
    const since = Date.parse(snoozed.snooze!.since);
    const remaining = Date.parse(opened.escalation.nextEscalationAt!) - since;
    // About 6 minutes (the test server's clock runs on between skips): whatever it was, it is what is kept.
    expect(remaining).toBeGreaterThan(5 * 60_000);
    expect(remaining).toBeLessThanOrEqual(6 * 60_000);

    await suite.env.sleep('20 minutes'); // past the original deadline (minute 10), still snoozed
    expect(sent(opened.incidentId, 'escalation')).toEqual([]);
    expect((await stateOf(h)).escalation.responseMissed).toBe(false);

    await suite.env.sleep('10 minutes'); // the snooze ended at minute 34
    const woken = await stateOf(h);
    expect(woken.snooze).toBeUndefined();
    const until = Date.parse(snoozed.snooze!.until);
    expect(Date.parse(woken.escalation.nextEscalationAt!) - until).toBe(remaining);
    expect(Date.parse(woken.escalation.responseDueAt) - until).toBe(remaining);
    const ended = await event(opened.incidentId, 'snooze-ended');
    expect(ended.data).toMatchObject({ why: 'expired', snoozedBy: 'oscar', pausedMs: 30 * 60_000 });
    await rowDeadline(opened.incidentId, { what: 'response due', at: woken.escalation.responseDueAt });

    await suite.env.sleep('6 minutes');
    const [level2] = await eventually(
      'the level 2 page',
      () => sent(opened.incidentId, 'escalation'),
      (e) => e.length > 0,
    );
    // The timer is set for exactly then; the page goes when Temporal fires it (the workflow's clock, a few ms on).
    const late = (at: string) => Date.parse(at) - until - remaining;
    expect(late(level2.occurredAt)).toBeGreaterThanOrEqual(0);
    expect(late(level2.occurredAt)).toBeLessThan(1000);
    expect(level2.message).toMatch(/escalated to level 2/);
    const missed = await event(opened.incidentId, 'response-sla-missed');
    expect(late(missed.occurredAt)).toBeGreaterThanOrEqual(0);
    expect(late(missed.occurredAt)).toBeLessThan(1000);
    await rowDeadline(opened.incidentId, { what: 'next escalation', at: (await stateOf(h)).escalation.nextEscalationAt });
    const snoozeEvent = await event(opened.incidentId, 'snoozed');
    expect(snoozeEvent).toMatchObject({ actor: 'oscar', data: { reason: 'vendor fix lands in 30 minutes', forMs: 30 * 60_000 } });
    // Everyone paged so far is told who snoozed it and why.
    expect(sent(opened.incidentId, 'lifecycle')[0].message).toMatch(/snoozed by oscar for 30m .*vendor fix lands in 30 minutes/);
    // Level 2 (10 minutes and the 30 paused) falls within a second of the manual step's fourth 10-minute reminder: past
    // it before resolving, as the Java test server sticks a task that cancels a timer firing meanwhile (sdk-java#2606).
    await suite.env.sleep('1 minute');
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'pool resized' }] });
    await h.result();
    await maybeRecordHistory(h, 'incident-snoozed');
  });

  it('a repeat of the same severity leaves the snooze alone; one of higher severity breaks it and pages again at once', async () => {
    const h = await open('worse-alert', 'medium');
    const { incidentId } = await stateOf(h);
    expect((await call('oscar', h, 'snooze', { for: '2h', reason: 'known batch job' })).status).toBe(200);
    await open('worse-alert', 'medium');
    await eventually(
      'the repeat counted',
      () => stateOf(h),
      (s) => s.triggerCount === 2,
    );
    expect((await stateOf(h)).snooze).toBeDefined();

    await suite.env.sleep('5 minutes');
    await open('worse-alert', 'critical');
    const broken = await eventually(
      'the snooze broken',
      () => stateOf(h),
      (s) => s.snooze === undefined,
    );
    expect(broken.triggerCount).toBe(3);
    const ended = await event(incidentId, 'snooze-ended');
    expect(ended.data).toMatchObject({ why: 'broken', triggerSeverity: 'critical', snoozedAtSeverity: 'medium' });
    expect(ended.data.pausedMs).toBe(Date.parse(ended.occurredAt) - Date.parse(ended.data.since as string));
    const [again] = await eventually(
      'the page after the break',
      () => sent(incidentId, 'escalation'),
      (e) => e.length > 0,
    );
    expect(again.message).toMatch(/back in escalation, please acknowledge \(level 1\)/);
    expect(again.recipients.map((r) => r.id).sort()).toEqual(['dana', 'oscar']);
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'batch job stopped' }] });
  });

  it('a bystander with a valid token is refused a snooze, naming the rule; bad and over-long durations are refused; anyone on the roster may wake it', async () => {
    const h = await open('who-may');
    const { incidentId } = await stateOf(h);
    const bystander = await call('lee', h, 'snooze', { for: '30m', reason: 'quiet please' });
    expect(bystander.status).toBe(403);
    expect(((await bystander.json()) as { error: string }).error).toMatch(
      /^'lee' may not snooze this incident: it takes a role on this incident's escalation ladder .*policy rule 'snooze'/,
    );
    const unreasoned = await call('oscar', h, 'snooze', { for: '30m', reason: '' });
    expect(unreasoned.status).toBe(400);
    expect(((await unreasoned.json()) as { error: string }).error).toMatch(/it takes a reason .*policy rule 'snooze'/);
    const badDuration = await call('oscar', h, 'snooze', { for: 'a while', reason: 'r' });
    expect(badDuration.status).toBe(400);
    expect(((await badDuration.json()) as { error: string }).error).toMatch(
      /for: 'a while' is not a duration such as 30m, 2h, 1h30m or 90s/,
    );
    const tooLong = await call('oscar', h, 'snooze', { for: '5h', reason: 'r' });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: string }).error).toMatch(/a snooze of a high incident lasts from 1s to 4h/);
    expect((await stateOf(h)).snooze).toBeUndefined();
    expect(await eventsOf(incidentId, 'snoozed')).toEqual([]);

    expect((await call('oscar', h, 'snooze', { for: '4h', reason: 'waiting for the vendor' })).status).toBe(200);
    await suite.env.sleep('3 minutes');
    const woken = await call('pat', h, 'unsnooze', { note: 'customers complain' });
    expect(woken.status).toBe(200);
    const ended = await event(incidentId, 'snooze-ended');
    expect(ended).toMatchObject({ actor: 'pat', data: { why: 'ended', note: 'customers complain' } });
    expect(ended.data.pausedMs).toBe(Date.parse(ended.occurredAt) - Date.parse(ended.data.since as string));
    expect((await call('pat', h, 'unsnooze', {})).status).toBe(409);
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'done' }] });
  });
});
